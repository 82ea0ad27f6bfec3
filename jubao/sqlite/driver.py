"""SQLite run inline on the event loop, behind the aiosqlite interface SQLAlchemy expects.

aiosqlite runs every call on a worker thread and wakes the event loop for each result: a
message's transaction (about twenty calls) spent far more time in those hops than SQLite
spent working (bench/callback_floor.py measures the layers). Our statements are small and
WAL with synchronous=NORMAL does not fsync on commit, so each call runs inline instead. Waiting
for another connection's write lock happens on the event loop (asyncio.sleep between tries,
up to BUSY_TIMEOUT_MS), never inside SQLite; PostgreSQL is the answer for busy installations.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Iterable, Sequence
from typing import Any

BUSY_TIMEOUT_MS = 30_000
# The commit that takes the WAL file past this many pages copies them into the database file
# and syncs both, on the event loop. At 4,096 pages (a 16 MB WAL; SQLite's default is 1,000)
# a page written by many messages is copied once instead of four times, with a quarter of the
# syncs (the README's benchmark section has the measurements).
WAL_AUTOCHECKPOINT_PAGES = 4096


async def begin_immediate(connection: sqlite3.Connection) -> None:
    """SQLAlchemy leaves BEGIN to the driver; ours takes the write lock at once (IMMEDIATE) so
    that two connections never dead-lock upgrading a read lock. While another connection holds
    the lock we wait on the event loop, not in SQLite's busy handler, so a holder in this same
    process can finish (in WAL mode nothing else waits). Nothing to do inside a transaction."""
    if connection.in_transaction:
        return
    deadline, pause = time.monotonic() + BUSY_TIMEOUT_MS / 1000, 0.001
    while True:
        try:
            connection.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
        await asyncio.sleep(pause)
        pause = min(pause * 2, 0.05)


class InlineCursor:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection
        self._cursor = connection.cursor()

    async def _begin(self) -> None:
        await begin_immediate(self._connection)

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._cursor.close()

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> InlineCursor:
        await self._begin()
        self._cursor.execute(sql, parameters)
        return self

    async def executemany(self, sql: str, seq: Iterable[Sequence[Any]]) -> InlineCursor:
        await self._begin()
        self._cursor.executemany(sql, seq)
        return self

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def close(self) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class InlineConnection:
    """What SQLAlchemy's aiosqlite adapter uses of an aiosqlite connection, run inline."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection: sqlite3.Connection | None = connection

    def _live(self) -> sqlite3.Connection:
        if self._connection is None:
            raise ValueError("Connection closed")
        return self._connection

    def cursor(self) -> InlineCursor:
        return InlineCursor(self._live())

    async def begin(self) -> sqlite3.Connection:
        """A new transaction on the sqlite3 connection itself (one left open by a failed commit
        is rolled back first), for a caller that owns this connection (own_connection.py)."""
        connection = self._live()
        if connection.in_transaction:
            connection.rollback()
        await begin_immediate(connection)
        return connection

    @property
    def sqlite(self) -> sqlite3.Connection:
        """The sqlite3 connection itself (for tests that trace or explain its statements)."""
        return self._live()

    async def commit(self) -> None:
        self._live().commit()

    async def rollback(self) -> None:
        self._live().rollback()

    async def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._live().create_function(*args, **kwargs)

    @property
    def isolation_level(self) -> str | None:
        return self._live().isolation_level


def creator(path: str):  # type: ignore[no-untyped-def]
    """An `async_creator` for create_async_engine: the sqlite3 module's own transaction handling
    off (each cursor sends BEGIN IMMEDIATE itself), WAL, foreign keys; no SQLite busy wait."""

    async def connect() -> InlineConnection:
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=0)
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "foreign_keys=ON",
            f"wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}",
        ):
            connection.execute(f"PRAGMA {pragma}")
        return InlineConnection(connection)

    return connect
