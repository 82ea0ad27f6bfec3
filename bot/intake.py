"""How the Official Account callback hands a message over: an `Intake`, chosen once when the
app starts (`intake_context`), that handles it exactly once and commits before the reply.

One design on both databases, `QuickIntake`: a message whose step has no effect (most
dialogue answers, the flood limit's answers) is handled on the driver's own connection with the
bot's few statements (bot/quick_store.py), no ORM session; any other is rolled back untouched
and handled in a session, to the same outcome (`step` is pure). Where the quick path's
transaction comes from is the only difference:

- PostgreSQL: a connection of the engine's pool (jubao/pooled_transactions.py);
- SQLite in a file: a connection of its own (jubao/sqlite/own_connection.py), and every message
  takes its turn in the process's first-come-first-served queue (jubao/sqlite/turns.py), the
  session way included, so a citizen's messages are decided in the order they came.

`SessionIntake` (SQLite in memory, where there is one connection) takes every message in a
session. Each raises AlreadyHandled for a WeChat retry (the message log's conflict, nothing
else) and answers it with `stored_reply`; any other error propagates, and nothing of it is kept.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Any, Protocol

from aiohttp import web
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot import citizen_message
from bot.citizen_message import Handled
from bot.exactly_once import Envelope, stored_reply
from bot.quick_store import QuickStore
from jubao.config import Settings
from jubao.identity import IdentityVault
from jubao.keys import ENGINE, SESSIONS, SETTINGS, VAULT
from jubao.pooled_transactions import PooledTransactions
from jubao.raw_sql import RawTransaction
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


class Transactions(Protocol):
    def transaction(self) -> AbstractAsyncContextManager[RawTransaction]:
        """A transaction on a driver connection (jubao/raw_sql.py)."""

    async def close(self) -> None: ...


class QuickIntake(SessionIntake):
    def __init__(
        self,
        transactions: Transactions,
        dialect_name: str,
        sessions: async_sessionmaker[AsyncSession],
        vault: IdentityVault,
        settings: Settings,
    ) -> None:
        super().__init__(sessions, vault, settings)
        self.transactions, self.dialect_name = transactions, dialect_name

    def turn(self) -> AbstractAsyncContextManager[Any]:
        """What a message holds while it is handled (SQLite: the process's turn)."""
        return contextlib.nullcontext()

    def session_in_turn(self) -> AbstractAsyncContextManager[AsyncSession]:
        return self.sessions.begin()

    async def handle(self, envelope: Envelope, now: datetime) -> Handled:
        async with self.turn():
            handled = await self.handle_quick(envelope, now)
            if handled is not None:
                return handled
            async with self.session_in_turn() as session:
                return await citizen_message.handle(
                    session, envelope, vault=self.vault, settings=self.settings, now=now
                )

    async def handle_quick(self, envelope: Envelope, now: datetime) -> Handled | None:
        """The message handled and committed on a driver connection, or None (rolled back,
        nothing written) when its step has an effect. The caller holds the turn."""
        async with self.transactions.transaction() as transaction:
            store = QuickStore(transaction.raw, self.dialect_name)
            handled = await citizen_message.handle_dialogue_only(
                store, envelope, vault=self.vault, now=now
            )
            await store.flush()  # a dialogue write no log row carried (none today) is kept too
            transaction.keep = handled is not None
        return handled

    async def close(self) -> None:
        async with self.turn():
            await self.transactions.close()


class SqliteQuickIntake(QuickIntake):
    def __init__(
        self, database: str, sessions: QueuedSessionmaker, vault: IdentityVault, settings: Settings
    ) -> None:
        super().__init__(OwnConnection(database), "sqlite", sessions, vault, settings)
        self.queued = sessions

    def turn(self) -> AbstractAsyncContextManager[Any]:
        return self.queued.turns

    def session_in_turn(self) -> AbstractAsyncContextManager[AsyncSession]:
        return self.queued.begin_in_turn()  # type: ignore[no-any-return]


INTAKE = web.AppKey("intake", Intake)


def choose_intake(
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    vault: IdentityVault,
    settings: Settings,
) -> Intake:
    if engine.dialect.name == "postgresql":
        return QuickIntake(PooledTransactions(engine), "postgresql", sessions, vault, settings)
    database = make_url(settings.database_url).database
    if isinstance(sessions, QueuedSessionmaker) and database and database != ":memory:":
        return SqliteQuickIntake(database, sessions, vault, settings)
    return SessionIntake(sessions, vault, settings)


async def intake_context(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx (after the runtime's): the intake for this app's database."""
    app[INTAKE] = chosen = choose_intake(app[ENGINE], app[SESSIONS], app[VAULT], app[SETTINGS])
    try:
        yield
    finally:
        await chosen.close()
