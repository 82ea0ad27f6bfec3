"""PostgreSQL going away under load (a restart, the network cut), simulated by a loopback proxy
the test cuts and restores — the shared server itself is never touched. While it is away every
route answers 503 without a traceback; once it is back the service answers again within 5 s with
no restart of its own, and nothing WeChat was answered 200 for is lost.

PostgreSQL only: SQLite is a file the process holds open, there is no server to lose."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy import text

from jubao.db import make_engine
from tests.conftest import EMPTY_POSTGRES
from tests.faults.proxy import CuttableProxy
from tests.wechat_client import NUMBER, MpClient

pytestmark = pytest.mark.postgres

STEPS = [
    "举报",
    "1",
    "塘桥镇",
    "宏达化工仓库，南京路18号",
    "消防通道被油漆桶堵死。",
    "完成",
    "2",
    "1",
]
BACK_WITHIN_SECONDS = 5.0  # the promise: answering again within 5 s of the database


@pytest.fixture
async def database_url(postgres_url: str) -> str:
    engine = make_engine(postgres_url)
    async with engine.begin() as connection:
        await connection.execute(EMPTY_POSTGRES)
    await engine.dispose()
    return postgres_url


@pytest.fixture
async def proxy(database_url: str):  # type: ignore[no-untyped-def]
    proxy = CuttableProxy.to(database_url)
    await proxy.start()
    yield proxy
    await proxy.cut()


@pytest.fixture
def settings(settings, proxy):  # type: ignore[no-untyped-def]
    return settings.replace(database_url=proxy.url(settings.database_url))


async def count(url: str, sql: str) -> int:
    engine = make_engine(url)
    async with engine.connect() as connection:
        value = (await connection.execute(text(sql))).scalar_one()
    await engine.dispose()
    return int(value)


async def test_while_the_database_is_away_everything_answers_503_without_a_traceback(
    client, wechat: MpClient, staff, proxy: CuttableProxy, caplog
):  # type: ignore[no-untyped-def]
    assert "举报须知" in await wechat.say("o-away", "举报")
    await proxy.cut()
    signed = wechat.signed("o-away", "text", Content="1")
    answered = await wechat.post(signed)
    api = await client.get(
        "/api/v1/reports", headers={"Authorization": f"Bearer {staff.tokens['wang']}"}
    )
    console = await client.get("/console/login")
    health = await client.get("/healthz")
    assert answered.status == 503 and "Traceback" not in answered.body
    assert api.status == 503 and (await api.json())["error"] == "unavailable"
    assert "Traceback" not in await console.text() and console.status in (200, 503)
    assert health.status == 503
    assert "Traceback" not in caplog.text

    await proxy.restore()
    back = time.monotonic()
    while (await client.get("/healthz")).status != 200:
        assert time.monotonic() - back < BACK_WITHIN_SECONDS, "not back within 5 s"
        await asyncio.sleep(0.1)
    retried = await wechat.post(signed)  # WeChat delivers the 503'd message again
    assert retried.status == 200 and retried.reply  # and the dialogue goes on from there
    assert await wechat.say("o-away", "塘桥镇") != retried.reply


async def test_under_load_nothing_answered_200_is_lost(
    wechat: MpClient, proxy: CuttableProxy, database_url: str
):  # type: ignore[no-untyped-def]
    """Twelve citizens file at once; the database goes away in the middle and comes back.
    Each message is delivered again until it is answered 200, as WeChat does: every answer is
    200 or 503, every report is filed once, and every acknowledged message is in the log."""
    statuses: list[int] = []
    acknowledged: list[str] = []
    numbers: list[str] = []

    async def citizen(openid: str) -> None:
        for step in STEPS:
            signed = wechat.signed(openid, "text", Content=step)
            for _ in range(400):  # WeChat gives up sooner; the test must not hang
                response = await wechat.post(signed)
                statuses.append(response.status)
                if response.status in (200, 500):
                    break
                await asyncio.sleep(0.05)
            assert response.status == 200, response.body
            acknowledged.append(openid)
            if match := NUMBER.search(response.reply):
                numbers.append(match.group(1))

    async def outage() -> None:
        while statuses.count(200) < 20:
            await asyncio.sleep(0.01)
        await proxy.cut()
        while statuses.count(503) < 10:
            await asyncio.sleep(0.01)
        await proxy.restore()

    await asyncio.gather(outage(), *(citizen(f"o-load-{n}") for n in range(12)))
    assert set(statuses) == {200, 503}  # it went away, and never a 500
    assert len(numbers) == len(set(numbers)) == 12
    assert await count(database_url, "SELECT count(*) FROM reports") == 12
    logged = "SELECT count(*) FROM inbound_messages WHERE channel = 'mp'"
    assert await count(database_url, logged) == 12 * len(STEPS) == len(acknowledged)
