"""The thread with the reporter and the staff's internal notes on a report, in the caller's
transaction: a staff message is stored and queued for the reporter through the bot (the channel
the reporter notices use, complaints/notices.py); the reporter's `回复 编号 内容` is stored and
the assignee (else the dispatchers) told that he replied — once an hour at most, however
often he writes; a note is stored and never sent."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.lifecycle import Actor
from complaints.models import Report, ReportMessage
from complaints.notices import tell_reporter
from complaints.registry_models import Officer
from complaints.staff_notices import notify_staff
from complaints.thread_rules import (
    REPORTER,
    Kind,
    check_reachable,
    check_writer,
    clean_text,
)
from jubao import audit
from jubao.config import Settings
from jubao.identity import IdentityVault
from jubao.rate_limits import window_start
from notifications.texts import render

# A reporter's replies tell the staff at most once an hour per report (each is on the thread).
REPLY_NOTICE_EVERY = timedelta(hours=1)

TITLE = "工作人员留言"  # the template message's heading outside the 48-hour window


async def messages(session: AsyncSession, report_id: int) -> list[ReportMessage]:
    """The report's thread and notes, oldest first."""
    rows = await session.scalars(
        select(ReportMessage)
        .where(ReportMessage.report_id == report_id)
        .order_by(ReportMessage.at, ReportMessage.id)
    )
    return list(rows)


async def write(
    session: AsyncSession,
    report: Report,
    kind: Kind,
    text: object,
    actor: Actor,
    *,
    settings: Settings,
    vault: IdentityVault,
    now: datetime,
) -> ReportMessage:
    """A staff message to the reporter (kind STAFF, queued for the bot) or a note (NOTE) by a
    staff member who may read the report; raises Forbidden or Invalid with a readable message."""
    check_writer(str(actor.role), kind)
    cleaned = clean_text(text, kind)
    if kind == Kind.STAFF:
        check_reachable(report.reporter_openid_enc is not None)
    elif kind != Kind.NOTE:
        raise ValueError(kind)
    message = _add(session, report, kind, actor.name, cleaned, now)
    await session.flush()
    await audit.append(
        session,
        actor=actor.name,
        action="message" if kind == Kind.STAFF else "note",
        subject=report.number,
        detail={"id": message.id},
        at=now,
    )
    if kind == Kind.STAFF:
        await tell_reporter(
            session,
            report,
            key=f"staff-message:{report.number}:{message.id}",
            title=TITLE,
            text=render("staff_message.txt.j2", number=report.number, text=cleaned),
            settings=settings,
            vault=vault,
            now=now,
        )
    return message


async def reporter_replies(
    session: AsyncSession,
    number: str,
    text: str,
    hashes: Sequence[str],
    *,
    settings: Settings,
    vault: IdentityVault,
    now: datetime,
) -> bool:
    """The reporter's reply kept and the staff told; False, having done nothing, when the
    sender did not file that report (or there is no such report: the same answer)."""
    report = await session.scalar(
        select(Report).where(Report.number == number, Report.reporter_openid_hash.in_(hashes))
    )
    if report is None:
        return False
    message = _add(session, report, Kind.REPORTER, REPORTER, text, now)
    await session.flush()
    await audit.append(
        session, actor=REPORTER, action="reply", subject=number, detail={"id": message.id}, at=now
    )
    officer = await session.get(Officer, report.assignee_id) if report.assignee_id else None
    hour = window_start(now, REPLY_NOTICE_EVERY).strftime("%Y%m%d%H")
    await notify_staff(  # one notice an hour however often he replies: the key says so
        session,
        (officer.wework_id,) if officer else "dispatchers",
        f"reporter-reply:{report.number}:{hour}",
        "reporter_replied.txt.j2",
        vault=vault,
        now=now,
        number=report.number,
        url=f"{settings.public_url.rstrip('/')}/console/reports/{report.number}",
    )
    return True


def _add(
    session: AsyncSession, report: Report, kind: Kind, author: str, text: str, now: datetime
) -> ReportMessage:
    message = ReportMessage(report_id=report.id, at=now, kind=kind.value, author=author, text=text)
    session.add(message)
    return message
