"""The report list (SPEC §5 `GET /api/v1/reports`, the console's `/console/reports`): the
reports in scope that pass the filters, the nearest current deadline first, 50 a page.

At 100,000 reports sorting the whole table by the current deadline is what costs, so a page is
read in two parts: the reports with a running clock (only the open statuses, a small share,
found by the status index) sorted by their deadline, then the rest by the time received (its
index read backwards). Each part cuts its ids over the reports table alone, then joins the
page's rows to their town, enterprise and assignee: two counts and one or two queries a page."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Select, func, not_, select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.current_deadline import RUNNING_STATUSES
from complaints.models import Report
from complaints.queries import PAGE_SIZE, Row, Scope, _base, reports_in_scope
from complaints.report_filters import ORDER, Filters, conditions

NEWEST_FIRST = (Report.received_at.desc(), Report.id.desc())
# The first part of the list: a status in which a clock runs (the rare such report without a
# current deadline, accepted again after a reopening, ends this part).
RUNNING = Report.status.in_(RUNNING_STATUSES)


async def _where(
    session: AsyncSession, scope: Scope, filters: Filters, now: datetime
) -> list[ColumnElement[bool]]:
    found = [c for c in (reports_in_scope(scope),) if c is not None]
    return found + await conditions(session, filters, now)


def _count(*where: ColumnElement[bool]) -> Select:  # type: ignore[type-arg]
    return select(func.count()).select_from(Report).where(*where)


def _part(where: list[ColumnElement[bool]], order: tuple, offset: int, limit: int) -> Select:  # type: ignore[type-arg]
    """The page's rows of one part: the ids ordered and cut over the reports table alone (its
    indexes), then their rows with town, enterprise and assignee, in the same order."""
    ids = select(Report.id).where(*where).order_by(*order).offset(offset).limit(limit).subquery()
    return _base().join(ids, ids.c.id == Report.id).order_by(*order)


async def list_reports(
    session: AsyncSession, scope: Scope, filters: Filters, now: datetime
) -> tuple[list[Row], int]:
    """One page (PAGE_SIZE) of the matching reports in the list's order, and how many match."""
    where = await _where(session, scope, filters, now)
    # Two counts, not one with a CASE: each is then a plain index count (the running part's a
    # range of the status index), where the CASE would be evaluated for every report.
    total = await session.scalar(_count(*where)) or 0
    running = (await session.scalar(_count(*where, RUNNING)) or 0) if total else 0
    offset = (filters.page - 1) * PAGE_SIZE
    rows: list[Row] = []
    if offset < running:
        first = _part([*where, RUNNING], ORDER, offset, PAGE_SIZE)
        rows += [Row(*row) for row in await session.execute(first)]
    if len(rows) < PAGE_SIZE and offset + len(rows) < total:
        skip = max(0, offset - running)
        rest = _part([*where, not_(RUNNING)], NEWEST_FIRST, skip, PAGE_SIZE - len(rows))
        rows += [Row(*row) for row in await session.execute(rest)]
    return rows, total


async def all_reports(
    session: AsyncSession, scope: Scope, filters: Filters, now: datetime
) -> list[Row]:
    """Every matching report (the export), in the list's order; `filters.page` is ignored."""
    where = await _where(session, scope, filters, now)
    return [Row(*row) for row in await session.execute(_base().where(*where).order_by(*ORDER))]
