"""The runtime of a command that uses the database: a SQLite database is migrated first (it is
the operator's own file, and `serve` does the same); PostgreSQL must already be at this
version's schema, else the command stops, in one line, asking for `jubao db upgrade`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from jubao import migrate
from jubao.clock import Clock
from jubao.config import Settings
from jubao.db import DatabaseUnavailable
from jubao.runtime import Runtime, runtime


async def ready(settings: Settings) -> None:
    """Migrate SQLite; then the database must answer and be at this version's schema."""
    async with runtime(settings) as built:
        if settings.is_sqlite:
            await migrate.upgrade(settings.database_url)
        behind = await migrate.schema_behind(built.engine)
    if behind:
        raise DatabaseUnavailable(behind)


@asynccontextmanager
async def prepared(settings: Settings, *, clock: Clock | None = None) -> AsyncIterator[Runtime]:
    await ready(settings)
    async with runtime(settings, clock=clock) as built:
        yield built
