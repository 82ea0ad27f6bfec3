"""Schema upgrades from inside the program, for `jubao db upgrade`, `serve` and the demo."""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

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
