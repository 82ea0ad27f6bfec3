"""How the Official Account callback hands a message over: an `Intake`, chosen once when the
app starts (`intake_context`), that handles it exactly once and commits before the reply.

- `SessionIntake`: one ORM session's transaction per message (PostgreSQL; SQLite in memory).
- `SqliteIntake`: SQLite in a file. Every message takes its turn in the process's
  first-come-first-served queue (jubao/sqlite/turns.py); a dialogue-only message runs on a
  connection of its own without an ORM session (jubao/sqlite/own_connection.py), which costs
  half as much; any other is rolled back untouched and handled in a session within the same
  turn, to the same outcome, so a citizen's messages are still decided in the order they came.

Either raises AlreadyHandled for a WeChat retry (the message log's conflict, nothing else) and
answers it with `stored_reply`; any other error propagates, and nothing of it is kept.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Protocol

from aiohttp import web
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import citizen_message
from bot.citizen_message import Handled
from bot.exactly_once import Envelope, stored_reply
from bot.sqlite_store import SqliteStore
from jubao.config import Settings
from jubao.identity import IdentityVault
from jubao.keys import SESSIONS, SETTINGS, VAULT
from jubao.sqlite.own_connection import OwnConnection
from jubao.sqlite.turns import QueuedSessionmaker


class Intake(Protocol):
    async def handle(self, envelope: Envelope, now: datetime) -> Handled:
        """The message handled and committed; raises AlreadyHandled for a retry."""

    async def stored_reply(self, envelope: Envelope) -> str:
        """The reply the first delivery of a retried message got."""

    async def close(self) -> None: ...


class SessionIntake:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        vault: IdentityVault,
        settings: Settings,
    ) -> None:
        self.sessions, self.vault, self.settings = sessions, vault, settings

    async def handle(self, envelope: Envelope, now: datetime) -> Handled:
        async with self.sessions.begin() as session:
            return await citizen_message.handle(
                session, envelope, vault=self.vault, settings=self.settings, now=now
            )

    async def stored_reply(self, envelope: Envelope) -> str:
        async with self.sessions.begin() as session:
            return await stored_reply(session, envelope, self.vault)

    async def close(self) -> None:
        return None


class SqliteIntake(SessionIntake):
    def __init__(
        self,
        database: str,
        sessions: QueuedSessionmaker,
        vault: IdentityVault,
        settings: Settings,
    ) -> None:
        super().__init__(sessions, vault, settings)
        self.queued = sessions
        self.own = OwnConnection(database)

    async def handle(self, envelope: Envelope, now: datetime) -> Handled:
        async with self.queued.turns:
            handled = await self.handle_dialogue_only(envelope, now)
            if handled is not None:
                return handled
            async with self.queued.begin_in_turn() as session:
                return await citizen_message.handle(
                    session, envelope, vault=self.vault, settings=self.settings, now=now
                )

    async def handle_dialogue_only(self, envelope: Envelope, now: datetime) -> Handled | None:
        """The message handled and committed on the own connection, or None (rolled back,
        nothing written) when its step has an effect. The caller holds the turn."""
        async with self.own.transaction() as transaction:
            handled = await citizen_message.handle_dialogue_only(
                SqliteStore(transaction.sqlite), envelope, vault=self.vault, now=now
            )
            transaction.keep = handled is not None
        return handled

    async def close(self) -> None:
        async with self.queued.turns:
            await self.own.close()


INTAKE = web.AppKey("intake", Intake)


def choose_intake(
    sessions: async_sessionmaker[AsyncSession], vault: IdentityVault, settings: Settings
) -> Intake:
    database = make_url(settings.database_url).database
    if isinstance(sessions, QueuedSessionmaker) and database and database != ":memory:":
        return SqliteIntake(database, sessions, vault, settings)
    return SessionIntake(sessions, vault, settings)


async def intake_context(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx (after the runtime's): the intake for this app's database."""
    app[INTAKE] = chosen = choose_intake(app[SESSIONS], app[VAULT], app[SETTINGS])
    try:
        yield
    finally:
        await chosen.close()
