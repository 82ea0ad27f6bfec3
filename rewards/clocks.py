"""The reward clocks, run by the same rules as the reports' (complaints/reminders.py): the
decision, 20 days from closing (the dispatchers reminded 3 days and 1 day before, the leaders
too when it passes), and the collection window, 60 days from the notice (the reporter reminded 7
days and 1 day before; when it passes the reward is waived, exactly once, and finance told).

Each run first opens the reward of every report closed since the last run, then reads the
rewards whose next reminder moment has come; the reminder ledger's unique key (report, clock,
deadline, kind) lets one process record each reminder — and the waiver with it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaints.deadlines import last_day
from complaints.lifecycle import SYSTEM
from complaints.models import ReminderEntry, Report
from complaints.notices import tell_reporter
from complaints.reminders import CLOCKS, OVERDUE, Decision, due, next_moment
from complaints.staff_notices import notify_staff
from jubao.config import Settings
from jubao.db import insert_new_row
from jubao.identity import IdentityVault
from notifications.texts import render
from rewards.ledger import act, clocks, open_reward
from rewards.models import Reward

BATCH = 500
WHEN = {"before_3d": "还有3天", "before_7d": "还有7天", "before_1d": "还有1天"}


@dataclass(frozen=True)
class ClockRun:
    opened: int = 0  # rewards opened for reports closed since the last run
    sent: int = 0
    skipped: int = 0
    waived: int = 0


async def open_closed(session: AsyncSession, *, settings: Settings, now: datetime) -> int:
    """Open the reward of (at most BATCH) closed reports that have none yet, and judge again
    the ineligible ones of reports closed anew since (after a reopening)."""
    reports = await session.scalars(
        select(Report)
        .outerjoin(Reward, Reward.report_id == Report.id)
        .where(
            Report.status == "closed",
            Reward.id.is_(None)
            | (
                (Reward.status == "ineligible")
                & Reward.excluded.is_(None)
                & (Report.closed_at > Reward.closed_at)
            ),
        )
        .order_by(Report.id)
        .limit(BATCH)
    )
    opened = 0
    for report in reports:
        await open_reward(session, report, settings=settings, now=now)
        opened += 1
    return opened


async def run_clocks(
    session: AsyncSession, now: datetime, *, settings: Settings, vault: IdentityVault
) -> ClockRun:
    opened = await open_closed(session, settings=settings, now=now)
    rows = (
        await session.execute(
            select(Reward, Report)
            .join(Report, Report.id == Reward.report_id)
            .where(Reward.next_reminder_at <= now)
            .order_by(Reward.next_reminder_at, Reward.id)
            .limit(BATCH)
            .with_for_update(of=Reward, skip_locked=True)
        )
    ).all()
    done: dict[tuple[int, str, datetime], set[str]] = defaultdict(set)
    if rows:
        ledger = await session.execute(
            select(ReminderEntry.report_id, ReminderEntry.clock, ReminderEntry.deadline,
                   ReminderEntry.kind)
            .where(ReminderEntry.report_id.in_([report.id for _, report in rows]),
                   ReminderEntry.clock.in_(("reward_decision", "reward_collection")))
        )  # fmt: skip
        for report_id, clock, deadline, kind in ledger:
            done[(report_id, clock, deadline)].add(kind)
    dialect = (await session.connection()).dialect.name
    sent = skipped = waived = 0
    for reward, report in rows:
        running = clocks(reward, report.number)
        recorded = {(c.clock, c.deadline): done[(report.id, c.clock, c.deadline)] for c in running}
        for candidate in running:
            for decision in due(candidate, recorded[(candidate.clock, candidate.deadline)], now):
                recorded[(candidate.clock, candidate.deadline)].add(decision.kind)
                entry_id = await session.scalar(
                    insert_new_row(dialect, ReminderEntry.__table__),
                    {"report_id": report.id, "clock": candidate.clock,
                     "deadline": candidate.deadline, "kind": decision.kind,
                     "sent": decision.send, "at": now},
                )  # fmt: skip
                if entry_id is None:  # another process recorded it first
                    continue
                if decision.send:
                    await _remind(session, decision, entry_id, reward, report, settings, vault, now)
                    sent += 1
                else:
                    skipped += 1
                if candidate.clock == "reward_collection" and decision.kind == OVERDUE:
                    await act(session, report.number, "waive", {}, SYSTEM,
                              settings=settings, vault=vault, now=now)  # fmt: skip
                    waived += 1
        reward.next_reminder_at = next_moment(clocks(reward, report.number), recorded)
    await session.flush()
    return ClockRun(opened, sent, skipped, waived)


async def _remind(
    session: AsyncSession,
    decision: Decision,
    entry_id: int,
    reward: Reward,
    report: Report,
    settings: Settings,
    vault: IdentityVault,
    now: datetime,
) -> None:
    candidate = decision.candidate
    deadline = last_day(candidate.deadline, settings.tz)
    amount = f"{reward.amount:.2f}" if reward.amount is not None else ""
    for audience in decision.audiences():
        if audience == "reporter":
            if decision.kind == OVERDUE:
                continue  # the waiver tells him
            text = render(
                "reward_collect_reminder.txt.j2",
                number=report.number,
                amount=amount,
                deadline=deadline,
                anonymous=report.anonymous,
            )
            await tell_reporter(
                session, report, key=f"reminder:{entry_id}:reporter", title="举报奖励领取提醒",
                text=text, settings=settings, vault=vault, now=now,
            )  # fmt: skip
            continue
        await notify_staff(
            session,
            audience,
            f"reminder:{entry_id}:{audience}",
            "reward_reminder.txt.j2",
            vault=vault,
            now=now,
            clock=CLOCKS[candidate.clock].label,
            number=report.number,
            overdue=decision.kind == OVERDUE,
            deadline=deadline,
            when=WHEN.get(decision.kind, ""),
            amount=amount or (f"{reward.suggested:.2f}" if reward.suggested is not None else ""),
            url=f"{settings.public_url.rstrip('/')}/console/rewards",
        )


async def run_clocks_once(
    sessions: async_sessionmaker[AsyncSession],
    now: datetime,
    *,
    settings: Settings,
    vault: IdentityVault,
) -> ClockRun:
    async with sessions.begin() as session:
        return await run_clocks(session, now, settings=settings, vault=vault)
