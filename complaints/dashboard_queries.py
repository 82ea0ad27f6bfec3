"""What the dashboard shows besides the counts and the deadline boards: this month's intake by
category and by town, and the open reports the reporter pressed (催办, then 督办) — each within
the staff member's scope."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.feedback_rules import FINISHED, SUPERVISE, URGE
from complaints.models import Report, ReportEvent
from complaints.queries import Scope, scope_condition
from complaints.registry_models import Officer, Town
from complaints.statistics import SENTENCE_ORDER
from complaints.vocabulary import STATUS_LABELS

OPEN = tuple(status for status in STATUS_LABELS if status not in FINISHED)  # still being handled


def month_bounds(now: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of the local calendar month that `now` falls in."""
    local = now.astimezone(tz)
    start = datetime(local.year, local.month, 1, tzinfo=tz)
    end = datetime(local.year + local.month // 12, local.month % 12 + 1, 1, tzinfo=tz)
    return start, end


def _scoped(query: Select, scope: Scope) -> Select:
    """The query over reports (its FROM starts at reports), joined to its town and, for a
    limited scope, to its assignee, and kept in scope."""
    query = query.select_from(Report).join(Town, Town.id == Report.town_id)
    condition = scope_condition(scope)
    if condition is None:
        return query
    return query.outerjoin(Officer, Officer.id == Report.assignee_id).where(condition)


@dataclass(frozen=True)
class Intake:
    by_category: list[tuple[str, int]]  # (category key, count), in the sentence's order
    by_town: list[tuple[str, int]]  # (town, count): the towns in scope, in registry order


async def intake_between(
    session: AsyncSession, scope: Scope, start: datetime, end: datetime
) -> Intake:
    """Reports received in [start, end) in scope, by category and by town."""
    counted = await session.execute(
        _scoped(select(Report.category, Town.name, func.count()), scope)
        .where(Report.received_at >= start, Report.received_at < end)
        .group_by(Report.category, Town.name)
    )  # one pass over the month's reports, summed both ways here
    categories: Counter[str] = Counter()
    towns: Counter[str] = Counter()
    for category, town, count in counted:
        categories[category] += count
        towns[town] += count
    names = select(Town.name).order_by(Town.position, Town.id)
    if scope.towns is not None:
        names = names.where(Town.name.in_(scope.towns | set(towns)))
    return Intake(
        [(key, categories.get(key, 0)) for key in SENTENCE_ORDER],
        [(name, towns.get(name, 0)) for name in await session.scalars(names)],
    )


@dataclass(frozen=True)
class Pressed:
    number: str
    town: str
    status: str
    supervised: bool  # pressed more than once: 督办
    times: int
    last_at: datetime


async def pressed_reports(session: AsyncSession, scope: Scope, limit: int = 20) -> list[Pressed]:
    """Open reports in scope that the reporter urged, the most recently pressed first."""
    last_at = func.max(ReportEvent.at)
    query = (
        _scoped(
            select(
                Report.number,
                Town.name,
                Report.status,
                func.count().filter(ReportEvent.action == SUPERVISE),
                func.count(),
                last_at,
            ).join(ReportEvent, ReportEvent.report_id == Report.id),
            scope,
        )
        .where(ReportEvent.action.in_((URGE, SUPERVISE)), Report.status.in_(OPEN))
        .group_by(Report.id, Report.number, Town.name, Report.status)
        .order_by(last_at.desc())
        .limit(limit)
    )
    return [
        Pressed(number, town, status, supervised > 0, times, at)
        for number, town, status, supervised, times, at in await session.execute(query)
    ]
