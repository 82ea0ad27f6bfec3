"""What the admin's registry pages show (console/registry_pages.py): the staff accounts and each
part of the registry, read in the order the registry file gives them; enterprises a page at a
time with their counts by colour code."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.registry_models import (
    CalendarDay,
    DeadlineRule,
    Enterprise,
    Officer,
    RewardRule,
    RoutingRule,
    Town,
    Unit,
)
from jubao.auth import User

PER_PAGE = 50


@dataclass(frozen=True)
class EnterprisePage:
    rows: list[tuple[Enterprise, str | None]]  # with its town's name
    total: int  # matching the search
    by_colour: dict[str, int]  # of every registered enterprise
    blacklisted: int


async def users(session: AsyncSession) -> list[User]:
    return list(await session.scalars(select(User).order_by(User.username)))


async def towns(session: AsyncSession) -> list[tuple[Town, int]]:
    """Each town in the citizen's order, with the number of enterprises registered in it."""
    count = select(func.count(Enterprise.id)).where(Enterprise.town_id == Town.id).scalar_subquery()
    rows = await session.execute(select(Town, count).order_by(Town.position, Town.id))
    return [(town, n) for town, n in rows]


async def units(session: AsyncSession) -> list[tuple[Unit, int]]:
    """Each unit with its towns (none: city-wide) and its number of officers."""
    count = select(func.count(Officer.id)).where(Officer.unit_id == Unit.id).scalar_subquery()
    rows = await session.execute(select(Unit, count).order_by(Unit.id))
    return [(unit, n) for unit, n in rows]


async def officers(session: AsyncSession) -> list[tuple[Officer, str]]:
    rows = await session.execute(
        select(Officer, Unit.name)
        .join(Unit, Unit.id == Officer.unit_id)
        .order_by(Unit.id, Officer.id)
    )
    return [(officer, unit) for officer, unit in rows]


async def enterprise_page(session: AsyncSession, search: str, page: int) -> EnterprisePage:
    """Page `page` (from 1) of the enterprises whose name or credit code contains `search`."""
    query = select(Enterprise, Town.name).outerjoin(Town, Town.id == Enterprise.town_id)
    counted = select(func.count(Enterprise.id))
    if search:
        pattern = f"%{search}%"
        found = or_(Enterprise.name.like(pattern), Enterprise.credit_code.like(pattern.upper()))
        query, counted = query.where(found), counted.where(found)
    rows = await session.execute(
        query.order_by(Enterprise.name).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    )
    colours = await session.execute(
        select(Enterprise.code, func.count(Enterprise.id)).group_by(Enterprise.code)
    )
    blacklisted = await session.scalar(
        select(func.count(Enterprise.id)).where(Enterprise.blacklisted.is_(True))
    )
    return EnterprisePage(
        rows=[(enterprise, town) for enterprise, town in rows],
        total=await session.scalar(counted) or 0,
        by_colour={code: n for code, n in colours},
        blacklisted=blacklisted or 0,
    )


async def routing_rules(session: AsyncSession) -> list[tuple[RoutingRule, str]]:
    rows = await session.execute(
        select(RoutingRule, Unit.name)
        .join(Unit, Unit.id == RoutingRule.unit_id)
        .order_by(RoutingRule.position, RoutingRule.id)
    )
    return [(rule, unit) for rule, unit in rows]


async def deadline_overrides(session: AsyncSession) -> dict[str, str]:
    return {rule.clock: rule.value for rule in await session.scalars(select(DeadlineRule))}


async def reward_rules(session: AsyncSession) -> list[tuple[RewardRule, str | None]]:
    rows = await session.execute(
        select(RewardRule, Town.name)
        .outerjoin(Town, Town.id == RewardRule.town_id)
        .order_by(RewardRule.position, RewardRule.id)
    )
    return [(rule, town) for rule, town in rows]


async def calendar(session: AsyncSession) -> list[CalendarDay]:
    return list(await session.scalars(select(CalendarDay).order_by(CalendarDay.day)))
