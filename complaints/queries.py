"""Reading reports for staff: scope (who sees what), filters, the report with its timeline."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, false, func, literal, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.models import Report, ReportEvent
from complaints.registry_models import Enterprise, Officer, Town, Unit
from complaints.reminders import RUNS, Runs
from complaints.report_filters import overdue_condition as current_deadline_passed
from jubao.auth import Staff
from jubao.roles import READ_REPORTS, Role

PAGE_SIZE = 50


@dataclass(frozen=True)
class Scope:
    """Which reports a staff member may read: all (towns None), or these towns plus his own."""

    towns: frozenset[str] | None
    wework_id: str | None = None


class OutOfScope(LookupError):
    pass


async def scope_for(session: AsyncSession, staff: Staff) -> Scope | None:
    """None when the role reads no reports at all (finance, admin)."""
    if staff.role not in READ_REPORTS:
        return None
    if staff.role != Role.OFFICER:
        return Scope(None)
    if staff.town:
        return Scope(frozenset({staff.town}), staff.wework_id)
    unit = None
    if staff.wework_id:
        unit = await session.scalar(
            select(Unit)
            .join(Officer, Officer.unit_id == Unit.id)
            .where(Officer.wework_id == staff.wework_id)
        )
    if unit is None:
        return Scope(frozenset(), staff.wework_id)
    towns = frozenset(town.name for town in unit.towns)
    return Scope(towns or None, staff.wework_id)


def _runs_condition(runs: Runs) -> ColumnElement[bool]:
    if len(runs.statuses) == 1:
        condition = Report.status == runs.statuses[0]
    else:
        condition = Report.status.in_(runs.statuses)
    if runs.reopened is None:
        return condition
    reopened = Report.reopened_at.is_not(None) if runs.reopened else Report.reopened_at.is_(None)
    return and_(condition, reopened)


# clock: (which reports it runs for, its deadline column, when it started), from reminders.RUNS
CLOCK_COLUMNS = {
    clock: (_runs_condition(runs), getattr(Report, runs.deadline), getattr(Report, runs.started))
    for clock, runs in RUNS.items()
}


def overdue_condition(now: datetime) -> ColumnElement[bool]:
    """A clock running for the report's current status has run out (the sweep's clocks)."""
    return or_(*(and_(runs, deadline < now) for runs, deadline, _ in CLOCK_COLUMNS.values()))


def _base() -> Select:
    return (
        select(Report, Town.name, Enterprise, Officer)
        .join(Town, Town.id == Report.town_id)
        .outerjoin(Enterprise, Enterprise.id == Report.enterprise_id)
        .outerjoin(Officer, Officer.id == Report.assignee_id)
    )


def _in_scope(scope: Scope) -> ColumnElement[bool] | None:
    if scope.towns is None:
        return None
    mine = Officer.wework_id == scope.wework_id if scope.wework_id else false()
    return or_(Town.name.in_(scope.towns), mine)


def scope_condition(scope: Scope) -> ColumnElement[bool] | None:
    """The condition that keeps a query (joined to Town and, outer, to Officer) in scope;
    None when the scope is everything."""
    return _in_scope(scope)


def reports_in_scope(scope: Scope) -> ColumnElement[bool] | None:
    """_in_scope for a query over reports alone (no joins: counts and orderings stay on the
    reports table and its indexes)."""
    if scope.towns is None:
        return None
    towns = Report.town_id.in_(select(Town.id).where(Town.name.in_(scope.towns)))
    if not scope.wework_id:
        return towns
    mine = Report.assignee_id.in_(select(Officer.id).where(Officer.wework_id == scope.wework_id))
    return or_(towns, mine)


@dataclass(frozen=True)
class Row:
    report: Report
    town: str
    enterprise: Enterprise | None
    assignee: Officer | None


async def find_report(session: AsyncSession, scope: Scope, number: str) -> Row:
    query = _base().where(Report.number == number)
    if (condition := _in_scope(scope)) is not None:
        query = query.where(condition)
    row = (await session.execute(query)).first()
    if row is None:
        raise OutOfScope(number)
    return Row(*row)


async def timeline(session: AsyncSession, report_id: int) -> list[ReportEvent]:
    events = await session.scalars(
        select(ReportEvent).where(ReportEvent.report_id == report_id).order_by(ReportEvent.id)
    )
    return list(events)


async def status_counts(session: AsyncSession, scope: Scope, now: datetime) -> dict[str, int]:
    """How many reports in scope stand in each status, and how many are overdue (`overdue`)."""
    query = select(Report.status, func.count()).select_from(Report)
    late = select(func.count()).select_from(Report).where(current_deadline_passed(now))
    if (condition := reports_in_scope(scope)) is not None:
        query, late = query.where(condition), late.where(condition)
    counts = dict((await session.execute(query.group_by(Report.status))).all())
    counts["overdue"] = await session.scalar(late) or 0
    return counts


@dataclass(frozen=True)
class DeadlineRow:
    number: str
    clock: str  # complaints.reminders CLOCKS key
    deadline: datetime
    town: str
    urgent: bool


async def deadline_board(
    session: AsyncSession, scope: Scope, until: datetime, limit: int = 50
) -> list[DeadlineRow]:
    """The running clocks in scope whose deadline is at or before `until` (the overdue ones
    among them), the earliest first, at most `limit` of each clock."""
    parts = []
    for clock, runs in RUNS.items():
        column = getattr(Report, runs.deadline)
        # One status at a time: its (status, deadline) index then gives the order, and the
        # first `limit` entries are all that is read (100,000 reports: 36 ms -> 1 ms); all of
        # them in one statement (seven round trips were 14 ms of PostgreSQL's dashboard).
        for status in runs.statuses:
            query = (
                select(
                    Report.number,
                    literal(clock).label("clock"),
                    column.label("deadline"),
                    Town.name.label("town"),
                    Report.urgent,
                )
                .join(Town, Town.id == Report.town_id)
                .outerjoin(Officer, Officer.id == Report.assignee_id)
                .where(_runs_condition(replace(runs, statuses=(status,))), column <= until)
            )
            if (in_scope := _in_scope(scope)) is not None:
                query = query.where(in_scope)
            parts.append(select(query.order_by(column).limit(limit).subquery()))
    found = [DeadlineRow(*row) for row in await session.execute(union_all(*parts))]
    return sorted(found, key=lambda row: row.deadline)[:limit]
