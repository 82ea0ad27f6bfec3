"""Reporter identity at rest: Fernet encryption with key rotation, keyed hashes for lookups."""

from __future__ import annotations

import hashlib
import hmac
from base64 import urlsafe_b64decode

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class IdentityVault:
    """Encrypts identity data under the newest of JUBAO_IDENTITY_KEYS; reads under any of them."""

    def __init__(self, keys: tuple[str, ...]) -> None:
        if not keys:
            raise ValueError("at least one identity key is needed")
        self._fernet = MultiFernet([Fernet(key) for key in keys])
        self._hash_keys = [
            hmac.new(urlsafe_b64decode(key), b"jubao lookup hash", hashlib.sha256).digest()
            for key in keys
        ]

    def encrypt(self, text: str) -> str:
        return self._fernet.encrypt(text.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise ValueError("identity data cannot be read with the configured keys") from None

    def rotate(self, token: str) -> str:
        return self._fernet.rotate(token.encode()).decode()

    def lookup_hash(self, value: str) -> str:
        """The keyed hash under the newest key: what is stored."""
        return self._hash(self._hash_keys[0], value)

    def lookup_hashes(self, value: str) -> list[str]:
        """Hashes under every key, newest first: what a lookup matches during a rotation."""
        return [self._hash(key, value) for key in self._hash_keys]

    @staticmethod
    def _hash(key: bytes, value: str) -> str:
        return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
