"""Statements built with SQLAlchemy Core and run on the driver's own connection.

The hot path of every WeChat message (bot/quick_store.py) runs a handful of small statements;
SQLAlchemy's execution of each (compile-cache lookup, parameter processing, result rows, the
greenlet hop of its async layer) cost more than the database's work did, on SQLite as on
PostgreSQL. So those statements are written once with SQLAlchemy Core, compiled once per
dialect into the driver's own SQL (`?` for sqlite3, `$1` for asyncpg, which prepares each
statement once per connection and keeps it), and run on a `RawConnection`: one interface, two
drivers. Values are converted as SQLAlchemy would store them (times on SQLite are naive UTC
text), so rows written either way read the same.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement


@dataclass(frozen=True)
class RawStatement:
    sql: str
    names: tuple[str, ...]  # the parameters in the order the driver takes them
    fixed: Mapping[str, Any]  # values the statement carries itself (`hits + 1`'s 1)

    def arguments(self, params: Mapping[str, Any]) -> list[Any]:
        fixed = self.fixed
        return [params[name] if name in params else fixed[name] for name in self.names]


def raw_statement(
    statement: ClauseElement, dialect: Dialect, keys: Sequence[str] | None = None
) -> RawStatement:
    """`statement` compiled for `dialect`'s driver; `keys`: an INSERT's columns (the others
    are left to their defaults, as SQLAlchemy leaves them when a row names only these)."""
    compiled = statement.compile(dialect=dialect, column_keys=list(keys) if keys else None)
    names = tuple(compiled.positiontup or ())
    binds = [(name, compiled.binds[name]) for name in names]
    # the values a statement was built with (`hits + 1`'s 1); an INSERT's columns are the caller's
    fixed = {name: b.value for name, b in binds if not b.required and b.value is not None}
    return RawStatement(str(compiled), names, fixed)


class RawConnection(Protocol):
    """A driver connection inside a transaction its owner has begun."""

    async def one(self, statement: RawStatement, params: Mapping[str, Any]) -> tuple | None: ...

    async def all(self, statement: RawStatement, params: Mapping[str, Any]) -> list[tuple]: ...

    async def run(self, statement: RawStatement, params: Mapping[str, Any]) -> None: ...


@dataclass
class RawTransaction:
    """A transaction begun on a RawConnection (jubao/sqlite/own_connection.py,
    jubao/pooled_transactions.py): its statements go through `raw`; its owner commits when the
    block ends unless `keep` was set False, and rolls back when the block raises."""

    raw: RawConnection
    keep: bool = True


def sqlite_time(value: datetime) -> str:
    """A UtcDateTime as SQLAlchemy stores it in SQLite: naive UTC text, microseconds
    (isoformat: a third of strftime's cost, on every message)."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _sqlite_value(value: Any) -> Any:
    return sqlite_time(value) if isinstance(value, datetime) else value


class SqliteRaw:
    """A RawConnection on a sqlite3 connection (jubao/sqlite/own_connection.py)."""

    def __init__(self, sqlite: sqlite3.Connection) -> None:
        self.sqlite = sqlite

    def _execute(self, statement: RawStatement, params: Mapping[str, Any]) -> sqlite3.Cursor:
        values = [_sqlite_value(value) for value in statement.arguments(params)]
        return self.sqlite.execute(statement.sql, values)

    async def one(self, statement: RawStatement, params: Mapping[str, Any]) -> tuple | None:
        return self._execute(statement, params).fetchone()

    async def all(self, statement: RawStatement, params: Mapping[str, Any]) -> list[tuple]:
        return self._execute(statement, params).fetchall()

    async def run(self, statement: RawStatement, params: Mapping[str, Any]) -> None:
        self._execute(statement, params)


class AsyncpgRaw:
    """A RawConnection on an asyncpg connection (jubao/pooled_transactions.py)."""

    def __init__(self, connection: Any) -> None:  # asyncpg.Connection
        self.connection = connection

    async def one(self, statement: RawStatement, params: Mapping[str, Any]) -> tuple | None:
        row = await self.connection.fetchrow(statement.sql, *statement.arguments(params))
        return tuple(row) if row is not None else None

    async def all(self, statement: RawStatement, params: Mapping[str, Any]) -> list[tuple]:
        rows = await self.connection.fetch(statement.sql, *statement.arguments(params))
        return [tuple(row) for row in rows]

    async def run(self, statement: RawStatement, params: Mapping[str, Any]) -> None:
        await self.connection.execute(statement.sql, *statement.arguments(params))
