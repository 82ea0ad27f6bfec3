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
