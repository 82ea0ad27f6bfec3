"""The daily digest for the petition office (SPEC §7): due today, overdue, new yesterday.
Queued once per dispatcher and day (the outbox key), however many workers send it."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.deadlines import last_day
from complaints.models import Report
from complaints.queries import CLOCK_COLUMNS, overdue_condition
from complaints.reminders import CLOCKS
from complaints.staff_notices import notify_staff, staff_wework_ids
from jubao.config import Settings
from jubao.identity import IdentityVault
from notifications.texts import render

LIST_LIMIT = 20
TEMPLATE = "digest.txt.j2"


def _local_day(now: datetime, settings: Settings, days_back: int = 0) -> tuple[datetime, datetime]:
    day = now.astimezone(settings.tz).date() - timedelta(days=days_back)
    start = datetime.combine(day, time(0), tzinfo=settings.tz)
    return start, start + timedelta(days=1)


async def digest_text(session: AsyncSession, now: datetime, settings: Settings) -> str:
    """The digest's text: counts in full, the lists cut at LIST_LIMIT lines each."""
    return render(TEMPLATE, **await digest_facts(session, now, settings))


async def digest_facts(
    session: AsyncSession, now: datetime, settings: Settings
) -> dict[str, object]:
    """What the digest's template shows."""
    start, end = _local_day(now, settings)
    due_today: list[tuple[datetime, str]] = []  # (deadline, line), of every clock
    due_count = 0
    for clock, (condition, column, _) in CLOCK_COLUMNS.items():
        due = and_(condition, column > start, column <= end)
        due_count += await session.scalar(select(func.count()).where(due)) or 0
        rows = await session.execute(
            select(Report.number, column).where(due).order_by(column).limit(LIST_LIMIT)
        )
        due_today += [(deadline, f"{number} {CLOCKS[clock].label}") for number, deadline in rows]
    due_today.sort()  # the earliest deadlines first, whichever clock: a busy one hides none
    late = overdue_condition(now)
    overdue_count = await session.scalar(select(func.count()).where(late)) or 0
    overdue = list(
        await session.scalars(
            select(Report.number).where(late).order_by(Report.received_at).limit(LIST_LIMIT)
        )
    )
    y_start, y_end = _local_day(now, settings, days_back=1)
    new_yesterday = await session.scalar(
        select(func.count()).where(and_(Report.received_at >= y_start, Report.received_at < y_end))
    )
    return {
        "day": last_day(end, settings.tz),
        "due_today": [line for _, line in due_today[:LIST_LIMIT]],
        "due_count": due_count,
        "overdue": overdue,
        "overdue_count": overdue_count,
        "new_yesterday": new_yesterday or 0,
        "url": f"{settings.public_url.rstrip('/')}/console/",
    }


async def send_digest(
    session: AsyncSession, now: datetime, *, settings: Settings, vault: IdentityVault
) -> int:
    """Queue today's digest to every dispatcher with a WeChat Work id; returns how many."""
    recipients = await staff_wework_ids(session, "dispatcher")
    if not recipients:
        return 0
    facts = await digest_facts(session, now, settings)
    day = now.astimezone(settings.tz).date().isoformat()
    queued = 0
    for wework_id in recipients:  # one message each: one dispatcher's failure delays no other
        queued += await notify_staff(
            session, (wework_id,), f"digest:{day}:{wework_id}", TEMPLATE, vault=vault, now=now,
            **facts,
        )  # fmt: skip
    return queued
