"""The report side of the statistics: what happened to the reports received in a period
(local time), read in a few aggregate queries. The rewards' side is rewards.statistics.

A province's year is a few hundred thousand reports, so nothing here reads them row by row:
one query counts everything for each town, channel and rating, the months are counted from the
index by their bounds in UTC, and each median reads only its middle row or two, the database
sorting the spans (bench: `python -m bench --only d`, 1 M reports)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Integer, and_, case, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from complaints.feedback_rules import RATINGS, SUPERVISE, URGE
from complaints.models import Report, ReportEvent
from complaints.queries import overdue_condition
from complaints.registry_models import Town
from complaints.statistics import (
    Period,
    median_days,
    middle,
    satisfaction_rate,
)
from complaints.vocabulary import CATEGORY_LABELS, CHANNEL_LABELS


def _count(condition) -> object:  # type: ignore[no-untyped-def]
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0).cast(Integer)


def _received_in(start: datetime, end: datetime):  # type: ignore[no-untyped-def]
    return and_(Report.received_at >= start, Report.received_at < end)


async def report_figures(
    session: AsyncSession, period: Period, tz: ZoneInfo, now: datetime
) -> dict[str, object]:
    """Counts, medians and breakdowns of the reports received in the period."""
    start, end = period.bounds(tz)
    received = _received_in(start, end)
    months = period.month_bounds(tz)
    counted = {
        "received": func.count(Report.id),
        **{key: _count(Report.category == key) for key in CATEGORY_LABELS},
        "accepted": _count(Report.accepted_at.is_not(None)),
        "closed": _count(Report.closed_at.is_not(None)),
        "rejected": _count(Report.status == "rejected"),
        "transferred": _count(Report.status == "transferred"),
        "substantiated": _count(Report.finding == "substantiated"),
        "case_filed": _count(Report.case_filed.is_(True)),
        "criminal_referral": _count(Report.criminal_referral.is_(True)),
        "overdue": _count(overdue_condition(now)),
    }
    groups = (Report.town_id, Report.channel, Report.rating)
    totals: Counter[str] = Counter()
    towns: Counter[int | None] = Counter()
    channels: Counter[str] = Counter()
    ratings: Counter[str] = Counter()
    fines = Decimal(0)
    grouped = await session.execute(
        select(*groups, *counted.values(), func.sum(Report.fine)).where(received).group_by(*groups)
    )
    for town_id, channel, rating, *values, fine in grouped:
        totals.update({key: int(value or 0) for key, value in zip(counted, values, strict=True)})
        count = int(values[0])
        towns[town_id] += count
        channels[channel] += count
        if rating is not None:
            ratings[rating] += count
        fines += Decimal(fine or 0)
    # "closed" only sizes the median below; it is not a figure of its own
    figures: dict[str, object] = {key: totals[key] for key in counted if key != "closed"}
    figures["fines_amount"] = f"{fines:.2f}"
    figures["median_days_to_accept"] = await _median_days(
        session, received, Report.accepted_at, totals["accepted"]
    )
    figures["median_days_to_close"] = await _median_days(
        session, received, Report.closed_at, totals["closed"]
    )
    figures["by_month"] = await _by_month(session, period, months)
    names = await session.execute(select(Town.id, Town.name).order_by(Town.position, Town.id))
    figures["by_town"] = {name: towns.get(town_id, 0) for town_id, name in names}
    figures["by_channel"] = {key: channels.get(key, 0) for key in CHANNEL_LABELS}
    figures["ratings"] = {key: ratings.get(key, 0) for key in RATINGS}
    figures["rated"] = sum(ratings.values())
    figures["satisfaction_rate"] = satisfaction_rate(figures["ratings"])  # type: ignore[arg-type]
    for key, action in (("urged", URGE), ("supervised", SUPERVISE)):
        figures[key] = await session.scalar(
            select(func.count(distinct(ReportEvent.report_id)))
            .join(Report, Report.id == ReportEvent.report_id)
            .where(received, ReportEvent.action == action)
        )
    return figures


async def _by_month(
    session: AsyncSession, period: Period, months: list[tuple[int, datetime, datetime]]
) -> dict[str, int]:
    """Reports received in each local month: one count per month in one statement, each read
    from the received_at index alone (as CASEs in the counting query they cost a quarter of
    it on SQLite)."""
    counts = [
        select(func.count()).select_from(Report).where(_received_in(a, b)).scalar_subquery()
        for _, a, b in months
    ]
    row = (await session.execute(select(*counts))).one()
    return {f"{period.year}-{m:02d}": int(n) for (m, _, _), n in zip(months, row, strict=True)}


async def _median_days(
    session: AsyncSession,
    received: ColumnElement[bool],
    moment: InstrumentedAttribute[datetime | None],
    count: int,
) -> float | None:
    """The median of (moment - received_at) over the `count` reports that have the moment:
    the database sorts the spans, only the middle one or two rows are read, and their spans
    are taken exactly in Python."""
    if count == 0:
        return None
    offset, limit = middle(count)
    span = _days_between(session, moment, Report.received_at)
    rows = await session.execute(
        select(Report.received_at, moment)
        .where(received, moment.is_not(None))
        .order_by(span)
        .offset(offset)
        .limit(limit)
    )
    return median_days(later - got for got, later in rows if later is not None)


def _days_between(
    session: AsyncSession,
    later: InstrumentedAttribute[datetime | None],
    earlier: InstrumentedAttribute[datetime],
) -> ColumnElement[timedelta | float]:
    """A sortable span between two moments (SQLite keeps them as text: julian days)."""
    if session.get_bind().dialect.name == "sqlite":
        return func.julianday(later) - func.julianday(earlier)
    return later - earlier  # type: ignore[return-value]
