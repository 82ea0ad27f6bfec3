"""Signing staff in and out of the console (SPEC §11 "Console"): a password check (Argon2id,
an old hash upgraded on the way), a TOTP code for an account that has one (missing or wrong,
it is a wrong password and counts toward the lock), ten failed logins for a username within
15 minutes lock it for 15 minutes — answered exactly like a wrong password —, a session that
ends after 8 hours without use, and its CSRF token. The cookie carries a random token; only
its HMAC-SHA256 under JUBAO_SECRET_KEY is kept, so that a new secret key ends every session."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from console.models import ConsoleSession, LoginFailure
from jubao import second_factor
from jubao.auth import Staff, User, hash_password, needs_rehash, password_matches, staff
from jubao.identity import IdentityVault

IDLE_LIMIT = timedelta(hours=8)
LOCK_AFTER = 10
LOCK_WINDOW = timedelta(minutes=15)
TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often


def locked(failures: Sequence[datetime], now: datetime) -> bool:
    """Pure: LOCK_AFTER failures within LOCK_WINDOW of each other, the last one within
    LOCK_WINDOW of now, lock the username until LOCK_WINDOW after that last failure."""
    recent = sorted(at for at in failures if now - at < LOCK_WINDOW * 2)
    for index in range(len(recent) - LOCK_AFTER + 1):
        first, tenth = recent[index], recent[index + LOCK_AFTER - 1]
        if tenth - first < LOCK_WINDOW and now - tenth < LOCK_WINDOW:
            return True
    return False


def _hash(token: str, key: str) -> str:
    return hmac.digest(key.encode(), token.encode(), "sha256").hex()


async def sign_in(
    session: AsyncSession,
    username: str,
    password: str,
    now: datetime,
    *,
    totp: str = "",
    vault: IdentityVault,
    key: str,
) -> tuple[str, Staff] | None:
    """A new session's cookie token and who it is, or None — wrong name, wrong password, a
    missing or wrong TOTP code and a locked name all look the same. `totp` is ignored for an
    account without a second factor."""
    failures = await session.scalars(
        select(LoginFailure.at).where(
            LoginFailure.username == username, LoginFailure.at > now - LOCK_WINDOW * 2
        )
    )
    user = await session.scalar(select(User).where(User.username == username))
    is_locked = locked(list(failures), now)
    right = user is not None and await password_matches(user.password_hash, password)
    if right and not is_locked and user is not None:
        right = second_factor.passes(user, totp, vault, now)  # a used code is spent
    if is_locked or not right or user is None:
        if not is_locked:
            session.add(LoginFailure(username=username[:64], at=now))
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = await hash_password(password)
    await session.execute(delete(LoginFailure).where(LoginFailure.username == username))
    token = secrets.token_urlsafe(32)
    session.add(
        ConsoleSession(
            token_hash=_hash(token, key),
            user_id=user.id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            last_seen_at=now,
        )
    )
    await session.flush()
    return token, staff(user)


async def signed_in(
    session: AsyncSession, token: str | None, now: datetime, *, key: str
) -> tuple[Staff, str] | None:
    """Who holds this cookie, with the session's CSRF token; None when it is unknown or idle
    for IDLE_LIMIT (then it is ended)."""
    if not token:
        return None
    row = await session.execute(
        select(ConsoleSession, User)
        .join(User, User.id == ConsoleSession.user_id)
        .where(ConsoleSession.token_hash == _hash(token, key))
    )
    found = row.first()
    if found is None:
        return None
    kept, user = found
    if now - kept.last_seen_at >= IDLE_LIMIT:
        await session.delete(kept)
        return None
    if now - kept.last_seen_at >= TOUCH_EVERY:
        kept.last_seen_at = now
    return staff(user), kept.csrf_token


async def kept_session(
    session: AsyncSession, token: str | None, *, key: str
) -> ConsoleSession | None:
    """The session row behind a cookie (for what a session keeps besides who it is)."""
    if not token:
        return None
    return await session.get(ConsoleSession, _hash(token, key))


async def sign_out(session: AsyncSession, token: str | None, *, key: str) -> None:
    if token:
        await session.execute(
            delete(ConsoleSession).where(ConsoleSession.token_hash == _hash(token, key))
        )


async def purge(session: AsyncSession, now: datetime) -> tuple[int, int]:
    """Forget sessions idle past IDLE_LIMIT (a closed browser never signs out; a new secret
    key leaves every old session unmatched) and failed logins too old to lock anyone."""
    sessions = await session.execute(
        delete(ConsoleSession).where(ConsoleSession.last_seen_at < now - IDLE_LIMIT)
    )
    failures = await session.execute(
        delete(LoginFailure).where(LoginFailure.at < now - LOCK_WINDOW * 2)
    )
    return sessions.rowcount, failures.rowcount  # type: ignore[attr-defined]
