"""`jubao user reset-totp NAME` (audited) and `jubao keys rotate` re-encrypting TOTP secrets
with the rest of the encrypted data."""

from __future__ import annotations

import asyncio
import io

import pyotp
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, update

from console.models import ConsoleSession
from jubao.audit import AuditEntry
from jubao.auth import User
from jubao.cli import main
from jubao.identity import IdentityVault
from tests.database import run_in_transaction

OLD_KEY, NEW_KEY = Fernet.generate_key().decode(), Fernet.generate_key().decode()
SECRET = pyotp.random_base32()


@pytest.fixture
def db_url(tmp_path, monkeypatch, capsys):  # type: ignore[no-untyped-def]
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("JUBAO_DATABASE_URL", url)
    monkeypatch.setenv("JUBAO_SECRET_KEY", "cli-test-secret")
    monkeypatch.setenv("JUBAO_IDENTITY_KEYS", OLD_KEY)
    assert main(["db", "upgrade"]) == 0
    for name in ("wang", "li"):
        monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery\n"))
        assert main(["user", "add", name, "--role", "dispatcher"]) == 0
    capsys.readouterr()
    return url


def enrolled(url: str, username: str = "wang") -> None:
    """`username` with SECRET as his TOTP, encrypted under the old key (as the console does)."""
    token = IdentityVault((OLD_KEY,)).encrypt(SECRET)

    async def enrol(session):  # type: ignore[no-untyped-def]
        await session.execute(
            update(User).where(User.username == username).values(totp_secret_enc=token)
        )

    asyncio.run(run_in_transaction(url, enrol))


def read(url: str, query):  # type: ignore[no-untyped-def]
    async def fetch(session):  # type: ignore[no-untyped-def]
        return (await session.execute(query)).all()

    return asyncio.run(run_in_transaction(url, fetch))


def test_reset_totp_turns_it_off_and_is_audited(db_url, capsys):
    enrolled(db_url)
    assert main(["user", "reset-totp", "wang"]) == 0
    assert "wang" in capsys.readouterr().out
    assert read(db_url, select(User.totp_secret_enc).where(User.username == "wang")) == [(None,)]
    entries = read(db_url, select(AuditEntry.actor, AuditEntry.action, AuditEntry.subject))
    assert entries == [("cli", "totp_reset", "wang")]
    detail = read(db_url, select(AuditEntry.detail))[0][0]
    assert SECRET not in detail
    assert main(["audit", "verify"]) == 0


def test_reset_totp_refuses_an_unknown_user_and_one_without_totp(db_url, capsys):
    assert main(["user", "reset-totp", "nobody"]) == 1
    assert "no user" in capsys.readouterr().err
    assert main(["user", "reset-totp", "li"]) == 1
    assert "no TOTP" in capsys.readouterr().err
    assert read(db_url, select(AuditEntry.id)) == []


def test_keys_rotate_re_encrypts_totp_secrets_under_the_newest_key(db_url, monkeypatch, capsys):
    enrolled(db_url)
    pending = IdentityVault((OLD_KEY,)).encrypt("PENDINGSECRETBASE32AAAAAAAAAAAAA")

    async def pending_session(session):  # type: ignore[no-untyped-def]
        user_id = await session.scalar(select(User.id).where(User.username == "li"))
        at = await session.scalar(select(User.created_at).where(User.id == user_id))
        session.add(
            ConsoleSession(
                token_hash="h" * 64, user_id=user_id, csrf_token="c", created_at=at,
                last_seen_at=at, totp_pending_enc=pending,
            )
        )  # fmt: skip

    asyncio.run(run_in_transaction(db_url, pending_session))
    monkeypatch.setenv("JUBAO_IDENTITY_KEYS", f"{NEW_KEY},{OLD_KEY}")
    assert main(["keys", "rotate"]) == 0
    out = capsys.readouterr().out
    assert "users: 1 rows re-encrypted" in out and "console_sessions: 1 rows" in out
    assert SECRET not in out
    newest_only = IdentityVault((NEW_KEY,))
    [(secret_enc,)] = read(db_url, select(User.totp_secret_enc).where(User.username == "wang"))
    assert newest_only.decrypt(secret_enc) == SECRET
    [(pending_enc,)] = read(db_url, select(ConsoleSession.totp_pending_enc))
    assert newest_only.decrypt(pending_enc) == "PENDINGSECRETBASE32AAAAAAAAAAAAA"
    assert read(db_url, select(User.totp_secret_enc).where(User.username == "li")) == [(None,)]
    assert main(["keys", "rotate"]) == 0  # again: harmless
    [(again,)] = read(db_url, select(User.totp_secret_enc).where(User.username == "wang"))
    assert newest_only.decrypt(again) == SECRET
