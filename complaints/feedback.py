"""评价 and 催办 from the reporter's own WeChat: a rating of a closed report (changeable for
7 days), and an urge on a late report that tells the assignee and the dispatchers — the second
and later urges are supervision (督办) and tell the leaders too. Each is a timeline event."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.deadline_rules import rules_in_force
from complaints.deadlines import days_after, last_day
from complaints.feedback_rules import (
    QUIET_DAYS,
    RATING_DAYS,
    RATINGS,
    SUPERVISE,
    URGE,
    rating_refusal,
    urge_action,
    urge_refusal,
)
from complaints.models import Report, ReportEvent
from complaints.registry_models import Officer
from complaints.reminders import running_clocks
from complaints.staff_notices import notify_staff, staff_wework_ids
from complaints.vocabulary import STATUS_LABELS
from jubao import audit
from jubao.config import Settings
from jubao.identity import IdentityVault

URGES = (URGE, SUPERVISE)
NOT_STEPS = (*URGES, "rate")  # what the reporter does is not a step of the handling


@dataclass(frozen=True)
class Answer:
    outcome: str  # rated, changed, urged, supervised, or why not (not_found, too_late, ...)
    date: str = ""  # the date the reply names: the rating window's end, the earliest urge
    objection_by: str = ""  # a dissatisfied reporter may still object until then


async def _own_report(session: AsyncSession, number: str, hashes: Sequence[str]) -> Report | None:
    return await session.scalar(
        select(Report).where(Report.number == number, Report.reporter_openid_hash.in_(hashes))
    )


def _event(report: Report, action: str, note: str, now: datetime) -> ReportEvent:
    return ReportEvent(
        report_id=report.id,
        at=now,
        actor="reporter",
        action=action,
        from_status=report.status,
        to_status=report.status,
        note=note,
    )


async def rate(
    session: AsyncSession,
    number: str,
    rating: str,
    hashes: Sequence[str],
    *,
    settings: Settings,
    now: datetime,
) -> Answer:
    """Record the reporter's rating; `date` is the last day he may change it, `objection_by`
    the last day a dissatisfied reporter may still object."""
    report = await _own_report(session, number, hashes)
    if report is None:
        return Answer("not_found")
    ends = days_after(report.closed_at, RATING_DAYS, settings.tz) if report.closed_at else None
    refusal = rating_refusal(report.status, ends, now)
    if refusal is not None:
        return Answer(refusal, last_day(ends, settings.tz) if ends else "")
    outcome = "changed" if report.rating else "rated"
    report.rating, report.rated_at = rating, now
    session.add(_event(report, "rate", RATINGS[rating], now))
    await audit.append(
        session, actor="reporter", action="rate", subject=number, detail={"rating": rating}, at=now
    )
    await session.flush()
    objection_by = ""
    if rating == "dissatisfied" and report.closed_at is not None:
        in_force = await rules_in_force(session)
        objection_ends = in_force.ends("objection", report.closed_at, settings.tz)
        objection_by = last_day(objection_ends, settings.tz) if now < objection_ends else ""
    return Answer(outcome, last_day(ends, settings.tz) if ends else "", objection_by)


async def urge(
    session: AsyncSession,
    number: str,
    hashes: Sequence[str],
    *,
    settings: Settings,
    vault: IdentityVault,
    now: datetime,
) -> Answer:
    report = await _own_report(session, number, hashes)
    if report is None:
        return Answer("not_found")
    facts = await session.execute(
        select(
            func.max(ReportEvent.at).filter(ReportEvent.action.not_in(NOT_STEPS)),
            func.max(ReportEvent.at).filter(ReportEvent.action.in_(URGES)),
            func.count().filter(ReportEvent.action.in_(URGES)),
        ).where(ReportEvent.report_id == report.id)
    )
    last_step_at, last_urge_at, urges_before = facts.one()
    last_step_at = last_step_at or report.received_at
    running = running_clocks(report)
    overdue = any(clock.deadline <= now for clock in running)
    refusal = urge_refusal(report.status, overdue, last_step_at, last_urge_at, now, settings.tz)
    if refusal == "in_time":
        earliest = min([c.deadline for c in running] + [last_step_at + timedelta(QUIET_DAYS)])
        return Answer(refusal, last_day(earliest, settings.tz))
    if refusal is not None:
        return Answer(refusal)
    action = urge_action(urges_before)
    event = _event(report, action, "举报人催办" if action == URGE else "举报人再次催办，督办", now)
    session.add(event)
    await audit.append(session, actor="reporter", action=action, subject=number, detail={}, at=now)
    await session.flush()
    await _tell_staff(session, report, action, event, urges_before + 1, settings, vault, now)
    return Answer("urged" if action == URGE else "supervised")


async def _tell_staff(
    session: AsyncSession,
    report: Report,
    action: str,
    event: ReportEvent,
    times: int,
    settings: Settings,
    vault: IdentityVault,
    now: datetime,
) -> None:
    officer = await session.get(Officer, report.assignee_id) if report.assignee_id else None
    recipients = [officer.wework_id] if officer else []
    roles = ("dispatcher", "leader") if action == SUPERVISE else ("dispatcher",)
    for role in roles:
        staff = await staff_wework_ids(session, role)
        recipients += [wework_id for wework_id in staff if wework_id not in recipients]
    deadlines = sorted(clock.deadline for clock in running_clocks(report))
    await notify_staff(
        session,
        recipients,
        f"{action}:{report.number}:{event.id}",
        "urged.txt.j2",
        vault=vault,
        now=now,
        number=report.number,
        supervise=action == SUPERVISE,
        times=times,
        status=STATUS_LABELS[report.status],
        deadline=last_day(deadlines[0], settings.tz) if deadlines else "",
        officer=officer.name if officer else "未分派",
        url=f"{settings.public_url.rstrip('/')}/console/reports/{report.number}",
    )
