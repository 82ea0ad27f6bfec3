"""Database plumbing: the declarative Base, UTC timestamps, the engine and its sessionmaker."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from functools import cache
from types import ModuleType

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

from jubao.config import async_url
from jubao.sqlite import driver
from jubao.sqlite.turns import QueuedSessionmaker

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


def make_engine(url: str, pool_size: int = 10) -> AsyncEngine:
    """An engine tuned for its backend.

    SQLite runs inline on the event loop (see jubao/sqlite/driver.py) over one connection, so
    writers queue in-process instead of failing with "database is locked", and each transaction
    starts with BEGIN IMMEDIATE so that separate processes wait for each other's write lock
    rather than dead-locking on an upgrade from read to write.

    Errors never print a statement's values (hide_parameters): a traceback in the log must not
    carry what a citizen sent.
    """
    url = async_url(url)
    if url.startswith("sqlite"):
        database = make_url(url).database or ":memory:"
        return create_async_engine(
            url,
            async_creator=driver.creator(database),
            pool_size=1,
            max_overflow=0,
            pool_timeout=60,
            hide_parameters=True,
        )
    # No pre-ping: asyncpg's costs three round trips (BEGIN, ";", ROLLBACK) on every checkout,
    # as much as a whole dialogue answer's statements. A connection that died (the server
    # restarted) fails its request with a 503 instead, and is replaced: SQLAlchemy invalidates
    # the pool on a disconnect it sees, jubao/pooled_transactions.py on one it does not.
    #
    # `pool_size` connections and no overflow: a burst waits for a connection instead of
    # opening more, which on a small machine only added backends contending for its cores
    # (32 concurrent messages on 2 cores: 10 + 10 overflow 800-1,140/s, 10 + 0 1,050-1,260/s).
    # N processes hold up to N x pool_size of the server's max_connections.
    return create_async_engine(
        url, pool_size=pool_size, max_overflow=0, pool_timeout=30, hide_parameters=True
    )


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    if engine.dialect.name == "sqlite":
        return QueuedSessionmaker(engine)
    return async_sessionmaker(engine, expire_on_commit=False)


class DatabaseUnavailable(Exception):
    """The database cannot be used; the message says which and why, in one line."""

    @staticmethod
    def reason(error: BaseException) -> str:
        """The driver's own first line for `error` (never a statement or its values)."""
        inner = getattr(error, "orig", None) or error.__cause__ or error
        if isinstance(inner, OSError) and inner.errno:  # "Connect call failed" says less
            return os.strerror(inner.errno).lower()
        lines = str(inner).strip().splitlines()
        return lines[0] if lines else type(inner).__name__


def safe_url(url: str) -> str:
    """A database URL fit for a message: the password hidden."""
    return make_url(url).render_as_string(hide_password=True)


async def check_reachable(engine: AsyncEngine) -> None:
    """Connect once; raises DatabaseUnavailable naming the database and the reason."""
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as error:
        url = engine.url.render_as_string(hide_password=True)
        message = f"cannot use the database {url}: {DatabaseUnavailable.reason(error)}"
        raise DatabaseUnavailable(message) from None


async def ping(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        await session.execute(text("SELECT 1"))


def dialect_module(dialect_name: str) -> ModuleType:
    """SQLAlchemy's dialect module, for its `insert` with ON CONFLICT (PostgreSQL, SQLite)."""
    return postgresql if dialect_name == "postgresql" else sqlite


def insert_ignoring_conflicts(dialect_name: str, table: Table) -> Insert:
    """INSERT … ON CONFLICT DO NOTHING on PostgreSQL and SQLite alike."""
    return dialect_module(dialect_name).insert(table).on_conflict_do_nothing()


@cache
def insert_new_row(dialect_name: str, table: Table) -> Insert:
    """INSERT … ON CONFLICT DO NOTHING RETURNING id, built once: run it with the row as its
    parameters (no `.values()`, whose literals cost a new cache key every time); the id is
    None when the row was there before."""
    return insert_ignoring_conflicts(dialect_name, table).returning(table.c.id)
