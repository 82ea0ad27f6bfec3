"""Query codes: 16 random digits shown once; only an Argon2id hash is kept.

Five wrong codes within an hour lock the report number, and five from one sender lock that
sender, whether or not the number exists.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.models import CodeAttempt

LOCK_WINDOW = timedelta(hours=1)
MAX_WRONG = 5


@cache
def _hasher() -> PasswordHasher:
    # OWASP's Argon2id minimum (19 MiB, 2 passes): a 16-digit code needs no more.
    return PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


def new_code() -> str:
    return f"{secrets.randbelow(10**16):016d}"


def display_code(code: str) -> str:
    return " ".join(code[i : i + 4] for i in range(0, 16, 4))


async def hash_code(code: str) -> str:
    return await asyncio.to_thread(_hasher().hash, code)


@cache
def _decoy_hash() -> str:
    return _hasher().hash(new_code())


async def code_matches(stored_hash: str | None, code: str) -> bool:
    """Constant work whether or not the report exists (a decoy hash stands in)."""

    def verify() -> bool:
        try:
            return _hasher().verify(stored_hash or _decoy_hash(), code) and stored_hash is not None
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(verify)


def number_subject(number: str) -> str:
    return f"number:{number}"


def sender_subject(openid_hash: str) -> str:
    return f"sender:{openid_hash}"


async def is_locked(session: AsyncSession, subjects: Sequence[str], now: datetime) -> bool:
    counts = await session.execute(
        select(CodeAttempt.subject, func.count())
        .where(CodeAttempt.subject.in_(subjects), CodeAttempt.at > now - LOCK_WINDOW)
        .group_by(CodeAttempt.subject)
    )
    return any(count >= MAX_WRONG for _, count in counts)


async def record_wrong(session: AsyncSession, subjects: Sequence[str], now: datetime) -> None:
    session.add_all(CodeAttempt(subject=subject, at=now) for subject in subjects)
    await session.flush()


async def try_code(
    session: AsyncSession,
    number: str,
    code: str,
    stored_hash: str | None,
    sender_hash: str,
    now: datetime,
) -> str:
    """ok, locked or wrong: one try of a code for a number (`stored_hash` None when there is
    no such report — the answer is the same). A wrong code counts against the number and the
    sender (MAX_WRONG in LOCK_WINDOW lock either)."""
    subjects = [number_subject(number), sender_subject(sender_hash)]
    if await is_locked(session, subjects, now):
        return "locked"
    if not await code_matches(stored_hash, code):
        await record_wrong(session, subjects, now)
        return "wrong"
    return "ok"
