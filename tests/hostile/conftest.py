"""Hostile input (issue 14, item 4): hypothesis runs derandomized with modest example counts,
so the suite stays fast and a failure is the same on every run; the app serves both WeChat
callbacks, the API and the console on the real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jubao.app import create_app
from jubao.models import metadata
from tests.wechat_client import MpClient, WorkClient

hypothesis_settings.register_profile(
    "hostile",
    max_examples=60,
    deadline=None,  # a database round trip has no fixed time
    derandomize=True,  # the same examples on every run: CI failures reproduce
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # one app per test, shared by its examples
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
HOSTILE = hypothesis_settings.get_profile("hostile")

# WeChat Work's published test app (SPEC §2), as in tests/bot/test_work.py.
WORK = {
    "work_token": "QDG6eK",
    "work_aes_key": "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
    "work_corpid": "wx5823bf96d3bd56c7",
}


@pytest.fixture
async def hostile_app(aiohttp_client, settings, clock, side, towns):  # type: ignore[no-untyped-def]
    """The app with the Official Account and the WeChat Work app: (client, mp, work)."""
    app_settings = settings.replace(**WORK)
    client = await aiohttp_client(create_app(app_settings, clock=clock))
    return client, MpClient(client, side, clock), WorkClient.of(client, app_settings, clock)


async def row_counts(sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    """How many rows each table has: a refusal must leave every count as it was — but for
    the rate limits' counters, which count every request, refused or not (by design)."""
    async with sessions() as session:
        return {
            table.name: await session.scalar(select(func.count()).select_from(table)) or 0
            for table in metadata.sorted_tables
            if table.name not in ("alembic_version", "rate_counts")
        }
