"""The report side of the statistics: what happened to the reports received in a period
(local time), read in a few aggregate queries. The rewards' side is rewards.statistics."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, and_, case, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.feedback_rules import RATINGS, SUPERVISE, URGE
from complaints.models import Report, ReportEvent
from complaints.queries import overdue_condition
from complaints.registry_models import Town
from complaints.statistics import (
    Period,
    local_month,
    median_days,
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
    counted = {
        "received": func.count(Report.id),
        **{key: _count(Report.category == key) for key in CATEGORY_LABELS},
        "accepted": _count(Report.accepted_at.is_not(None)),
        "rejected": _count(Report.status == "rejected"),
        "transferred": _count(Report.status == "transferred"),
        "substantiated": _count(Report.finding == "substantiated"),
        "case_filed": _count(Report.case_filed.is_(True)),
        "criminal_referral": _count(Report.criminal_referral.is_(True)),
        "overdue": _count(overdue_condition(now)),
    }
    row = (await session.execute(select(*counted.values()).where(received))).one()
    figures: dict[str, object] = {
        key: int(value or 0) for key, value in zip(counted, row, strict=True)
    }
    fines = await session.scalar(select(func.sum(Report.fine)).where(received))
    figures["fines_amount"] = f"{Decimal(fines or 0):.2f}"
    moments = (
        await session.execute(
            select(Report.received_at, Report.accepted_at, Report.closed_at).where(received)
        )
    ).all()
    figures["median_days_to_accept"] = median_days(
        accepted - got for got, accepted, _ in moments if accepted is not None
    )
    figures["median_days_to_close"] = median_days(
        closed - got for got, _, closed in moments if closed is not None
    )
    months = Counter(local_month(got, tz) for got, _, _ in moments)
    figures["by_month"] = {f"{period.year}-{m:02d}": months.get(m, 0) for m in period.months}
    figures["by_town"] = await _by_town(session, received)
    channels = dict(
        (await session.execute(select(Report.channel, func.count()).where(received).group_by(
            Report.channel
        ))).all()
    )  # fmt: skip
    figures["by_channel"] = {key: channels.get(key, 0) for key in CHANNEL_LABELS}
    ratings = dict(
        (await session.execute(
            select(Report.rating, func.count())
            .where(received, Report.rating.is_not(None))
            .group_by(Report.rating)
        )).all()
    )  # fmt: skip
    figures["ratings"] = {key: ratings.get(key, 0) for key in RATINGS}
    figures["rated"] = sum(figures["ratings"].values())  # type: ignore[union-attr]
    figures["satisfaction_rate"] = satisfaction_rate(figures["ratings"])  # type: ignore[arg-type]
    for key, action in (("urged", URGE), ("supervised", SUPERVISE)):
        figures[key] = await session.scalar(
            select(func.count(distinct(ReportEvent.report_id)))
            .join(Report, Report.id == ReportEvent.report_id)
            .where(received, ReportEvent.action == action)
        )
    return figures


async def _by_town(session: AsyncSession, received) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Every town of the registry in its order, those without reports with 0."""
    counts = dict(
        (await session.execute(
            select(Report.town_id, func.count()).where(received).group_by(Report.town_id)
        )).all()
    )  # fmt: skip
    towns = await session.execute(select(Town.id, Town.name).order_by(Town.position, Town.id))
    return {name: counts.get(town_id, 0) for town_id, name in towns}
