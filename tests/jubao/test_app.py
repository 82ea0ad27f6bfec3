"""The app as a whole: health, and an unconfigured Official Account."""

from __future__ import annotations

from jubao.app import create_app


async def test_health_is_ok_while_the_database_answers(client):
    response = await client.get("/healthz")
    assert response.status == 200 and await response.json() == {"status": "ok"}


async def test_health_reports_an_unreachable_database(aiohttp_client, settings, tmp_path):
    broken = settings.replace(database_url=f"sqlite+aiosqlite:///{tmp_path}/missing/dir/x.db")
    client = await aiohttp_client(create_app(broken))
    response = await client.get("/healthz")
    assert response.status == 503 and (await response.json())["status"] == "unavailable"


async def test_callback_without_an_official_account_is_unavailable(aiohttp_client, settings):
    client = await aiohttp_client(create_app(settings.replace(mp_token="")))
    assert (await client.post("/wechat/mp", data=b"<xml/>")).status == 503
    assert (await client.get("/wechat/mp")).status == 503
