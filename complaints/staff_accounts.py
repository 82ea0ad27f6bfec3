"""Staff accounts checked against the registry: an officer's `--town` must be a registered
town, and only an officer's scope is limited by one; an officer's `--wework-id` links him to
the registry officer with that id, and without either he would see no report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.registry_models import Officer, Town
from jubao.auth import AccountError, User, add_user
from jubao.roles import Role


@dataclass(frozen=True)
class NewAccount:
    user: User
    warnings: tuple[str, ...]  # for the operator: the account works, but perhaps not as meant


async def add_staff(
    session: AsyncSession,
    username: str,
    role: str,
    password: str,
    *,
    town: str | None,
    wework_id: str | None,
    now: datetime,
) -> NewAccount:
    """Add an account; raises AccountError, saying why, when the registry contradicts it."""
    warnings: list[str] = []
    if town:
        if role != Role.OFFICER:
            raise AccountError(
                f"--town limits an officer's reports; a {role} sees every town",
                "只有执法人员按镇（区）限定范围，其他角色不选镇（区）",
            )
        if not await session.scalar(select(Town.id).where(Town.name == town)):
            raise AccountError(
                f"unknown town {town!r}; load the registry first", f"“{town}”不是已登记的镇（区）"
            )
    if role == Role.OFFICER and not town:
        linked = wework_id and await session.scalar(
            select(Officer.id).where(Officer.wework_id == wework_id)
        )
        if not linked:
            which = f"with wework_id {wework_id!r} " if wework_id else ""
            warnings.append(
                f"no registry officer {which}and no --town: {username} sees no reports until "
                "the registry names his wework_id under a unit (or give --town)"
            )
    user = await add_user(
        session, username, role, password, town=town, wework_id=wework_id, now=now
    )
    return NewAccount(user, tuple(warnings))
