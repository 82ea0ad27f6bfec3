"""Identity at rest: encryption, rotation, keyed lookup hashes."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from jubao.identity import IdentityVault


def test_encrypts_and_reads_back_without_the_plaintext_in_the_token():
    vault = IdentityVault((Fernet.generate_key().decode(),))
    token = vault.encrypt("o-openid-张三")
    assert "张三" not in token and vault.decrypt(token) == "o-openid-张三"


def test_rotation_reads_old_data_and_rewrites_it_under_the_newest_key():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    token = IdentityVault((old,)).encrypt("13800138000")
    rotated_vault = IdentityVault((new, old))
    assert rotated_vault.decrypt(token) == "13800138000"
    rotated = rotated_vault.rotate(token)
    assert IdentityVault((new,)).decrypt(rotated) == "13800138000"


def test_lookup_hashes_match_across_a_rotation():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    stored = IdentityVault((old,)).lookup_hash("o-openid")
    assert stored in IdentityVault((new, old)).lookup_hashes("o-openid")
    assert IdentityVault((new, old)).lookup_hash("o-openid") != stored


def test_a_foreign_token_is_refused():
    token = IdentityVault((Fernet.generate_key().decode(),)).encrypt("x")
    with pytest.raises(ValueError, match="cannot be read"):
        IdentityVault((Fernet.generate_key().decode(),)).decrypt(token)


def test_tokens_are_aes_gcm_and_each_one_is_new():
    vault = IdentityVault((Fernet.generate_key().decode(),))
    first, second = vault.encrypt("13800138000"), vault.encrypt("13800138000")
    assert first.startswith("2.") and first != second  # a fresh nonce each time
    assert vault.decrypt(first) == vault.decrypt(second) == "13800138000"


def test_fernet_tokens_of_earlier_versions_are_still_read_and_rotated():
    key = Fernet.generate_key()
    written_before = Fernet(key).encrypt("张三".encode()).decode()
    vault = IdentityVault((key.decode(),))
    assert vault.decrypt(written_before) == "张三"
    newest = Fernet.generate_key().decode()
    rotated = IdentityVault((newest, key.decode())).rotate(written_before)
    assert rotated.startswith("2.") and IdentityVault((newest,)).decrypt(rotated) == "张三"


@pytest.mark.parametrize("damage", ["flip", "cut", "garble"])
def test_a_damaged_token_is_refused(damage):
    vault = IdentityVault((Fernet.generate_key().decode(),))
    token = vault.encrypt("13800138000")
    body = token[2:]
    if damage == "flip":
        token = "2." + body[:-3] + ("A" if body[-3] != "A" else "B") + body[-2:]
    elif damage == "cut":
        token = "2." + body[:8]
    else:
        token = "2.!!!"
    with pytest.raises(ValueError, match="cannot be read"):
        vault.decrypt(token)


def test_lookup_hashes_stored_by_earlier_versions_still_match():
    import hashlib
    import hmac
    from base64 import urlsafe_b64decode

    key = Fernet.generate_key().decode()
    hash_key = hmac.new(urlsafe_b64decode(key), b"jubao lookup hash", hashlib.sha256).digest()
    stored = hmac.new(hash_key, b"o-openid", hashlib.sha256).hexdigest()
    assert IdentityVault((key,)).lookup_hashes("o-openid") == [stored]
