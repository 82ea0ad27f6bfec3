"""Migrations are code: each revision upgrades, downgrades and upgrades again, and the models
agree with the migrated schema, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import bindparam, inspect, text

from jubao import migrate
from jubao.db import UtcDateTime, make_engine
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


async def test_open_reports_get_a_first_look_from_the_sweep_after_0009(empty_url):
    """Reports filed before next_reminder_at existed: the open ones are due for one look at
    once (the sweep then sets their true moment), the finished ones never."""
    from complaints.models import Report

    await migrate.upgrade(empty_url, "0008")
    engine = make_engine(empty_url)
    received = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
    columns = (
        "number, year, seq, category, town_id, place, details, description, channel, "
        "anonymous, reporter_openid_enc, reporter_openid_hash, query_code_hash, status, "
        "urgent, received_at, accept_by"
    )
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text("INSERT INTO towns (id, name, position) VALUES (1, '塘桥镇', 0)")
            )
            for seq, status in ((1, "received"), (2, "closed"), (3, "investigating")):
                await connection.execute(
                    text(
                        f"INSERT INTO reports ({columns}) VALUES (:number, 2026, :seq, 'hazard', "
                        "1, '某作坊', '', '消防通道被堵', 'wechat', :no, 'enc', :hash, 'h', "
                        ":status, :no, :at, :at)"
                    ).bindparams(bindparam("at", type_=UtcDateTime())),
                    {
                        "number": f"ZJG-2026-{seq:06d}",
                        "seq": seq,
                        "hash": f"hash{seq}",
                        "status": status,
                        "no": False,
                        "at": received,
                    },
                )
        await migrate.upgrade(empty_url)
        from sqlalchemy import select

        from jubao.db import make_sessionmaker

        async with make_sessionmaker(engine)() as session:
            rows = dict(
                (await session.execute(select(Report.status, Report.next_reminder_at))).all()
            )
        assert rows["received"] == rows["investigating"] == received
        assert rows["closed"] is None
    finally:
        await engine.dispose()


async def test_0010_keeps_the_message_log_and_dialogues_and_still_refuses_duplicates(empty_url):
    """The upgrade rebuilds dialogues (WITHOUT ROWID on SQLite) and swaps inbound_messages'
    unique constraints for partial unique indexes: the rows stay, a repeated MsgId or event key
    is still refused, and so is it after a downgrade."""
    from sqlalchemy.exc import IntegrityError

    at = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
    insert_message = text(
        "INSERT INTO inbound_messages (channel, msg_id, event_key, msg_type, received_at, "
        "reply_enc, openid_hash) VALUES ('mp', :msg_id, :event_key, :kind, :at, 'r', 'h')"
    ).bindparams(bindparam("at", type_=UtcDateTime()))
    message = {"msg_id": 10**18, "event_key": None, "kind": "text", "at": at}
    event = {"msg_id": None, "event_key": "e" * 64, "kind": "event", "at": at}

    async def rows() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
        async with engine.connect() as connection:
            dialogues = (
                await connection.execute(text("SELECT openid_hash, state_enc FROM dialogues"))
            ).all()
            messages = (
                await connection.execute(
                    text("SELECT msg_id, event_key FROM inbound_messages ORDER BY id")
                )
            ).all()
        return [tuple(row) for row in dialogues], [tuple(row) for row in messages]

    async def refuses_duplicates() -> None:
        for duplicate in (message, event):
            with pytest.raises(IntegrityError):
                async with engine.begin() as connection:
                    await connection.execute(insert_message, duplicate)

    await migrate.upgrade(empty_url, "0009")
    engine = make_engine(empty_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO dialogues (openid_hash, state_enc, updated_at) "
                    "VALUES ('hash-1', 'state', :at)"
                ).bindparams(bindparam("at", type_=UtcDateTime())),
                {"at": at},
            )
            for row in (message, event):
                await connection.execute(insert_message, row)
        before = await rows()
        await engine.dispose()

        await migrate.upgrade(empty_url, "0010")
        assert await rows() == before == ([("hash-1", "state")], [(10**18, None), (None, "e" * 64)])
        await refuses_duplicates()
        await engine.dispose()

        await migrate.downgrade(empty_url, "0009")
        assert await rows() == before
        await refuses_duplicates()
    finally:
        await engine.dispose()
