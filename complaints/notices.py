"""Who hears about an action, queued in the outbox in the action's transaction (SPEC §7, §9).

Staff messages (the group card, the officer's app message) carry the report's facts and never
the reporter's name, phone or openid; the reporter hears about acceptance, rejection and
transfer through the Official Account.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.deadline_rules import rules_in_force
from complaints.deadlines import last_day
from complaints.lifecycle import FINDINGS, REJECT_REASONS, Action, Change
from complaints.models import Report, ReportEvent
from complaints.registry_models import Officer, Town, Unit
from complaints.staff_notices import GROUP, notify_staff
from complaints.vocabulary import CATEGORY_LABELS
from jubao.config import Settings
from jubao.identity import IdentityVault
from notifications import outbox
from notifications.citizen_window import channel_for
from notifications.texts import render

REPORTER_TEMPLATES = {
    Action.ACCEPT: "reporter_accepted.txt.j2",
    Action.REJECT: "reporter_rejected.txt.j2",
    Action.TRANSFER: "reporter_transferred.txt.j2",
    Action.EXTEND: "reporter_extended.txt.j2",
    Action.CLOSE: "reporter_result.txt.j2",
}
TITLES = {
    Action.ACCEPT: "举报已受理",
    Action.REJECT: "举报不予受理",
    Action.TRANSFER: "举报已转办",
    Action.EXTEND: "办理期限延长",
    Action.CLOSE: "举报已办结",
}


async def queue(
    session: AsyncSession,
    report: Report,
    changes: list[tuple[Change, ReportEvent]],
    *,
    settings: Settings,
    vault: IdentityVault,
    now: datetime,
) -> None:
    for change, event in changes:
        if change.action == Action.ASSIGN:
            await _assignment(session, report, event, settings, vault, now)
        if change.action in REPORTER_TEMPLATES:
            await _tell_reporter(session, report, change, event, settings, vault, now)
        if change.action == Action.RETURN:  # the dispatchers assign it again
            await notify_staff(
                session,
                "dispatchers",
                f"returned:{report.number}:{event.id}",
                "returned.txt.j2",
                vault=vault,
                now=now,
                number=report.number,
                by=event.actor,
                note=change.note,
                url=f"{settings.public_url.rstrip('/')}/console/reports/{report.number}",
            )


def _day(moment: datetime | None, settings: Settings) -> str:
    return last_day(moment, settings.tz) if moment else "—"


async def _assignment(
    session: AsyncSession,
    report: Report,
    event: ReportEvent,
    settings: Settings,
    vault: IdentityVault,
    now: datetime,
) -> None:
    officer = await session.get(Officer, report.assignee_id)
    unit = await session.get(Unit, officer.unit_id) if officer else None
    town = await session.scalar(select(Town.name).where(Town.id == report.town_id))
    facts = {
        "number": report.number,
        "urgent": report.urgent,
        "category": CATEGORY_LABELS[report.category],
        "town": town,
        "place": report.place,
        "officer": officer.name if officer else "—",
        "unit": unit.name if unit else "—",
        "ack_by": _day(report.ack_by, settings),
        "handle_by": _day(report.handle_by, settings),
        "url": f"{settings.public_url.rstrip('/')}/console/reports/{report.number}",
    }
    await notify_staff(
        session,
        GROUP,
        f"assigned-group:{report.number}:{event.id}",
        "assigned_group.txt.j2",
        vault=vault,
        now=now,
        **facts,
    )
    if officer is not None:
        await notify_staff(
            session,
            (officer.wework_id,),
            f"assigned-officer:{report.number}:{event.id}",
            "assigned_officer.txt.j2",
            vault=vault,
            now=now,
            **facts,
        )


async def _tell_reporter(
    session: AsyncSession,
    report: Report,
    change: Change,
    event: ReportEvent,
    settings: Settings,
    vault: IdentityVault,
    now: datetime,
) -> None:
    objection_by = ""
    if change.action == Action.CLOSE:
        in_force = await rules_in_force(session)
        objection_by = _day(in_force.ends("objection", now, settings.tz), settings)
    text = render(
        REPORTER_TEMPLATES[change.action],
        number=report.number,
        handle_by=_day(report.handle_by, settings),
        accept_by=_day(report.accept_by, settings),
        deciding=report.status == "received",
        reason=REJECT_REASONS.get(str(change.fields.get("reason", "")), ""),
        note=change.note,
        to=change.fields.get("to", ""),
        days=change.fields.get("days", ""),
        finding=FINDINGS.get(report.finding or "", ""),
        summary=report.summary or "",
        case_filed=report.case_filed,
        substantiated=report.finding == "substantiated",
        objection_by=objection_by,
    )
    await tell_reporter(
        session,
        report,
        key=f"reporter:{report.number}:{event.id}",
        title=TITLES[change.action],
        text=text,
        settings=settings,
        vault=vault,
        now=now,
    )


async def tell_reporter(
    session: AsyncSession,
    report: Report,
    *,
    key: str,
    title: str,
    text: str,
    settings: Settings,
    vault: IdentityVault,
    now: datetime,
) -> None:
    """One notice to the reporter: a service message while WeChat allows one, else a subscribe
    message where he accepted ours, else a template message; none for a caller whose report
    the petition office took (no openid: the office tells him itself)."""
    if report.reporter_openid_enc is None:
        return
    openid = vault.decrypt(report.reporter_openid_enc)
    channel = await channel_for(
        session, vault.lookup_hashes(openid), now, settings.mp_subscribe_template_id
    )
    # The template's data goes with a service message too: should the window close before it
    # is sent (retries, a stopped worker), it goes as a template message instead.
    local = now.astimezone(settings.tz).strftime("%Y-%m-%d %H:%M")
    extra = {
        "data": {"first": title, "keyword1": report.number, "keyword2": local, "remark": text},
        "subscribe": subscribe_data(report.number, title, local, text),
    }
    await outbox.put(
        session,
        key=key,
        channel=channel,
        recipient=openid,
        text=text,
        vault=vault,
        now=now,
        extra=extra,
    )


def subscribe_data(number: str, title: str, local_time: str, text: str) -> dict[str, str]:
    """The subscribe template's fields: 编号 (character_string1), 进展 (thing2), 时间 (time3),
    说明 (thing4); WeChat takes at most 20 characters in a `thing`."""
    first_line = text.strip().splitlines()[0] if text.strip() else title
    return {
        "character_string1": number,
        "thing2": _at_most(title, 20),
        "time3": local_time,
        "thing4": _at_most(first_line, 20),
    }


def _at_most(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
