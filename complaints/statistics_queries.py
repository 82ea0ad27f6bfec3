"""The report side of the statistics: what happened to the reports received in a period
(local time), read in a few aggregate queries. The rewards' side is rewards.statistics.

A province's year is a few hundred thousand reports, so nothing here reads them row by row:
one query counts everything, and an index of (received_at, accepted_at, closed_at, town_id,
channel, rating) gives the rest without reading the reports: the breakdowns by town, channel
and rating, the months (counted by their bounds in UTC), and for each median a count of the
spans by whole days, after which only the one or two days' reports around the middle are
sorted (bench: `python -m bench --only d`, 1 M reports)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Float, Integer, and_, case, cast, distinct, func, select
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
    middle_days,
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
    *values, fines = (
        await session.execute(select(*counted.values(), func.sum(Report.fine)).where(received))
    ).one()
    totals = {key: int(value or 0) for key, value in zip(counted, values, strict=True)}
    # "closed" only sizes the median below; it is not a figure of its own
    figures: dict[str, object] = {key: totals[key] for key in counted if key != "closed"}
    figures["fines_amount"] = f"{Decimal(fines or 0):.2f}"
    figures["median_days_to_accept"] = await _median_days(
        session, received, Report.accepted_at, totals["accepted"]
    )
    figures["median_days_to_close"] = await _median_days(
        session, received, Report.closed_at, totals["closed"]
    )
    figures["by_month"] = await _by_month(session, period, months)
    towns, channels, ratings = await _breakdown(session, received)
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


async def _breakdown(
    session: AsyncSession, received: ColumnElement[bool]
) -> tuple[Counter[int], Counter[str], Counter[str]]:
    """The period's reports by town, by channel and by rating, counted from the statistics'
    index alone (grouped in the counting query, SQLite's sort of every report's figures cost
    it a third)."""
    groups = (Report.town_id, Report.channel, Report.rating)
    towns: Counter[int] = Counter()
    channels: Counter[str] = Counter()
    ratings: Counter[str] = Counter()
    rows = await session.execute(select(*groups, func.count()).where(received).group_by(*groups))
    for town_id, channel, rating, count in rows:
        towns[town_id] += count
        channels[channel] += count
        if rating is not None:
            ratings[rating] += count
    return towns, channels, ratings


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
    """The median of (moment - received_at) over the `count` reports that have the moment.
    A histogram by whole days, read from the (received_at, accepted_at, closed_at) index alone,
    says which days hold the middle row or two; only those days' reports are sorted, and the
    middle rows' spans are taken exactly in Python."""
    if count == 0:
        return None
    offset, limit = middle(count)
    span = _days_between(session, moment, Report.received_at)
    day = _whole_days(session, span)
    has_moment = (received, moment.is_not(None))
    histogram = await session.execute(
        select(day, func.count()).where(*has_moment).group_by(day).order_by(day)
    )
    first, last, skipped = middle_days(((d, n) for d, n in histogram), offset, limit)
    rows = await session.execute(
        select(Report.received_at, moment)
        .where(*has_moment, day.between(first, last))
        .order_by(span)
        .offset(offset - skipped)
        .limit(limit)
    )
    return median_days(later - got for got, later in rows if later is not None)


def _days_between(
    session: AsyncSession,
    later: InstrumentedAttribute[datetime | None],
    earlier: InstrumentedAttribute[datetime],
) -> ColumnElement[timedelta | float]:
    """A sortable span between two moments (SQLite keeps them as text: julian days)."""
    if _on_sqlite(session):
        return func.julianday(later) - func.julianday(earlier)
    return later - earlier  # type: ignore[return-value]


def _whole_days(
    session: AsyncSession, span: ColumnElement[timedelta | float]
) -> ColumnElement[int]:
    """The span's whole days, rising with the span (so a day's reports are contiguous in its
    order): SQLite truncates its julian days, PostgreSQL floors the interval's seconds."""
    if _on_sqlite(session):
        return cast(span, Integer)
    seconds = func.date_part("epoch", span, type_=Float)  # a float: numeric division is slower
    return cast(func.floor(seconds / 86400), Integer)


def _on_sqlite(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "sqlite"
