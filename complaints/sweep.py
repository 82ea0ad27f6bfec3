"""The reminder sweep: an indexed query finds the reports whose next reminder moment has
come (`reports.next_reminder_at`), the pure `reminders.due` decides, the ledger records each
reminder once (its unique key settles races between processes), the messages go to the outbox
in the same transaction, and each report's next moment is set from the ledger."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaints.deadlines import last_day
from complaints.models import ReminderEntry, Report
from complaints.registry_models import Officer, Town
from complaints.reminders import (
    CLOCKS,
    OVERDUE,
    Decision,
    due,
    next_moment,
    running_clocks,
)
from complaints.vocabulary import CATEGORY_LABELS
from jubao.auth import User
from jubao.config import Settings
from jubao.identity import IdentityVault
from notifications import outbox
from notifications.channels import Channel
from notifications.models import insert_ignoring_conflicts
from notifications.texts import render

WHEN = {"before_3d": "还有3天", "before_7d": "还有7天", "before_1d": "还有1天"}
BATCH = 500  # reports per transaction when a sweep has many to do (the first after a holiday)


@dataclass(frozen=True)
class SweepReport:
    sent: int
    skipped: int
    examined: int = 0  # reports whose moment had come

    def __add__(self, other: SweepReport) -> SweepReport:
        return SweepReport(
            self.sent + other.sent, self.skipped + other.skipped, self.examined + other.examined
        )


def due_query(now: datetime, limit: int | None = None) -> Select[tuple[Report, str, Officer]]:
    """Reports whose next reminder moment has come, earliest first, with town and assignee:
    a range of the next_reminder_at index, so its cost follows what is due, not the table.
    Locked on PostgreSQL, skipping the rows another sweep holds."""
    query = (
        select(Report, Town.name, Officer)
        .join(Town, Town.id == Report.town_id)
        .outerjoin(Officer, Officer.id == Report.assignee_id)
        .where(Report.next_reminder_at <= now)
        .order_by(Report.next_reminder_at, Report.id)
        .with_for_update(of=Report, skip_locked=True)
    )
    return query if limit is None else query.limit(limit)


async def due_reports(
    session: AsyncSession, now: datetime, limit: int | None = None
) -> list[tuple[Report, str, Officer | None]]:
    return [tuple(row) for row in await session.execute(due_query(now, limit))]  # type: ignore[misc]


async def _ledger(
    session: AsyncSession, report_ids: list[int]
) -> dict[tuple[int, str, datetime], set[str]]:
    done: dict[tuple[int, str, datetime], set[str]] = defaultdict(set)
    for start in range(0, len(report_ids), 500):
        rows = await session.execute(
            select(
                ReminderEntry.report_id,
                ReminderEntry.clock,
                ReminderEntry.deadline,
                ReminderEntry.kind,
            ).where(ReminderEntry.report_id.in_(report_ids[start : start + 500]))
        )
        for report_id, clock, deadline, kind in rows:
            done[(report_id, clock, deadline)].add(kind)
    return done


async def sweep(
    session: AsyncSession,
    now: datetime,
    *,
    settings: Settings,
    vault: IdentityVault,
    limit: int | None = None,
) -> SweepReport:
    """Record and queue the reminders due at `now` for (at most `limit`) reports."""
    rows = await due_reports(session, now, limit)
    ledger = await _ledger(session, [report.id for report, _, _ in rows])
    dialect = (await session.connection()).dialect.name
    staff: dict[str, list[str]] = {}
    sent = skipped = 0
    for report, town, officer in rows:
        running = running_clocks(report)
        recorded = {
            (c.clock, c.deadline): ledger[(report.id, c.clock, c.deadline)] for c in running
        }
        for candidate in running:
            for decision in due(candidate, recorded[(candidate.clock, candidate.deadline)], now):
                recorded[(candidate.clock, candidate.deadline)].add(decision.kind)
                entry_id = await session.scalar(
                    insert_ignoring_conflicts(dialect, ReminderEntry.__table__)
                    .values(
                        report_id=report.id,
                        clock=candidate.clock,
                        deadline=candidate.deadline,
                        kind=decision.kind,
                        sent=decision.send,
                        at=now,
                    )
                    .returning(ReminderEntry.id)
                )
                if entry_id is None:  # another sweep recorded it first
                    continue
                if not decision.send:
                    skipped += 1
                    continue
                await _remind(
                    session,
                    decision,
                    entry_id,
                    (report, town, officer),
                    staff,
                    settings=settings,
                    vault=vault,
                    now=now,
                )
                sent += 1
        report.next_reminder_at = next_moment(running, recorded)
    return SweepReport(sent, skipped, len(rows))


async def sweep_in_batches(
    sessions: async_sessionmaker[AsyncSession],
    now: datetime,
    *,
    settings: Settings,
    vault: IdentityVault,
    batch: int = BATCH,
) -> SweepReport:
    """The whole sweep as a series of transactions of at most `batch` reports each, so a
    burst (many deadlines at one midnight) neither holds one long transaction nor is lost
    halfway: each committed batch stands, and the rest are still due next time."""
    total = SweepReport(0, 0)
    while True:
        async with sessions.begin() as session:
            part = await sweep(session, now, settings=settings, vault=vault, limit=batch)
        total += part
        if part.examined < batch:
            return total


async def staff_wework_ids(session: AsyncSession, role: str) -> list[str]:
    rows = await session.scalars(
        select(User.wework_id)
        .where(User.role == role, User.wework_id.is_not(None))
        .order_by(User.wework_id)
    )
    return list(rows)


async def _remind(
    session: AsyncSession,
    decision: Decision,
    entry_id: int,
    row: tuple[Report, str, Officer | None],
    staff: dict[str, list[str]],
    *,
    settings: Settings,
    vault: IdentityVault,
    now: datetime,
) -> None:
    c = decision.candidate
    report, town, officer = row
    text = render(
        "reminder.txt.j2",
        clock=CLOCKS[c.clock].label,
        number=c.number,
        urgent=report.urgent,
        overdue=decision.kind == OVERDUE,
        deadline=last_day(c.deadline, settings.tz),
        when=WHEN.get(decision.kind, ""),
        category=CATEGORY_LABELS[report.category],
        town=town,
        assignee=officer.name if officer else "未分派",
        url=f"{settings.public_url.rstrip('/')}/console/reports/{c.number}",
    )
    roles = {"dispatchers": "dispatcher", "leaders": "leader", "finance": "finance"}
    for audience in decision.audiences():
        key = f"reminder:{entry_id}:{audience}"
        if audience == "group":
            await outbox.put(
                session,
                key=key,
                channel=Channel.WORK_GROUP,
                recipient=None,
                text=text,
                vault=vault,
                now=now,
            )
            continue
        if audience == "officer":
            recipients = [officer.wework_id] if officer else []
        elif audience in roles:
            if audience not in staff:
                staff[audience] = await staff_wework_ids(session, roles[audience])
            recipients = staff[audience]
        else:  # the reporter: reward collection, wired with rewards
            continue
        if recipients:
            await outbox.put(
                session,
                key=key,
                channel=Channel.WORK_APP,
                recipient="|".join(recipients),
                text=text,
                vault=vault,
                now=now,
            )
