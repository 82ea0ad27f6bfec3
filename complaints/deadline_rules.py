"""The deadline rules and holiday calendar in force: defaults with the registry's overrides."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.deadlines import Calendar, Duration, deadline, rules_with
from complaints.registry_models import CalendarDay, DeadlineRule


@dataclass(frozen=True)
class DeadlineRules:
    rules: dict[str, Duration]  # by clock: accept, ack, handle, result, objection, review, ...
    calendar: Calendar

    def ends(self, clock: str, start: datetime, tz: ZoneInfo) -> datetime:
        """When `clock`, started at `start`, runs out."""
        return deadline(start, self.rules[clock], tz, self.calendar)


async def rules_in_force(session: AsyncSession) -> DeadlineRules:
    overrides = dict((await session.execute(select(DeadlineRule.clock, DeadlineRule.value))).all())
    days = (await session.execute(select(CalendarDay.day, CalendarDay.working))).all()
    calendar = Calendar(
        holidays=frozenset(day for day, working in days if not working),
        workdays=frozenset(day for day, working in days if working),
    )
    return DeadlineRules(rules_with(overrides), calendar)
