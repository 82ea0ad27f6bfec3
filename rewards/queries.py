"""Reading rewards for the staff's pages: how many stand in each status, and one status's
rewards with their report, who proposed and approved them, and when each step was taken."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.models import Report
from rewards.models import Reward, RewardEntry

PAGE_SIZE = 50


@dataclass(frozen=True)
class RewardRow:
    number: str
    category: str
    status: str
    suggested: Decimal | None
    amount: Decimal | None
    proposed_by: str | None
    proposed_at: datetime | None
    approved_by: str | None
    closed_at: datetime | None
    notified_at: datetime | None
    collect_by: datetime | None
    claimed_at: datetime | None
    paid_at: datetime | None


async def status_counts(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(select(Reward.status, func.count()).group_by(Reward.status))
    return {status: count for status, count in rows}


def _last(action: str, column):  # type: ignore[no-untyped-def]
    """The reward's latest ledger entry of `action`, as a correlated scalar."""
    return (
        select(column)
        .where(RewardEntry.reward_id == Reward.id, RewardEntry.action == action)
        .order_by(RewardEntry.id.desc())
        .limit(1)
        .scalar_subquery()
    )


async def reward_rows(
    session: AsyncSession, status: str | None, page: int = 1
) -> tuple[list[RewardRow], int]:
    """The rewards in `status` (all when None), the oldest closing first, one page; and how
    many there are."""
    query = select(
        Report.number,
        Report.category,
        Reward.status,
        Reward.suggested,
        Reward.amount,
        Reward.proposed_by,
        _last("propose", RewardEntry.at).label("proposed_at"),
        _last("approve", RewardEntry.actor).label("approved_by"),
        Reward.closed_at,
        Reward.notified_at,
        Reward.collect_by,
        Reward.claimed_at,
        Reward.paid_at,
    ).join(Report, Report.id == Reward.report_id)
    counted = select(func.count()).select_from(Reward)
    if status is not None:
        query = query.where(Reward.status == status)
        counted = counted.where(Reward.status == status)
    total = await session.scalar(counted) or 0
    rows = await session.execute(
        query.order_by(Reward.closed_at, Reward.id).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    )
    return [RewardRow(*row) for row in rows], total
