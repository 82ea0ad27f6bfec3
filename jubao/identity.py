"""Reporter identity at rest: AES-256-GCM with key rotation, keyed hashes for lookups.

Keys are JUBAO_IDENTITY_KEYS, 32 random bytes each in URL-safe base64 (Fernet form), newest
first. From each key two others are derived with HMAC-SHA256 under fixed labels: the AES-GCM
key and the lookup-hash key, so the same secret never serves two purposes.

A token is "2." and the URL-safe base64 of a random 12-byte nonce followed by the ciphertext
and its tag. Tokens written by earlier versions are Fernet tokens ("gAAAA…", never a ".");
they are still read, and `rotate` rewrites them in the current form. AES-GCM, which SPEC §10
allows besides Fernet, is used for what is written: every WeChat message encrypts its dialogue
state and its reply, and a Fernet token cost three times as much to make.
"""

from __future__ import annotations

import hmac
import os
from base64 import urlsafe_b64decode, urlsafe_b64encode

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

GCM_PREFIX = "2."
NONCE_BYTES = 12


def _derived(key: bytes, label: bytes) -> bytes:
    return hmac.digest(key, label, "sha256")


class IdentityVault:
    """Encrypts identity data under the newest of JUBAO_IDENTITY_KEYS; reads under any of them."""

    def __init__(self, keys: tuple[str, ...]) -> None:
        if not keys:
            raise ValueError("at least one identity key is needed")
        raw = [urlsafe_b64decode(key) for key in keys]
        self._fernet = MultiFernet([Fernet(key) for key in keys])  # tokens of earlier versions
        self._ciphers = [AESGCM(_derived(secret, b"jubao identity aes-256-gcm")) for secret in raw]
        self._hash_keys = [_derived(secret, b"jubao lookup hash") for secret in raw]

    def encrypt(self, text: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._ciphers[0].encrypt(nonce, text.encode(), None)
        return GCM_PREFIX + urlsafe_b64encode(nonce + sealed).decode()

    def decrypt(self, token: str) -> str:
        try:
            if token.startswith(GCM_PREFIX):
                return self._open(urlsafe_b64decode(token[len(GCM_PREFIX) :])).decode()
            return self._fernet.decrypt(token.encode()).decode()
        except (InvalidTag, InvalidToken, ValueError):
            raise ValueError("identity data cannot be read with the configured keys") from None

    def _open(self, data: bytes) -> bytes:
        nonce, sealed = data[:NONCE_BYTES], data[NONCE_BYTES:]
        for cipher in self._ciphers:
            try:
                return cipher.decrypt(nonce, sealed, None)
            except InvalidTag:
                continue
        raise InvalidTag

    def is_current(self, token: str) -> bool:
        """Whether the token is already in the current form under the newest key (what a
        resumed rotation skips)."""
        if not token.startswith(GCM_PREFIX):
            return False
        try:
            data = urlsafe_b64decode(token[len(GCM_PREFIX) :])
            self._ciphers[0].decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], None)
        except (InvalidTag, ValueError):
            return False
        return True

    def rotate(self, token: str) -> str:
        """The token rewritten under the newest key, in the current form."""
        return self.encrypt(self.decrypt(token))

    def lookup_hash(self, value: str) -> str:
        """The keyed hash under the newest key: what is stored."""
        return hmac.digest(self._hash_keys[0], value.encode(), "sha256").hex()

    def lookup_hashes(self, value: str) -> list[str]:
        """Hashes under every key, newest first: what a lookup matches during a rotation."""
        data = value.encode()
        return [hmac.digest(key, data, "sha256").hex() for key in self._hash_keys]
