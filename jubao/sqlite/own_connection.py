"""A transaction on a sqlite3 connection of its own, outside SQLAlchemy.

An ORM session's begin, commit and close cost twice what SQLite's own transaction does, so the
bot's quick path (bot/intake.py: QuickIntake) runs its few statements on a connection kept for
them; jubao/pooled_transactions.py is PostgreSQL's counterpart. It is still one transaction,
begun with BEGIN IMMEDIATE and committed before the caller goes on. The caller holds the
process's turn (jubao/sqlite/turns.py), so this connection and the sessions' never contend for
SQLite's write lock.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator

from jubao.raw_sql import RawTransaction, SqliteRaw
from jubao.sqlite import driver

log = logging.getLogger(__name__)


class OwnConnection:
    def __init__(self, path: str) -> None:
        self.path = path
        self.connection: driver.InlineConnection | None = None  # opened on first use

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[RawTransaction]:
        """Commits when the block ends (rolls back if it set `keep = False`) and rolls back
        when it raises. After a database or file error (a failed commit included) the
        connection is replaced: the failure may have been this connection's."""
        if self.connection is None:
            self.connection = await driver.creator(self.path)()
        connection = self.connection
        try:
            transaction = RawTransaction(SqliteRaw(await connection.begin()))
            yield transaction
            if transaction.keep:
                await connection.commit()
            else:
                await connection.rollback()
        except (sqlite3.Error, OSError):
            self._abandon(connection)
            raise
        except BaseException:
            await connection.rollback()
            raise

    def _abandon(self, connection: driver.InlineConnection) -> None:
        self.connection = None
        with contextlib.suppress(Exception):
            connection.stop()  # closing rolls back what was left open
        log.warning(
            "SQLite: a transaction failed on its own connection; the connection is replaced"
        )

    async def close(self) -> None:
        if self.connection is not None:
            await self.connection.close()
            self.connection = None
