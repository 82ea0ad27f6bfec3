"""Fixtures: the real app on a real database (SQLite, and PostgreSQL when
JUBAO_TEST_POSTGRES_URL is set), a controlled clock, and WeChat's side of the protocol."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from complaints.registry import load_registry, parse_registry
from jubao import migrate
from jubao.app import create_app
from jubao.clock import FixedClock
from jubao.config import Settings
from jubao.db import make_engine, make_sessionmaker
from jubao.demo import DEMO_MP, demo_registry
from jubao.demo.fake_api import FakeWeChat
from jubao.demo.wechat import OfficialAccountSide
from jubao.logs import PathOnlyAccessLogger
from jubao.models import metadata
from tests.database import empty_sqlite
from tests.factories import Reports
from tests.fake_wechat import pointing_at, serve_fake_api
from tests.staff import StaffApi
from tests.wechat_client import MpClient

POSTGRES_URL = os.environ.get("JUBAO_TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
TEST_KEY = Fernet.generate_key().decode()
CLOSED_PORT = "http://127.0.0.1:9"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if POSTGRES_URL:
        return
    skip = pytest.mark.skip(reason="JUBAO_TEST_POSTGRES_URL is not set")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


async def _admin(sql: str) -> None:
    engine = create_async_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.execute(text(sql))
    await engine.dispose()


def _in_thread(coroutine: Coroutine[object, object, object]) -> object:
    """Run a coroutine to completion on its own loop (fixtures may already be inside one)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def stamp_head(connection: AsyncConnection) -> None:
    """Record a schema made by create_all as migrated to head, as `jubao db upgrade` would."""
    await connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32))"))
    await connection.execute(
        text("INSERT INTO alembic_version VALUES (:head)"), {"head": migrate.head_revision()}
    )


async def _create_schema(url: str) -> None:
    engine = make_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
        await stamp_head(connection)
    await engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with every table, stamped at head: built once per session, copied by
    each test that wants an empty database (`empty_sqlite`)."""
    path = tmp_path_factory.mktemp("schema") / "template.db"
    _in_thread(_create_schema(f"sqlite+aiosqlite:///{path}"))
    return path


# TRUNCATE ... RESTART IDENTITY, done by DELETE: the same empty tables and restarted ids, but
# TRUNCATE gives every table and index new files, some 0.4 s a test against 0.02 s here.
EMPTY_POSTGRES = text(
    "DO $$ DECLARE s record; BEGIN "
    + "".join(f'DELETE FROM "{table.name}"; ' for table in reversed(metadata.sorted_tables))
    + "FOR s IN SELECT schemaname, sequencename FROM pg_sequences "
    "WHERE schemaname = current_schema() LOOP "
    "EXECUTE format('ALTER SEQUENCE %I.%I RESTART', s.schemaname, s.sequencename); "
    "END LOOP; END $$"
)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, migrated to head."""
    name = f"jubao_test_{uuid.uuid4().hex[:12]}"
    _in_thread(_admin(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    _in_thread(migrate.upgrade(url))
    yield url
    _in_thread(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=BACKENDS)
async def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> AsyncIterator[str]:
    """An empty schema: a copy of the session's SQLite template, or the session's PostgreSQL
    database emptied."""
    if request.param == "sqlite":
        yield empty_sqlite(sqlite_template, tmp_path / "test.db")
        return
    url = request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    async with engine.begin() as connection:
        await connection.execute(EMPTY_POSTGRES)
    await engine.dispose()
    yield url


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 27, 2, 0, tzinfo=UTC))  # 10:00 in Zhangjiagang


@pytest.fixture
def settings(database_url: str, tmp_path) -> Settings:  # type: ignore[no-untyped-def]
    return Settings(
        database_url=database_url,
        secret_key="test-secret",
        identity_keys=(TEST_KEY,),
        media_dir=str(tmp_path / "media"),
        # Never WeChat's real hosts: a closed loopback port unless a test serves the fake API.
        scheduler=False,  # tests run jobs explicitly; test_scheduler starts it
        mp_api_base=CLOSED_PORT,
        work_api_base=CLOSED_PORT,
        **DEMO_MP,
    )


@pytest.fixture
async def sessions(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = make_engine(settings.database_url)
    yield make_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
async def towns(sessions: async_sessionmaker[AsyncSession]) -> list[str]:
    data = parse_registry(demo_registry())
    async with sessions.begin() as session:
        await load_registry(session, data)
    return list(data.towns)


@pytest.fixture
async def client(aiohttp_client, settings: Settings, clock: FixedClock):  # type: ignore[no-untyped-def]
    return await aiohttp_client(
        create_app(settings, clock=clock),
        server_kwargs={"access_log_class": PathOnlyAccessLogger},
    )


@pytest.fixture
def side(settings: Settings) -> OfficialAccountSide:
    return OfficialAccountSide(settings.mp_token, settings.mp_appid, settings.mp_aes_key)


@pytest.fixture
def wechat(client, side: OfficialAccountSide, clock: FixedClock, towns: list[str]) -> MpClient:  # type: ignore[no-untyped-def]
    return MpClient(client, side, clock)


@pytest.fixture
async def fake_api(aiohttp_server, settings: Settings, clock: FixedClock) -> FakeWeChat:  # type: ignore[no-untyped-def]
    """WeChat's API servers (Official Account and WeChat Work) on loopback, on the test clock."""
    return await serve_fake_api(aiohttp_server, settings, clock)


@pytest.fixture
def api_settings(settings: Settings, fake_api: FakeWeChat) -> Settings:
    """`settings` with WeChat credentials and JUBAO_*_API_BASE pointing at `fake_api`."""
    return pointing_at(settings, fake_api)


@pytest.fixture
async def staff(client, sessions, clock, towns):  # type: ignore[no-untyped-def]
    """The demo's staff: dispatcher wang, leader li, finance qian, auditor zhao, admin root,
    officers zhangwei (塘桥镇) and the city brigade's officers, with tokens."""
    api = StaffApi(client, sessions, clock)
    await api.add("wang", "dispatcher")
    await api.add("li", "leader")
    await api.add("qian", "finance")
    await api.add("zhao", "auditor")
    await api.add("root", "admin")
    await api.add("zhangwei", "officer", wework_id="zhangwei")
    return api


@pytest.fixture
def reports(
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    clock: FixedClock,
    towns: list[str],
) -> Reports:
    """Reports filed and advanced through the domain services (tests/factories.py), on the
    demo registry, at the test clock's time unless told."""
    return Reports(sessions, settings, clock)
