"""Migrations are code: each revision upgrades, downgrades and upgrades again, and the models
agree with the migrated schema, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from jubao import migrate
from jubao.db import make_engine
from jubao.models import metadata
from tests.conftest import BACKENDS, POSTGRES_URL, _admin


@pytest.fixture(params=BACKENDS)
async def empty_url(request, tmp_path):  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'stairway.db'}"
        return
    from sqlalchemy.engine import make_url

    name = f"jubao_stairway_{tmp_path.name[-8:].lower().replace('-', '_')}"
    await _admin(f'DROP DATABASE IF EXISTS "{name}"')
    await _admin(f'CREATE DATABASE "{name}"')
    yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def revisions() -> list[str]:
    script = ScriptDirectory.from_config(migrate.alembic_config())
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


async def table_names(url: str) -> set[str]:
    engine = make_engine(url)
    async with engine.connect() as connection:
        names = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    await engine.dispose()
    return names - {"alembic_version"}


async def test_stairway(empty_url):
    previous = "base"
    for revision in revisions():
        await migrate.upgrade(empty_url, revision)
        await migrate.downgrade(empty_url, previous)
        await migrate.upgrade(empty_url, revision)
        previous = revision
    assert await table_names(empty_url) == set(metadata.tables)
    await migrate.downgrade(empty_url, "base")
    assert await table_names(empty_url) == set()


async def test_models_and_migrations_agree(empty_url):
    await migrate.upgrade(empty_url)
    engine = make_engine(empty_url)
    async with engine.connect() as connection:
        differences = await connection.run_sync(
            lambda sync: compare_metadata(
                MigrationContext.configure(sync, opts={"compare_type": True}), metadata
            )
        )
        version = (
            await connection.execute(text("SELECT version_num FROM alembic_version"))
        ).scalar()
    await engine.dispose()
    assert differences == []
    assert version == revisions()[-1]
