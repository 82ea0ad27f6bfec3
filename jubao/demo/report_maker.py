"""Reports in a given state, made the way the service makes them: the bot's filing
(`services.file_report`, with the citizen's confirming message logged as the bot logs it), the
petition office's intake (the same service, no openid), the staff's actions (`actions.act`, the
real transitions) and a citizen's 催办 (`feedback.urge`). No row is written by hand. The demo's
live reports and the tests' factories (tests/factories.py) are both made here.

Every function works in the caller's transaction and never commits; each step runs at the
moment it is given, so timelines and deadlines read as if the work had happened then."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.conversation import Inbound
from bot.exactly_once import Envelope, log_message
from bot.store import CoreStore
from complaints import feedback, services
from complaints.actions import act
from complaints.deadlines import last_day
from complaints.lifecycle import Actor, Status
from complaints.models import Report
from complaints.new_report import NewReport
from complaints.registry_models import Officer
from jubao.config import Settings
from jubao.identity import IdentityVault
from jubao.roles import Role

# The demo's staff (jubao.demo DEMO_USERS): the dispatcher wang and the leader li.
DISPATCHER = Actor("wang", Role.DISPATCHER)
LEADER = Actor("li", Role.LEADER)
# The lifecycle's main line, in order: what `advance` walks.
MAIN_LINE = (
    Status.RECEIVED,
    Status.ACCEPTED,
    Status.ASSIGNED,
    Status.INVESTIGATING,
    Status.CONCLUDED,
    Status.CLOSED,
)


def officer(wework_id: str) -> Actor:
    """An officer as his WeChat Work commands act (bot/officer_desk.py)."""
    return Actor(wework_id, Role.OFFICER, wework_id)


async def file_in_bot(
    session: AsyncSession,
    new: NewReport,
    openid: str,
    *,
    settings: Settings,
    vault: IdentityVault,
    at: datetime,
    msg_id: int,
) -> Report:
    """The report the citizen `openid` confirmed in the bot at `at`: numbered and stored by the
    service, and his confirming message (MsgId `msg_id`) logged with the bot's reply (it opens
    WeChat's 48-hour window for service messages)."""
    filed = await services.file_report(session, new, openid, vault=vault, settings=settings, now=at)
    reply = texts.submitted(filed.number, filed.code, last_day(filed.accept_by, settings.tz))
    await _log(session, openid, "1", reply, settings=settings, vault=vault, at=at, msg_id=msg_id)
    return await report_of(session, filed.number)


async def urge_in_bot(
    session: AsyncSession,
    number: str,
    openid: str,
    *,
    settings: Settings,
    vault: IdentityVault,
    at: datetime,
    msg_id: int,
) -> str:
    """The citizen `openid` sends 「催办 编号」 at `at`: the service's answer (urged, supervised
    or why not) and his message logged with the bot's reply, as the bot handles it."""
    answer = await feedback.urge(
        session, number, [vault.lookup_hash(openid)], settings=settings, vault=vault, now=at
    )
    reply = texts.URGE_ANSWERS[answer.outcome].format(number=number, date=answer.date)
    await _log(
        session, openid, f"催办 {number}", reply, settings=settings, vault=vault, at=at,
        msg_id=msg_id,
    )  # fmt: skip
    return answer.outcome


async def file_at_desk(
    session: AsyncSession,
    new: NewReport,
    *,
    by: str,
    settings: Settings,
    vault: IdentityVault,
    at: datetime,
) -> Report:
    """A caller's report (`new.channel`: phone, visit, ...) the staff member `by` registered."""
    filed = await services.file_report(
        session, new, None, vault=vault, settings=settings, now=at, actor=by
    )
    return await report_of(session, filed.number)


async def acted_on(
    session: AsyncSession,
    number: str,
    action: str,
    *,
    settings: Settings,
    vault: IdentityVault,
    by: Actor,
    at: datetime,
    **fields: object,
) -> Report:
    """The report after one action, as the console, the API or a command carries it out."""
    await act(session, number, action, fields, by, settings=settings, vault=vault, now=at)
    return await report_of(session, number)


async def advance(
    session: AsyncSession,
    report: Report,
    status: Status | str,
    *,
    settings: Settings,
    vault: IdentityVault,
    by: str,
    conclusion: Mapping[str, object],
    at: datetime | Mapping[Status, datetime],
) -> Report:
    """The report walked along the main line to `status`, each step at `at` (one moment, or the
    moment each status is reached): the dispatcher accepts it (routing may assign it) and
    assigns it to the officer `by` unless routing did, `by` takes it and concludes with
    `conclusion`, the leader closes it. `accepted` is reached only where no routing rule
    matches (every demo town has one)."""
    target = Status(status)
    steps = {
        Status.ACCEPTED: ("accept", DISPATCHER, {}),
        Status.ASSIGNED: ("assign", DISPATCHER, {"assignee": by}),
        Status.INVESTIGATING: ("take", officer(by), {}),
        Status.CONCLUDED: ("conclude", officer(by), conclusion),
        Status.CLOSED: ("close", LEADER, {}),
    }
    start = MAIN_LINE.index(Status(report.status)) + 1
    for reached in MAIN_LINE[start : MAIN_LINE.index(target) + 1]:
        if reached == Status.ASSIGNED and await _assignee(session, report) == by:
            continue  # routing assigned him on acceptance
        action, actor, fields = steps[reached]
        moment = at if isinstance(at, datetime) else at[reached]
        report = await acted_on(
            session, report.number, action, settings=settings, vault=vault, by=actor, at=moment,
            **fields,
        )  # fmt: skip
    if report.status != target:
        raise AssertionError(
            f"{report.number} is {report.status}, not {status}: routing assigns on acceptance"
        )
    return report


async def _log(
    session: AsyncSession,
    openid: str,
    text: str,
    reply: str,
    *,
    settings: Settings,
    vault: IdentityVault,
    at: datetime,
    msg_id: int,
) -> None:
    envelope = Envelope(
        "mp", openid, settings.mp_appid, msg_id, int(at.timestamp()), Inbound("text", text)
    )
    store = await CoreStore.of(session)
    await log_message(
        store, envelope, reply, vault=vault, now=at, openid_hash=vault.lookup_hash(openid)
    )


async def report_of(session: AsyncSession, number: str) -> Report:
    report = await session.scalar(select(Report).where(Report.number == number))
    assert report is not None, number
    return report


async def _assignee(session: AsyncSession, report: Report) -> str | None:
    if report.assignee_id is None:
        return None
    return await session.scalar(select(Officer.wework_id).where(Officer.id == report.assignee_id))
