"""异议: the reporter objects to the result within the objection window (10 days from the
result notice); the report is reopened for review by the same officer, with a 30-day clock,
and the dispatchers and leaders are told."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.actions import act
from complaints.deadline_rules import rules_in_force
from complaints.deadlines import last_day
from complaints.lifecycle import Actor
from complaints.models import Report
from complaints.staff_notices import notify_staff, staff_wework_ids
from jubao.config import Settings
from jubao.identity import IdentityVault

REPORTER = Actor("reporter", None)  # acts by the rules, like the system


@dataclass(frozen=True)
class ObjectionAnswer:
    outcome: str  # reopened, not_found, not_closed, too_late
    date: str = ""  # review deadline when reopened; the window's end when too late


async def object_to(
    session: AsyncSession,
    number: str,
    reason: str,
    sender_hashes: Sequence[str],
    *,
    settings: Settings,
    vault: IdentityVault,
    now: datetime,
) -> ObjectionAnswer:
    report = await session.scalar(
        select(Report).where(
            Report.number == number, Report.reporter_openid_hash.in_(sender_hashes)
        )
    )
    if report is None:
        return ObjectionAnswer("not_found")
    if report.status != "closed" or report.closed_at is None:
        return ObjectionAnswer("not_closed")
    in_force = await rules_in_force(session)
    window_end = in_force.ends("objection", report.closed_at, settings.tz)
    if now > window_end:
        return ObjectionAnswer("too_late", last_day(window_end, settings.tz))
    await act(
        session,
        number,
        "reopen",
        {"note": f"举报人异议：{reason}"},
        REPORTER,
        settings=settings,
        vault=vault,
        now=now,
    )
    review_by = last_day(report.review_by, settings.tz) if report.review_by else ""
    recipients = [
        *await staff_wework_ids(session, "dispatcher"),
        *await staff_wework_ids(session, "leader"),
    ]
    await notify_staff(
        session,
        recipients,
        f"objection:{number}:{report.reopened_at.isoformat()}",
        "objection.txt.j2",
        vault=vault,
        now=now,
        number=number,
        review_by=review_by,
        url=f"{settings.public_url.rstrip('/')}/console/reports/{number}",
    )
    return ObjectionAnswer("reopened", review_by)
