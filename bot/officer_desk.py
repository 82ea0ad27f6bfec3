"""An officer's command from the WeChat Work app, handled inside the caller's transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import officer_texts as texts
from bot.commands import Command, Unreadable, Verb, parse
from complaints.actions import act
from complaints.deadlines import last_day
from complaints.lifecycle import FINDINGS, Actor, LifecycleError
from complaints.models import Report
from complaints.queries import overdue_condition
from complaints.registry_models import Officer
from complaints.vocabulary import CATEGORY_LABELS, STATUS_LABELS
from jubao.config import Settings
from jubao.identity import IdentityVault
from jubao.roles import Role

ACTIONS = {
    Verb.TAKE: ("take", {}),
    Verb.RETURN: ("return", {}),
    Verb.PROGRESS: ("progress", {}),
    Verb.SUBSTANTIATED: ("conclude", {"finding": "substantiated"}),
    Verb.UNSUBSTANTIATED: ("conclude", {"finding": "unsubstantiated"}),
}


async def answer(
    session: AsyncSession,
    wework_id: str,
    message: str,
    *,
    settings: Settings,
    vault: IdentityVault,
    now: datetime,
) -> str:
    officer = await session.scalar(select(Officer).where(Officer.wework_id == wework_id))
    if officer is None:
        return texts.NOT_AN_OFFICER
    command = parse(message)
    if isinstance(command, Unreadable):
        return f"{command.problem}\n\n{texts.HELP}"
    if command.verb == Verb.HELP:
        return texts.HELP
    if command.verb in (Verb.MINE, Verb.OVERDUE):
        return await _listing(session, officer, command.verb == Verb.OVERDUE, settings, now)
    return await _act(session, wework_id, command, settings, vault, now)


async def _act(
    session: AsyncSession,
    wework_id: str,
    command: Command,
    settings: Settings,
    vault: IdentityVault,
    now: datetime,
) -> str:
    action, fields = ACTIONS[command.verb]
    if command.verb in (Verb.SUBSTANTIATED, Verb.UNSUBSTANTIATED):
        fields = {**fields, "summary": command.text}
    elif command.text:
        fields = {**fields, "note": command.text}
    actor = Actor(wework_id, Role.OFFICER, wework_id)
    try:
        async with session.begin_nested():  # a refused command leaves nothing behind
            await act(
                session,
                command.number,
                action,
                fields,
                actor,
                settings=settings,
                vault=vault,
                now=now,
            )
    except LifecycleError as error:
        return str(error)
    except LookupError:
        return texts.NOT_FOUND.format(number=command.number)
    report = await session.scalar(select(Report).where(Report.number == command.number))
    handle_by = last_day(report.handle_by, settings.tz) if report.handle_by else "—"
    finding = FINDINGS.get(str(fields.get("finding", "")), "")
    return texts.DONE[action].format(number=command.number, handle_by=handle_by, finding=finding)


async def _listing(
    session: AsyncSession, officer: Officer, overdue: bool, settings: Settings, now: datetime
) -> str:
    query = select(Report).where(
        Report.assignee_id == officer.id, Report.status.in_(("assigned", "investigating"))
    )
    if overdue:
        query = query.where(overdue_condition(now))
    reports = (await session.scalars(query.order_by(Report.handle_by, Report.id))).all()
    if not reports:
        return texts.NOTHING_OVERDUE if overdue else texts.NOTHING_OPEN
    lines = [
        f"{r.number} {CATEGORY_LABELS[r.category]} {STATUS_LABELS[r.status]}"
        + (f" 办结期限{last_day(r.handle_by, settings.tz)}" if r.handle_by else "")
        + (" 紧急" if r.urgent else "")
        for r in reports
    ]
    return ("已逾期：\n" if overdue else "分派给您的举报：\n") + "\n".join(lines)
