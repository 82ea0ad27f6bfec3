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

from sqlalchemy import Select, literal, select, tuple_, update
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
from complaints.staff_notices import GROUP, ROLES, notify_staff, staff_wework_ids
from complaints.vocabulary import CATEGORY_LABELS
from jubao.config import Settings
from jubao.db import insert_new_row
from jubao.identity import IdentityVault

WHEN = {"before_3d": "还有3天", "before_7d": "还有7天", "before_1d": "还有1天"}
log = logging.getLogger(__name__)
BATCH = 500  # reports per transaction when a sweep has many to do (the first after a holiday)


Key = tuple[datetime, int]  # a report's place in the sweep's order: (next_reminder_at, id)


@dataclass(frozen=True)
class SweepReport:
    sent: int
    skipped: int
    examined: int = 0  # reports whose moment had come
    failed: int = 0  # of those, left due after an error (logged), to be tried next time
    last: Key | None = None  # the last report examined: the next batch starts after it

    def __add__(self, other: SweepReport) -> SweepReport:
        return SweepReport(
            self.sent + other.sent,
            self.skipped + other.skipped,
            self.examined + other.examined,
            self.failed + other.failed,
            other.last or self.last,
        )


class ReportFailed(Exception):
    """Recording one report's reminders failed: the transaction is lost and is done again
    without that report."""

    def __init__(self, key: Key) -> None:
        super().__init__(f"report id {key[1]}")
        self.key = key


def due_query(
    now: datetime,
    limit: int | None = None,
    after: Key | None = None,
    excluded: Collection[int] = (),
) -> Select[tuple[Report, str, Officer]]:
    """Reports whose next reminder moment has come, earliest first, with town and assignee:
    a range of the next_reminder_at index, so its cost follows what is due, not the table.
    `after` continues a run where its last batch ended; `excluded` (a batch's worth at most)
    leaves out reports that failed in the batch being done again. Locked on PostgreSQL (FOR NO
    KEY UPDATE: evidence and timeline rows may still be added meanwhile), skipping the rows
    another sweep or an action holds."""
    query = (
        select(Report, Town.name, Officer)
        .join(Town, Town.id == Report.town_id)
        .outerjoin(Officer, Officer.id == Report.assignee_id)
        .where(Report.next_reminder_at <= now)
        .order_by(Report.next_reminder_at, Report.id)
        .with_for_update(of=Report, skip_locked=True, key_share=True)
    )
    if after is not None:
        moment, report_id = after  # bound with the columns' types (UTC text on SQLite)
        query = query.where(
            tuple_(Report.next_reminder_at, Report.id)
            > tuple_(
                literal(moment, Report.next_reminder_at.type), literal(report_id, Report.id.type)
            )
        )
    if excluded:
        query = query.where(Report.id.not_in(excluded))
    return query if limit is None else query.limit(limit)


async def due_reports(
    session: AsyncSession,
    now: datetime,
    limit: int | None = None,
    after: Key | None = None,
    excluded: Collection[int] = (),
) -> list[tuple[Report, str, Officer | None]]:
    query = due_query(now, limit, after, excluded)
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
    after: Key | None = None,
    excluded: Collection[int] = (),
) -> SweepReport:
    """Record and queue the reminders due at `now` for (at most `limit`) reports; raises
    ReportFailed, naming the report, when one of them cannot be done."""
    rows = await due_reports(session, now, limit, after, excluded)
    # Keys as found (the bulk update below refreshes the loaded reports).
    keys = [(report.next_reminder_at, report.id) for report, _, _ in rows]
    ledger = await _ledger(session, [report.id for report, _, _ in rows])
    sweeping = _Sweeping(session, (await session.connection()).dialect.name, settings, vault, now)
    moments: list[dict[str, object]] = []
    sent = skipped = 0
    for row, key in zip(rows, keys, strict=True):
        try:
            moment, row_sent, row_skipped = await sweeping.report(row, ledger)
        except Exception as error:
            raise ReportFailed(key) from error
        sent, skipped = sent + row_sent, skipped + row_skipped
        moments.append({"id": row[0].id, "next_reminder_at": moment})
    if moments:  # one executemany, not an UPDATE per report
        await session.execute(update(Report), moments)
    return SweepReport(sent, skipped, len(rows), 0, keys[-1] if keys else None)


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

    async def wework_ids(self, audience: str, officer: Officer | None) -> list[str]:
        """Who in WeChat Work gets a reminder for `audience`: the assignee, or everyone in a
        role (looked up once a batch)."""
        if audience == "officer":
            return [officer.wework_id] if officer and officer.wework_id else []
        if audience not in self.staff:
            self.staff[audience] = await staff_wework_ids(self.session, ROLES[audience])
        return self.staff[audience]

    async def remind(
        self, decision: Decision, entry_id: int, row: tuple[Report, str, Officer | None]
    ) -> None:
        c, (report, town, officer), settings = decision.candidate, row, self.settings
        facts = dict(
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
            if audience == "reporter":  # reward collection, wired with rewards
                continue
            await notify_staff(
                self.session,
                GROUP if audience == GROUP else await self.wework_ids(audience, officer),
                f"reminder:{entry_id}:{audience}",
                "reminder.txt.j2",
                vault=self.vault,
                now=self.now,
                **facts,
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
    halfway: each committed batch stands, and the rest are still due next time.

    A report that fails (a bug, bad data) loses its batch's transaction; the batch is done
    again without it, and it stays due, to be tried at the next run, holding up no other
    report. A run whose every report fails stops at its first batch."""
    total, after = SweepReport(0, 0), None
    while True:
        failed: list[Key] = []
        while True:
            try:
                async with sessions.begin() as session:
                    part = await sweep(
                        session,
                        now,
                        settings=settings,
                        vault=vault,
                        limit=batch,
                        after=after,
                        excluded=[report_id for _, report_id in failed],
                    )
                break
            except ReportFailed as failure:
                log.exception("reminder sweep: %s failed; it is tried again next time", failure)
                failed.append(failure.key)
                if len(failed) >= batch:
                    log.error("reminder sweep: a whole batch failed; the run stops here")
                    return total + SweepReport(0, 0, len(failed), len(failed))
        total += SweepReport(part.sent, part.skipped, part.examined, len(failed))
        if part.examined + len(failed) < batch:
            return total
        after = max(key for key in (part.last, *failed) if key is not None)
