"""The reminder sweep: an indexed query finds the reports whose next reminder moment has
come (`reports.next_reminder_at`), the pure `reminders.due` decides, the ledger records each
reminder once (its unique key settles races between processes), the messages go to the outbox
in the same transaction, and each report's next moment is set from the ledger."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, select, true, update
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
from notifications.models import insert_new_row
from notifications.texts import render

WHEN = {"before_3d": "还有3天", "before_7d": "还有7天", "before_1d": "还有1天"}
log = logging.getLogger(__name__)
BATCH = 500  # reports per transaction when a sweep has many to do (the first after a holiday)


@dataclass(frozen=True)
class SweepReport:
    sent: int
    skipped: int
    examined: int = 0  # reports whose moment had come
    failed: tuple[int, ...] = ()  # ids of those left due after an error (logged)

    def __add__(self, other: SweepReport) -> SweepReport:
        return SweepReport(
            self.sent + other.sent,
            self.skipped + other.skipped,
            self.examined + other.examined,
            self.failed + other.failed,
        )


def due_query(
    now: datetime, limit: int | None = None, passed_over: Collection[int] = ()
) -> Select[tuple[Report, str, Officer]]:
    """Reports whose next reminder moment has come, earliest first, with town and assignee:
    a range of the next_reminder_at index, so its cost follows what is due, not the table.
    Locked on PostgreSQL (FOR NO KEY UPDATE: evidence and timeline rows may still be added to
    them meanwhile), skipping the rows another sweep or an action holds."""
    query = (
        select(Report, Town.name, Officer)
        .join(Town, Town.id == Report.town_id)
        .outerjoin(Officer, Officer.id == Report.assignee_id)
        .where(Report.next_reminder_at <= now)
        .where(Report.id.not_in(passed_over) if passed_over else true())
        .order_by(Report.next_reminder_at, Report.id)
        .with_for_update(of=Report, skip_locked=True, key_share=True)
    )
    return query if limit is None else query.limit(limit)


async def due_reports(
    session: AsyncSession,
    now: datetime,
    limit: int | None = None,
    passed_over: Collection[int] = (),
) -> list[tuple[Report, str, Officer | None]]:
    query = due_query(now, limit, passed_over)
    return [tuple(row) for row in await session.execute(query)]  # type: ignore[misc]


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
    passed_over: Collection[int] = (),
) -> SweepReport:
    """Record and queue the reminders due at `now` for (at most `limit`) reports, but those
    `passed_over` (failed earlier in this run)."""
    rows = await due_reports(session, now, limit, passed_over)
    ledger = await _ledger(session, [report.id for report, _, _ in rows])
    sweeping = _Sweeping(session, (await session.connection()).dialect.name, settings, vault, now)
    moments: list[dict[str, object]] = []
    failed: list[int] = []
    total_sent = total_skipped = 0
    for row in rows:
        # A savepoint each: a report that fails (a bug, bad data) is logged and left due, to be
        # tried again next time, and holds up no other report's reminders.
        try:
            async with session.begin_nested():
                moment, sent, skipped = await sweeping.report(row, ledger)
        except Exception:
            log.exception("reminder sweep: report id %s failed; tried again next time", row[0].id)
            failed.append(row[0].id)
            continue
        total_sent, total_skipped = total_sent + sent, total_skipped + skipped
        moments.append({"id": row[0].id, "next_reminder_at": moment})
    if moments:  # one executemany, not an UPDATE per report
        await session.execute(update(Report), moments)
    return SweepReport(total_sent, total_skipped, len(rows), tuple(failed))


@dataclass
class _Sweeping:
    session: AsyncSession
    dialect: str
    settings: Settings
    vault: IdentityVault
    now: datetime
    staff: dict[str, list[str]] = field(default_factory=dict)  # wework_ids by audience

    async def report(
        self,
        row: tuple[Report, str, Officer | None],
        ledger: dict[tuple[int, str, datetime], set[str]],
    ) -> tuple[datetime | None, int, int]:
        """Record and queue the report's due reminders; its next moment, how many were sent
        and how many recorded skipped."""
        report, sent, skipped = row[0], 0, 0
        running = running_clocks(report)
        recorded = {
            (c.clock, c.deadline): ledger[(report.id, c.clock, c.deadline)] for c in running
        }
        for candidate in running:
            done = recorded[(candidate.clock, candidate.deadline)]
            for decision in due(candidate, done, self.now):
                done.add(decision.kind)
                entry_id = await self.session.scalar(
                    insert_new_row(self.dialect, ReminderEntry.__table__),
                    {
                        "report_id": report.id,
                        "clock": candidate.clock,
                        "deadline": candidate.deadline,
                        "kind": decision.kind,
                        "sent": decision.send,
                        "at": self.now,
                    },
                )
                if entry_id is None:  # another sweep recorded it first
                    continue
                if decision.send:
                    await self.remind(decision, entry_id, row)
                    sent += 1
                else:
                    skipped += 1
        return next_moment(running, recorded), sent, skipped

    async def recipients(self, audience: str) -> list[str]:
        roles = {"dispatchers": "dispatcher", "leaders": "leader", "finance": "finance"}
        if audience not in self.staff:
            self.staff[audience] = await staff_wework_ids(self.session, roles[audience])
        return self.staff[audience]

    async def remind(
        self, decision: Decision, entry_id: int, row: tuple[Report, str, Officer | None]
    ) -> None:
        c, (report, town, officer), settings = decision.candidate, row, self.settings
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
        for audience in decision.audiences():
            channel, recipients = Channel.WORK_APP, []
            if audience == "group":
                channel, recipients = Channel.WORK_GROUP, [""]
            elif audience == "officer":
                recipients = [officer.wework_id] if officer else []
            elif audience != "reporter":  # the reporter: reward collection, wired with rewards
                recipients = await self.recipients(audience)
            if recipients:
                await outbox.put(
                    self.session,
                    key=f"reminder:{entry_id}:{audience}",
                    channel=channel,
                    recipient="|".join(recipients) or None,
                    text=text,
                    vault=self.vault,
                    now=self.now,
                )


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
            part = await sweep(
                session, now, settings=settings, vault=vault, limit=batch, passed_over=total.failed
            )
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
