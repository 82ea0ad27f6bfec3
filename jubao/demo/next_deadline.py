"""The next deadline after a moment, across every report's running clocks and every reward's:
what the demo clock's 「跳到下一个期限」 jumps past and what its status line names.

The query reads, for each clock and each status it runs in, the one report with the earliest
deadline after `now` (a range of the (status, deadline) index: ix_reports_status_accept_by and
its siblings), and the earliest running reward of each reward clock (ix_rewards_status); the
pure `earliest_after` then decides over those rows' running clocks as the reminder rules read
them (`reminders.running_clocks`, `rewards.ledger.clocks`), so it cannot disagree with the
sweep about which clocks run."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.models import Report
from complaints.reminders import CLOCKS, RUNS, Candidate, running_clocks
from rewards.flow import RewardStatus
from rewards.ledger import OPEN, clocks
from rewards.models import Reward


@dataclass(frozen=True)
class Deadline:
    number: str  # the report's number (a reward's deadline names its report)
    clock: str  # a complaints.reminders.CLOCKS key: accept, ack, handle, …, reward_collection
    at: datetime  # UTC: the moment the clock runs out (24:00 local of its last day)

    @property
    def kind(self) -> str:
        """The clock's name as staff say it: 受理告知, 分派确认, 办结, 结果告知, 复查, 奖励决定,
        奖励领取."""
        return CLOCKS[self.clock].label


def earliest_after(candidates: Iterable[Candidate], now: datetime) -> Deadline | None:
    """The running clock that runs out first after `now` (ties: the smaller report number);
    None when none runs out after it."""
    ahead = [c for c in candidates if c.deadline > now]
    first = min(ahead, key=lambda c: (c.deadline, c.number), default=None)
    return None if first is None else Deadline(first.number, first.clock, first.deadline)


def report_queries(now: datetime) -> list[Select[tuple[Report]]]:
    """One query per (clock, status it runs in): the report in that status whose deadline on
    that clock is the earliest after `now`."""
    queries = []
    for runs in RUNS.values():
        column = getattr(Report, runs.deadline)
        for status in runs.statuses:
            query = select(Report).where(Report.status == status, column > now)
            if runs.reopened is not None:
                reopened = Report.reopened_at.is_not(None)
                query = query.where(reopened if runs.reopened else ~reopened)
            queries.append(query.order_by(column, Report.id).limit(1))
    return queries


def reward_queries(now: datetime) -> list[Select[tuple[Reward, str]]]:
    """The running reward (with its report's number) whose decision, and the one whose
    collection window, ends first after `now`."""
    running = (
        (Reward.decide_by, Reward.status.in_(OPEN)),
        (Reward.collect_by, Reward.status == RewardStatus.NOTIFIED),
    )
    return [
        select(Reward, Report.number)
        .join(Report, Report.id == Reward.report_id)
        .where(runs, column > now)
        .order_by(column, Reward.id)
        .limit(1)
        for column, runs in running
    ]


async def next_deadline(session: AsyncSession, now: datetime) -> Deadline | None:
    """The first deadline after `now` of any open report or running reward clock."""
    candidates: list[Candidate] = []
    for query in report_queries(now):
        for report in await session.scalars(query):
            candidates += running_clocks(report)
    for query in reward_queries(now):
        for reward, number in await session.execute(query):
            candidates += clocks(reward, number)
    return earliest_after(candidates, now)
