"""The deadline rules and holiday calendar in force: defaults with the registry's overrides."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.deadlines import Calendar, Duration, rules_with
from complaints.registry_models import CalendarDay, DeadlineRule


@dataclass(frozen=True)
class Clocks:
    rules: dict[str, Duration]
    calendar: Calendar


async def clocks_in_force(session: AsyncSession) -> Clocks:
    overrides = dict((await session.execute(select(DeadlineRule.clock, DeadlineRule.value))).all())
    days = (await session.execute(select(CalendarDay.day, CalendarDay.working))).all()
    calendar = Calendar(
        holidays=frozenset(day for day, working in days if not working),
        workdays=frozenset(day for day, working in days if working),
    )
    return Clocks(rules_with(overrides), calendar)
