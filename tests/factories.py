"""Reports in a given state, made the way the service makes them (jubao/demo/report_maker.py),
for tests about what happens to a report rather than how a citizen files it: the bot's filing
(`services.file_report`, with the citizen's confirming message logged as the bot logs it) and
the staff's actions (`actions.act`, the real transitions). No row is written by hand.

The functions work in the caller's transaction; `Reports` (the `reports` fixture) runs each in
its own, at the test clock's time unless told.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaints.lifecycle import Actor
from complaints.models import Report
from complaints.new_report import NewReport
from jubao.clock import Clock
from jubao.config import Settings
from jubao.demo import report_maker
from jubao.demo.report_maker import DISPATCHER, LEADER, MAIN_LINE, officer
from jubao.identity import IdentityVault
from tests.wechat_client import next_msg_id

__all__ = ["DISPATCHER", "LEADER", "MAIN_LINE", "officer"]

WORKSHOP = "塘桥镇东街一家无名五金加工作坊"  # in 塘桥镇; names no registered enterprise
KINDS = {
    "hazard": NewReport("hazard", "塘桥镇", WORKSHOP, "仓库消防通道被化工原料桶堵死，灭火器过期。"),
    "injury": NewReport(
        "injury", "塘桥镇", WORKSHOP, "货架倒塌砸伤两名工人。", details="2人受伤", count=2
    ),
}
NOT_SUBSTANTIATED = {"finding": "unsubstantiated", "summary": "现场检查未发现所述问题"}


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
    return await report_maker.file_in_bot(
        session, new, openid, settings=settings, vault=_vault(settings), at=at,
        msg_id=next_msg_id(),
    )  # fmt: skip


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
    return await report_maker.acted_on(
        session, number, action, settings=settings, vault=_vault(settings), by=by, at=at,
        **fields,
    )  # fmt: skip


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
    """A report filed and walked along the main line to `status`, every step at `at`
    (report_maker.advance: routing may assign on acceptance; `accepted` is reached only where
    no routing rule matches, and every demo town has one)."""
    report = await filed_report(session, settings, at=at, **filing)
    return await report_maker.advance(
        session, report, status, settings=settings, vault=_vault(settings), by=by,
        conclusion=conclusion, at=at,
    )  # fmt: skip


def _vault(settings: Settings) -> IdentityVault:
    return IdentityVault(settings.identity_keys)


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
