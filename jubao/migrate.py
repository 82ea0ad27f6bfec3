"""Schema upgrades from inside the program, for `jubao db upgrade`, `serve` and the demo."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from jubao.db import make_engine


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("jubao") / "migrations"))
    return config


async def upgrade(database_url: str, revision: str = "head") -> None:
    await _run(database_url, lambda config: command.upgrade(config, revision))


async def downgrade(database_url: str, revision: str) -> None:
    await _run(database_url, lambda config: command.downgrade(config, revision))


async def _run(database_url: str, action) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)

    def on_connection(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        action(config)

    try:
        async with engine.connect() as connection:
            await connection.run_sync(on_connection)
            await connection.commit()
    finally:
        await engine.dispose()


@cache
def head_revision() -> str:
    """The revision this version of jubao needs (read from the shipped migrations once)."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("no migrations shipped")
    return head


async def schema_behind(engine: AsyncEngine) -> str | None:
    """None when the database's schema is this version's; otherwise why not, for an operator."""
    try:
        async with engine.connect() as connection:
            current = await connection.scalar(text("SELECT version_num FROM alembic_version"))
    except DBAPIError:
        current = None
    head = head_revision()
    if current == head:
        return None
    found = f"at revision {current}" if current else "not migrated"
    return f"the database schema is {found}, this version needs {head}: run `jubao db upgrade`"
