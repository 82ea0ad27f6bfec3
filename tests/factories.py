"""Reports in a given state, made the way the service makes them, for tests about what happens
to a report rather than how a citizen files it: the bot's filing (`services.file_report`, with
the citizen's confirming message logged as the bot logs it) and the staff's actions
(`actions.act`, the real transitions). No row is written by hand.

The functions work in the caller's transaction; `Reports` (the `reports` fixture) runs each in
its own, at the test clock's time unless told.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import texts
from bot.conversation import Inbound
from bot.exactly_once import Envelope, log_message
from bot.store import CoreStore
from complaints import services
from complaints.actions import act
from complaints.deadlines import last_day
from complaints.lifecycle import Actor, Status
from complaints.models import Report
from complaints.new_report import NewReport
from complaints.registry_models import Officer
from jubao.clock import Clock
from jubao.config import Settings
from jubao.identity import IdentityVault
from jubao.roles import Role
from tests.wechat_client import next_msg_id

WORKSHOP = "塘桥镇东街一家无名五金加工作坊"  # in 塘桥镇; names no registered enterprise
KINDS = {
    "hazard": NewReport("hazard", "塘桥镇", WORKSHOP, "仓库消防通道被化工原料桶堵死，灭火器过期。"),
    "injury": NewReport(
        "injury", "塘桥镇", WORKSHOP, "货架倒塌砸伤两名工人。", details="2人受伤", count=2
    ),
}
# The demo's staff (conftest's `staff`): the dispatcher wang and the leader li.
DISPATCHER = Actor("wang", Role.DISPATCHER)
LEADER = Actor("li", Role.LEADER)
NOT_SUBSTANTIATED = {"finding": "unsubstantiated", "summary": "现场检查未发现所述问题"}
# The lifecycle's main line, in order: what advanced_report walks.
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


async def filed_report(
    session: AsyncSession,
    settings: Settings,
    *,
    at: datetime,
    kind: str = "hazard",
    openid: str = "o-citizen",
    name: str = "",
    phone: str = "",
    **overrides: Any,
) -> Report:
    """A report the citizen `openid` confirmed in the bot at `at`: numbered and stored by the
    service, and his confirming message logged (it opens WeChat's 48-hour window for service
    messages). Named when `name` is given; `overrides` are NewReport's (town, place, ...)."""
    new = replace(KINDS[kind], anonymous=not name, name=name, phone=phone, **overrides)
    vault = IdentityVault(settings.identity_keys)
    filed = await services.file_report(session, new, openid, vault=vault, settings=settings, now=at)
    confirm = Inbound("text", "1")
    envelope = Envelope(
        "mp", openid, settings.mp_appid, next_msg_id(), int(at.timestamp()), confirm
    )
    reply = texts.submitted(filed.number, filed.code, last_day(filed.accept_by, settings.tz))
    store = await CoreStore.of(session)
    await log_message(
        store, envelope, reply, vault=vault, now=at, openid_hash=vault.lookup_hash(openid)
    )
    return await _report(session, filed.number)


async def acted_on(
    session: AsyncSession,
    settings: Settings,
    number: str,
    action: str,
    *,
    by: Actor,
    at: datetime,
    **fields: object,
) -> Report:
    """The report after one action, as the console, the API or a command carries it out."""
    vault = IdentityVault(settings.identity_keys)
    await act(session, number, action, fields, by, settings=settings, vault=vault, now=at)
    return await _report(session, number)


async def advanced_report(
    session: AsyncSession,
    settings: Settings,
    status: str,
    *,
    at: datetime,
    by: str = "zhangwei",
    conclusion: Mapping[str, object] = NOT_SUBSTANTIATED,
    **filing: Any,
) -> Report:
    """A report filed and walked along the main line to `status`, every step at `at`: the
    dispatcher accepts it (routing may assign it) and assigns it to the officer `by` unless
    routing did, `by` takes it and concludes with `conclusion`, the leader closes it.
    `accepted` is reached only where no routing rule matches (every demo town has one)."""
    target = Status(status)
    report = await filed_report(session, settings, at=at, **filing)
    steps = {
        Status.ACCEPTED: ("accept", DISPATCHER, {}),
        Status.ASSIGNED: ("assign", DISPATCHER, {"assignee": by}),
        Status.INVESTIGATING: ("take", officer(by), {}),
        Status.CONCLUDED: ("conclude", officer(by), conclusion),
        Status.CLOSED: ("close", LEADER, {}),
    }
    for reached in MAIN_LINE[1 : MAIN_LINE.index(target) + 1]:
        if reached == Status.ASSIGNED and await _assignee(session, report) == by:
            continue  # routing assigned him on acceptance
        action, actor, fields = steps[reached]
        report = await acted_on(session, settings, report.number, action, by=actor, at=at, **fields)
    if report.status != target:
        raise AssertionError(
            f"{report.number} is {report.status}, not {status}: routing assigns on acceptance"
        )
    return report


@dataclass
class Reports:
    """The factories on a test's database, each in its own transaction, as the bot's message
    or the staff's request would be; `at` defaults to the test clock's now."""

    sessions: async_sessionmaker[AsyncSession]
    settings: Settings
    clock: Clock

    async def filed(self, *, at: datetime | None = None, **options: Any) -> Report:
        async with self.sessions.begin() as session:
            return await filed_report(session, self.settings, at=self._at(at), **options)

    async def advanced(self, status: str, *, at: datetime | None = None, **options: Any) -> Report:
        async with self.sessions.begin() as session:
            return await advanced_report(session, self.settings, status, at=self._at(at), **options)

    async def act(
        self, number: str, action: str, *, by: Actor, at: datetime | None = None, **fields: object
    ) -> Report:
        async with self.sessions.begin() as session:
            return await acted_on(
                session, self.settings, number, action, by=by, at=self._at(at), **fields
            )

    def _at(self, at: datetime | None) -> datetime:
        return self.clock.now() if at is None else at


async def _report(session: AsyncSession, number: str) -> Report:
    report = await session.scalar(select(Report).where(Report.number == number))
    assert report is not None, number
    return report


async def _assignee(session: AsyncSession, report: Report) -> str | None:
    if report.assignee_id is None:
        return None
    return await session.scalar(select(Officer.wework_id).where(Officer.id == report.assignee_id))
