"""The quick path: on SQLite, a plain dialogue step in a transaction on a connection of its own.

Most citizen messages answer a question and get the next one: they read and write only the
dialogue state and the message log. On SQLite such a message runs `intake.handle_plain` on a
sqlite3 connection kept for it, without an ORM session: the session's begin, commit and close
cost twice what SQLite's own transaction did (bench/callback_floor.py). It is still one
transaction per message, begun with BEGIN IMMEDIATE and committed before the reply leaves, and
it waits its turn in the same first-come-first-served queue as every session
(jubao.db.QueuedSessionmaker), so it never contends with them for SQLite's write lock. A message
that needs more (the town list, filing, queries, objections) is rolled back untouched and goes
the ordinary way, to the same outcome. PostgreSQL has no quick path.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime

from aiohttp import web
from sqlalchemy.engine import make_url

from bot import intake
from bot.intake import Envelope, Handled
from bot.store import SqliteStore
from jubao import sqlite_inline
from jubao.db import QueuedSessionmaker
from jubao.identity import IdentityVault
from jubao.keys import SESSIONS, SETTINGS


class QuickPath:
    def __init__(self, database: str, turns: asyncio.Lock) -> None:
        self.database = database
        self.turns = turns
        self.connection: sqlite_inline.InlineConnection | None = None  # opened on first use

    async def close(self) -> None:
        async with self.turns:
            if self.connection is not None:
                await self.connection.close()
                self.connection = None

    async def handle(
        self, envelope: Envelope, *, vault: IdentityVault, now: datetime
    ) -> Handled | None:
        """The message handled and committed, or None (nothing written) when it needs more;
        raises intake.AlreadyHandled for a retry, as `intake.handle` does."""
        async with self.turns:
            if self.connection is None:
                self.connection = await sqlite_inline.creator(self.database)()
            connection = self.connection
            sqlite = await connection.in_transaction()
            try:
                handled = await intake.handle_plain(
                    SqliteStore(sqlite), envelope, vault=vault, now=now
                )
            except BaseException:
                await connection.rollback()
                raise
            if handled is None:
                await connection.rollback()
            else:
                await connection.commit()
            return handled


QUICK_PATH = web.AppKey("quick_path", QuickPath)


async def quick_path(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: the quick path's connection, for a SQLite database in a file."""
    sessions = app[SESSIONS]
    database = make_url(app[SETTINGS].database_url).database
    if not isinstance(sessions, QueuedSessionmaker) or not database or database == ":memory:":
        yield
        return
    app[QUICK_PATH] = path = QuickPath(database, sessions.turns)
    try:
        yield
    finally:
        await path.close()
