"""The whole statistics of a period: the reports' figures (complaints.statistics_queries) and
their rewards' (here, the domain layer that sees both), with the sentence. One function serves
`jubao stats`, `GET /api/v1/stats` and the console."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.models import Report
from complaints.statistics import Period, sentence
from complaints.statistics_queries import report_figures
from rewards.flow import RewardAction
from rewards.models import Reward, RewardEntry

# The keys of SPEC §11 "Operations", first and in this order; the breakdowns follow.
KEYS = (
    "received", "injury", "hazard", "concealed", "violation", "accepted", "rejected",
    "transferred", "substantiated", "case_filed", "criminal_referral", "rewards_paid",
    "rewards_paid_amount", "median_days_to_accept", "median_days_to_close", "overdue",
)  # fmt: skip


def _yuan(amount: Decimal | None) -> str:
    return f"{Decimal(amount or 0):.2f}"


async def reward_figures(
    session: AsyncSession, start: datetime, end: datetime
) -> dict[str, object]:
    """Rewards of the reports received in [start, end): proposed (a proposal was entered, at
    the amount standing now) and paid (the payment entry, at its amount)."""
    received = and_(Report.received_at >= start, Report.received_at < end)
    proposed = select(RewardEntry.reward_id).where(RewardEntry.action == RewardAction.PROPOSE.value)
    proposed_count, proposed_amount = (
        await session.execute(
            select(func.count(Reward.id), func.sum(Reward.amount))
            .join(Report, Report.id == Reward.report_id)
            .where(received, Reward.id.in_(proposed))
        )
    ).one()
    paid_count, paid_amount = (
        await session.execute(
            select(func.count(RewardEntry.id), func.sum(RewardEntry.amount))
            .join(Reward, Reward.id == RewardEntry.reward_id)
            .join(Report, Report.id == Reward.report_id)
            .where(received, RewardEntry.action == RewardAction.PAY.value)
        )
    ).one()
    return {
        "rewards_proposed": int(proposed_count or 0),
        "rewards_proposed_amount": _yuan(proposed_amount),
        "rewards_paid": int(paid_count or 0),
        "rewards_paid_amount": _yuan(paid_amount),
    }


async def period_statistics(
    session: AsyncSession, period: Period, tz: ZoneInfo, now: datetime
) -> dict[str, object]:
    """The statistics as the API answers them: the period, the sentence, the SPEC's keys,
    then the breakdowns (by_town, by_channel, by_month, ratings, …)."""
    start, end = period.bounds(tz)
    figures = await report_figures(session, period, tz, now)
    figures.update(await reward_figures(session, start, end))
    last_day = (end.astimezone(tz) - timedelta(days=1)).date()
    head: dict[str, object] = {
        "year": period.year,
        "quarter": period.quarter,
        "from": start.astimezone(tz).date().isoformat(),
        "to": last_day.isoformat(),
        "sentence": sentence(figures),
    }
    ordered = {key: figures[key] for key in KEYS}
    rest = {key: value for key, value in figures.items() if key not in ordered}
    return head | ordered | rest
