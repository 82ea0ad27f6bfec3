"""A staff account's optional second factor (TOTP): checking a code at sign-in, turning it on
with a confirmed code, off with a current code, and an administrator's reset. The secret is
kept encrypted like identity data (`jubao keys rotate` re-encrypts it); it never reaches a log
or an audit entry. Nothing here commits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from jubao import audit, totp
from jubao.auth import AccountError, User
from jubao.identity import IdentityVault


def enabled(user: User) -> bool:
    return user.totp_secret_enc is not None


def passes(user: User, code: str, vault: IdentityVault, now: datetime) -> bool:
    """Whether `code` is this user's second factor at `now`: always true without TOTP; with
    it, a valid code not used before — its step is then remembered, so it cannot be used again."""
    if user.totp_secret_enc is None:
        return True
    step = totp.accepted_step(vault.decrypt(user.totp_secret_enc), code, now, user.totp_last_step)
    if step is None:
        return False
    user.totp_last_step = step
    return True


async def enable(
    session: AsyncSession,
    user: User,
    secret: str,
    code: str,
    vault: IdentityVault,
    now: datetime,
) -> bool:
    """Stores `secret` as the user's second factor when `code` proves the app has it."""
    step = totp.accepted_step(secret, code, now, None)
    if step is None:
        return False
    user.totp_secret_enc, user.totp_last_step = vault.encrypt(secret), step
    await audit.append(
        session, actor=user.username, action="totp_enable", subject=user.username,
        detail={}, at=now,
    )  # fmt: skip
    return True


async def disable(
    session: AsyncSession, user: User, code: str, vault: IdentityVault, now: datetime
) -> bool:
    """Turns the second factor off when `code` is a current one of it."""
    if not enabled(user) or not passes(user, code, vault, now):
        return False
    user.totp_secret_enc, user.totp_last_step = None, None
    await audit.append(
        session, actor=user.username, action="totp_disable", subject=user.username,
        detail={}, at=now,
    )  # fmt: skip
    return True


async def reset(session: AsyncSession, username: str, actor: str, now: datetime) -> None:
    """An administrator turns someone's second factor off (a lost phone); the user signs in
    with the password alone and may enrol again. Raises AccountError when there is nothing
    to reset."""
    user = await session.scalar(select(User).where(User.username == username))
    if user is None:
        raise AccountError(f"no user {username!r}")
    if not enabled(user):
        raise AccountError(f"user {username!r} has no TOTP enrolled")
    user.totp_secret_enc, user.totp_last_step = None, None
    await audit.append(
        session, actor=actor, action="totp_reset", subject=username, detail={}, at=now
    )
