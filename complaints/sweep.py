"""The reminder sweep: an indexed query finds the deadlines with reminders pending, the pure
`reminders.due` decides, the ledger records each reminder once (its unique key settles races
between processes), and the messages go to the outbox in the same transaction."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.deadlines import last_day
from complaints.models import ReminderEntry, Report
from complaints.queries import CLOCK_COLUMNS
from complaints.registry_models import Officer, Town
from complaints.reminders import CLOCKS, HORIZON, OVERDUE, Candidate, Decision, due
from complaints.vocabulary import CATEGORY_LABELS
from jubao.auth import User
from jubao.config import Settings
from jubao.identity import IdentityVault
from notifications import outbox
from notifications.channels import Channel
from notifications.models import insert_ignoring_conflicts
from notifications.texts import render

WHEN = {"before_3d": "还有3天", "before_7d": "还有7天", "before_1d": "还有1天"}


@dataclass(frozen=True)
class SweepReport:
    sent: int
    skipped: int


def _pending(clock: str, condition: ColumnElement[bool], deadline_column, now: datetime):  # type: ignore[no-untyped-def]
    overdue_recorded = exists().where(
        ReminderEntry.report_id == Report.id,
        ReminderEntry.clock == clock,
        ReminderEntry.deadline == deadline_column,
        ReminderEntry.kind == OVERDUE,
    )
    return and_(condition, deadline_column <= now + HORIZON, ~overdue_recorded)


async def candidates(session: AsyncSession, now: datetime) -> list[Candidate]:
    found: list[Candidate] = []
    for clock, (condition, deadline_column, started_column) in CLOCK_COLUMNS.items():
        rows = await session.execute(
            select(Report.id, Report.number, deadline_column, started_column).where(
                _pending(clock, condition, deadline_column, now)
            )
        )
        found.extend(
            Candidate(rid, number, clock, at, started) for rid, number, at, started in rows
        )
    return found


async def _done(session: AsyncSession, found: list[Candidate]) -> dict[tuple, set[str]]:  # type: ignore[type-arg]
    done: dict[tuple, set[str]] = defaultdict(set)  # type: ignore[type-arg]
    ids = sorted({c.report_id for c in found})
    for start in range(0, len(ids), 500):
        rows = await session.execute(
            select(
                ReminderEntry.report_id,
                ReminderEntry.clock,
                ReminderEntry.deadline,
                ReminderEntry.kind,
            ).where(ReminderEntry.report_id.in_(ids[start : start + 500]))
        )
        for report_id, clock, deadline, kind in rows:
            done[(report_id, clock, deadline)].add(kind)
    return done


async def sweep(
    session: AsyncSession, now: datetime, *, settings: Settings, vault: IdentityVault
) -> SweepReport:
    found = await candidates(session, now)
    done = await _done(session, found)
    decisions = [
        decision
        for c in found
        for decision in due(c, done.get((c.report_id, c.clock, c.deadline), ()), now)
    ]
    sent = skipped = 0
    dialect = (await session.connection()).dialect.name
    for decision in decisions:
        c = decision.candidate
        entry_id = await session.scalar(
            insert_ignoring_conflicts(dialect, ReminderEntry.__table__)
            .values(
                report_id=c.report_id,
                clock=c.clock,
                deadline=c.deadline,
                kind=decision.kind,
                sent=decision.send,
                at=now,
            )
            .returning(ReminderEntry.id)
        )
        if entry_id is None:  # another sweep recorded it first
            continue
        if decision.send:
            await _remind(session, decision, entry_id, settings=settings, vault=vault, now=now)
            sent += 1
        else:
            skipped += 1
    return SweepReport(sent, skipped)


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
    *,
    settings: Settings,
    vault: IdentityVault,
    now: datetime,
) -> None:
    c = decision.candidate
    row = (
        await session.execute(
            select(Report, Town.name, Officer)
            .join(Town, Town.id == Report.town_id)
            .outerjoin(Officer, Officer.id == Report.assignee_id)
            .where(Report.id == c.report_id)
        )
    ).one()
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
            recipients = await staff_wework_ids(session, roles[audience])
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
