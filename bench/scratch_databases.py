"""A database for one run of a bench: SQLite in a temporary folder, or a scratch database on a
PostgreSQL server, dropped at the end."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bench.common import say
from jubao.db import make_engine


@asynccontextmanager
async def sqlite_database(prefix: str) -> AsyncIterator[str]:
    """The URL of a new SQLite database in a temporary folder, removed at the end."""
    folder = tempfile.mkdtemp(prefix=f"{prefix}-")
    try:
        yield f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@asynccontextmanager
async def postgresql_database(server_url: str, prefix: str) -> AsyncIterator[str]:
    """The URL of a new database on this server, dropped at the end."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    await admin(server_url, f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        await admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        say(f"    dropped scratch database {name}")


async def admin(server_url: str, sql: str) -> None:
    engine = make_engine(server_url).execution_options(isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(sql))
    finally:
        await engine.dispose()


def asyncpg_url(url: str) -> str:
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)
