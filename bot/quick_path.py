"""The quick path: on SQLite, a plain dialogue step in a transaction on a connection of its own.

Most citizen messages answer a question and get the next one: they read and write only the
dialogue state and the message log (and read the town list). On SQLite such a message runs
`intake.handle_plain` on a sqlite3 connection kept for it, without an ORM session: the
session's begin, commit and close cost twice what SQLite's own transaction did
(bench/callback_floor.py). It is still one transaction per message, begun with BEGIN
IMMEDIATE and committed before the reply leaves.

Every message takes its turn in the same first-come-first-served queue as every session
(jubao.db.QueuedSessionmaker), so the two connections never contend for SQLite's write lock;
a message that needs more (filing, queries, supplements, objections) is rolled back
untouched and handled by `intake.handle` in a session within the same turn, to the same
outcome, so a citizen's messages are still decided in the order they came. PostgreSQL has no
quick path.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import datetime

from aiohttp import web
from sqlalchemy.engine import make_url

from bot import intake
from bot.intake import Envelope, Handled
from bot.store import SqliteStore
from jubao import sqlite_inline
from jubao.config import Settings
from jubao.db import QueuedSessionmaker
from jubao.identity import IdentityVault
from jubao.keys import SESSIONS, SETTINGS

log = logging.getLogger(__name__)


class QuickPath:
    def __init__(self, database: str, sessions: QueuedSessionmaker) -> None:
        self.database = database
        self.sessions = sessions
        self.connection: sqlite_inline.InlineConnection | None = None  # opened on first use

    async def handle(
        self, envelope: Envelope, *, vault: IdentityVault, settings: Settings, now: datetime
    ) -> Handled:
        """The message handled and committed, the quick way when it can be; raises
        intake.AlreadyHandled for a retry, as `intake.handle` does."""
        async with self.sessions.turns:
            handled = await self.try_plain(envelope, vault=vault, now=now)
            if handled is not None:
                return handled
            async with self.sessions.begin_in_turn() as session:
                return await intake.handle(
                    session, envelope, vault=vault, settings=settings, now=now
                )

    async def try_plain(
        self, envelope: Envelope, *, vault: IdentityVault, now: datetime
    ) -> Handled | None:
        """The message handled and committed the quick way, or None (nothing written) when it
        needs more. The caller holds the turn (`async with sessions.turns`)."""
        if self.connection is None:
            self.connection = await sqlite_inline.creator(self.database)()
        connection = self.connection
        try:
            sqlite = await connection.begin()
            handled = await intake.handle_plain(SqliteStore(sqlite), envelope, vault=vault, now=now)
            if handled is None:
                await connection.rollback()
            else:
                await connection.commit()
            return handled
        except intake.AlreadyHandled:  # a retry: nothing of it is kept
            await connection.rollback()
            raise
        except BaseException:
            await self._abandon(connection)
            raise

    async def _abandon(self, connection: sqlite_inline.InlineConnection) -> None:
        """After a failure (a failed commit included): roll back, and let the next message open
        a new connection, since the failure may have been this one's (a disk or file error)."""
        self.connection = None
        with contextlib.suppress(Exception):
            await connection.rollback()
        with contextlib.suppress(Exception):
            connection.stop()
        log.warning("quick path: a message failed; its connection is replaced")

    async def close(self) -> None:
        async with self.sessions.turns:
            if self.connection is not None:
                await self.connection.close()
                self.connection = None


QUICK_PATH = web.AppKey("quick_path", QuickPath)


async def quick_path(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: the quick path, for a SQLite database in a file."""
    sessions = app[SESSIONS]
    database = make_url(app[SETTINGS].database_url).database
    if not isinstance(sessions, QueuedSessionmaker) or not database or database == ":memory:":
        yield
        return
    app[QUICK_PATH] = path = QuickPath(database, sessions)
    try:
        yield
    finally:
        await path.close()
