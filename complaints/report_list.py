"""The report list (SPEC §5 `GET /api/v1/reports`, the console's `/console/reports`): the
reports in scope that pass the filters, the nearest current deadline first, 50 a page.

At 100,000 reports sorting the whole table by the current deadline is what costs, so a page is
read in two parts: the reports with a running clock (only the open statuses, a small share,
found by the status index) sorted by their deadline, then the rest by the time received (its
index read backwards). Both read ids over the reports table alone; the page's 50 rows are then
read with their town, enterprise and assignee."""

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


def _count(*where: ColumnElement[bool]) -> Select:
    return select(func.count()).select_from(Report).where(*where)


async def _page_ids(
    session: AsyncSession, where: list[ColumnElement[bool]], page: int
) -> tuple[list[int], int]:
    """The ids on this page, in order, and how many reports match."""
    total = await session.scalar(_count(*where)) or 0
    running = await session.scalar(_count(*where, RUNNING)) or 0 if total else 0
    offset = (page - 1) * PAGE_SIZE
    ids: list[int] = []
    if offset < running:
        first = select(Report.id).where(*where, RUNNING)
        first = first.order_by(*ORDER)
        ids += await session.scalars(first.limit(PAGE_SIZE).offset(offset))
    if len(ids) < PAGE_SIZE and offset + len(ids) < total:
        rest = select(Report.id).where(*where, not_(RUNNING)).order_by(*NEWEST_FIRST)
        rest = rest.limit(PAGE_SIZE - len(ids)).offset(max(0, offset - running))
        ids += await session.scalars(rest)
    return ids, total


async def list_reports(
    session: AsyncSession, scope: Scope, filters: Filters, now: datetime
) -> tuple[list[Row], int]:
    """One page (PAGE_SIZE) of the matching reports in the list's order, and how many match."""
    where = await _where(session, scope, filters, now)
    ids, total = await _page_ids(session, where, filters.page)
    if not ids:
        return [], total
    found = {
        row[0].id: Row(*row) for row in await session.execute(_base().where(Report.id.in_(ids)))
    }
    return [found[id_] for id_ in ids], total


async def all_reports(
    session: AsyncSession, scope: Scope, filters: Filters, now: datetime
) -> list[Row]:
    """Every matching report (the export), in the list's order; `filters.page` is ignored."""
    where = await _where(session, scope, filters, now)
    return [Row(*row) for row in await session.execute(_base().where(*where).order_by(*ORDER))]
