"""A console page that fails unexpectedly answers 500 as a console page saying only that: no
traceback, no exception text (it may hold what the user must not see) — those go to the log."""

from __future__ import annotations

from aiohttp import web

from jubao.app import create_app
from jubao.permissions import PUBLIC, ROUTES


async def failing(request: web.Request) -> web.Response:
    raise RuntimeError("钱多多 13912345678 in a failing query")


async def test_an_unexpected_error_is_a_plain_console_page(
    aiohttp_client, settings, clock, monkeypatch
):  # type: ignore[no-untyped-def]
    app = create_app(settings, clock=clock)
    app.router.add_get("/console/failing", failing)  # a page with a bug, for this test only
    monkeypatch.setitem(ROUTES, ("GET", "/console/failing"), PUBLIC)  # its permission row
    client = await aiohttp_client(app)
    response = await client.get("/console/failing")
    html = await response.text()
    assert response.status == 500 and "系统错误" in html and "请稍后重试" in html
    assert "Traceback" not in html and "RuntimeError" not in html
    assert "钱多多" not in html and "13912345678" not in html
