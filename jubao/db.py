"""Database plumbing: the declarative Base, UTC timestamps, the engine and its sessionmaker."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from functools import cache
from typing import Any

from aiohttp import web
from sqlalchemy import DateTime, Insert, MetaData, Table, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from jubao import sqlite_inline
from jubao.keys import ENGINE, SESSIONS, SETTINGS

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def make_engine(url: str) -> AsyncEngine:
    """An engine tuned for its backend.

    SQLite runs inline on the event loop (see jubao/sqlite_inline.py) over one connection, so
    writers queue in-process instead of failing with "database is locked", and each transaction
    starts with BEGIN IMMEDIATE so that separate processes wait for each other's write lock
    rather than dead-locking on an upgrade from read to write.

    Errors never print a statement's values (hide_parameters): a traceback in the log must not
    carry what a citizen sent.
    """
    if url.startswith("sqlite"):
        database = make_url(url).database or ":memory:"
        return create_async_engine(
            url,
            async_creator=sqlite_inline.creator(database),
            pool_size=1,
            max_overflow=0,
            pool_timeout=60,
            hide_parameters=True,
        )
    return create_async_engine(
        url, pool_size=10, max_overflow=10, pool_pre_ping=True, hide_parameters=True
    )


class Turns:
    """First come, first served, one at a time: an asyncio.Lock (it wakes waiters in order and
    lets no newcomer pass them) that knows its holder, so that a task asking again while it
    holds the turn fails at once instead of waiting for itself for ever."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._holder: asyncio.Task[object] | None = None

    async def acquire(self) -> None:
        task = asyncio.current_task()
        if task is not None and task is self._holder:
            raise RuntimeError("a SQLite session opened inside another would wait for ever")
        await self._lock.acquire()
        self._holder = task

    def release(self) -> None:
        self._holder = None
        self._lock.release()

    def held_here(self) -> bool:
        """Whether the current task holds the turn."""
        return self._holder is not None and self._holder is asyncio.current_task()

    async def __aenter__(self) -> None:
        await self.acquire()

    async def __aexit__(self, *exc_info: object) -> None:
        self.release()


class QueuedSession(AsyncSession):
    """A session that waits its turn (see QueuedSessionmaker) when used as `async with`."""

    async def __aenter__(self) -> QueuedSession:
        await self.info["turns"].acquire()
        self.info["holding"] = True
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        try:
            await super().__aexit__(*exc_info)  # type: ignore[arg-type]
        finally:
            if self.info.pop("holding", False):
                self.info["turns"].release()


class _InTurn:
    """`async with`: wait for the turn, then enter `inner`; leave it, then give the turn on."""

    def __init__(self, turns: Turns, inner: Any) -> None:
        self.turns, self.inner = turns, inner

    async def __aenter__(self) -> Any:
        await self.turns.acquire()
        try:
            return await self.inner.__aenter__()
        except BaseException:
            self.turns.release()
            raise

    async def __aexit__(self, *exc_info: object) -> None:
        try:
            await self.inner.__aexit__(*exc_info)
        finally:
            self.turns.release()


class QueuedSessionmaker(async_sessionmaker[AsyncSession]):
    """Sessions that take turns, first come first served, for SQLite (one pooled connection).

    SQLAlchemy's pool wait is not fair: a connection handed back wakes the first waiter, but a
    newcomer that asks before the waiter runs takes it, and the waiter goes to the back of the
    line. Under load most callbacks waited milliseconds and a few waited seconds (bench/
    callback.py: p99 0.3 to 2.7 s at a p50 of 50 ms). The turn is taken here, before the pool
    is asked. Whatever else uses the database in this process takes the same `turns`
    (bot/quick_path.py)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.turns = Turns()
        super().__init__(
            engine, class_=QueuedSession, expire_on_commit=False, info={"turns": self.turns}
        )

    def begin(self) -> Any:
        return _InTurn(self.turns, super().begin())

    def begin_in_turn(self) -> Any:
        """`begin()` for a caller that holds the turn already (`async with sessions.turns`)."""
        if not self.turns.held_here():
            raise RuntimeError("begin_in_turn() without holding the turn")
        return super().begin()


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    if engine.dialect.name == "sqlite":
        return QueuedSessionmaker(engine)
    return async_sessionmaker(engine, expire_on_commit=False)


async def database(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: the engine and sessionmaker live as long as the app."""
    engine = make_engine(app[SETTINGS].database_url)
    app[ENGINE] = engine
    app[SESSIONS] = make_sessionmaker(engine)
    yield
    await engine.dispose()


async def ping(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        await session.execute(text("SELECT 1"))


async def run_in_transaction(database_url: str, work):  # type: ignore[no-untyped-def]
    """For commands outside the web app: one engine, one transaction around `work(session)`."""
    return await run_with_sessions(database_url, lambda sessions: _in_one(sessions, work))


async def _in_one(sessions, work):  # type: ignore[no-untyped-def]
    async with sessions.begin() as session:
        return await work(session)


async def run_with_sessions(database_url: str, work):  # type: ignore[no-untyped-def]
    """For commands that run their own transactions: one engine, `work(sessionmaker)`."""
    engine = make_engine(database_url)
    try:
        return await work(make_sessionmaker(engine))
    finally:
        await engine.dispose()


def insert_ignoring_conflicts(dialect_name: str, table: Table) -> Insert:
    """INSERT … ON CONFLICT DO NOTHING on PostgreSQL and SQLite alike."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing()


@cache
def insert_new_row(dialect_name: str, table: Table) -> Insert:
    """INSERT … ON CONFLICT DO NOTHING RETURNING id, built once: run it with the row as its
    parameters (no `.values()`, whose literals cost a new cache key every time); the id is
    None when the row was there before."""
    return insert_ignoring_conflicts(dialect_name, table).returning(table.c.id)
