"""No database error writes the values of its statement to the log: asyncpg's own messages
quote query arguments ("invalid input for query argument $1: '…'") and PostgreSQL's quote bad
input, which SQLAlchemy's hide_parameters does not reach. The errors are forced with a
recognisable value through the app's own engine and logged as `jubao serve` logs them."""

from __future__ import annotations

import io
import logging

import pytest
from aiohttp import web
from sqlalchemy import text

from jubao import logs
from jubao.app import create_app
from jubao.keys import SESSIONS
from jubao.logs import PathOnlyAccessLogger
from jubao.permissions import PUBLIC, ROUTES

SECRET = "举报人王秘密13800138000"
STATEMENTS = {
    "postgresql": [
        "SELECT CAST(:value AS INTEGER)",  # asyncpg refuses the argument, quoting it
        "SELECT CAST(CAST(:value AS TEXT) AS INTEGER)",  # PostgreSQL refuses it, quoting it
        "SELECT CAST(:value AS TEXT)::jsonb",
    ],
    "sqlite": ["SELECT * FROM no_such_table WHERE a = :value"],
}


def failing(statement: int):  # type: ignore[no-untyped-def]
    async def view(request: web.Request) -> web.Response:
        async with request.app[SESSIONS]() as session:
            sql = STATEMENTS[session.bind.dialect.name]
            await session.execute(text(sql[statement % len(sql)]), {"value": SECRET})
        return web.Response(text="not reached")

    return view


@pytest.fixture
def served_log():  # type: ignore[no-untyped-def]
    """The log as `jubao serve` writes it (jubao.logs' formatter), into a string."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.SafeFormatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    yield stream
    root.removeHandler(handler)


async def test_database_errors_never_log_the_values_they_were_given(
    aiohttp_client, settings, clock, served_log, monkeypatch
):  # type: ignore[no-untyped-def]
    app = create_app(settings, clock=clock)
    for n in range(3):
        app.router.add_get(f"/faults/{n}", failing(n))  # aiohttp logs the error itself
        app.router.add_get(f"/api/v1/faults/{n}", failing(n))  # the API's middleware logs it
        for path in (f"/faults/{n}", f"/api/v1/faults/{n}"):  # their permission rows
            monkeypatch.setitem(ROUTES, ("GET", path), PUBLIC)
    client = await aiohttp_client(app, server_kwargs={"access_log_class": PathOnlyAccessLogger})
    for n in range(3):
        assert (await client.get(f"/faults/{n}")).status == 500
        api = await client.get(f"/api/v1/faults/{n}")
        assert api.status == 500 and (await api.json())["error"] == "internal"
    written = served_log.getvalue()
    assert written.count("Traceback") >= 6  # the errors were logged, with their frames
    for part in (SECRET, SECRET[:5], "13800138000"):
        assert part not in written
    if settings.database_url.startswith("postgresql"):
        assert "invalid input for query argument $1: (value not logged)" in written
        assert "SQLSTATE 22P02" in written  # what kind of error stays said


REFUSE_WRITES = {  # the dialogue's write fails, PostgreSQL quoting a value as its errors do
    "postgresql": (
        [
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            " RAISE EXCEPTION 'refused %', quote_literal(NEW.openid_hash); END $$",
            "CREATE TRIGGER refuse BEFORE UPDATE ON dialogues"
            " FOR EACH ROW EXECUTE FUNCTION refuse()",
        ],
        ["DROP TRIGGER refuse ON dialogues", "DROP FUNCTION refuse()"],
    ),
    "sqlite": (
        ["CREATE TRIGGER refuse BEFORE UPDATE ON dialogues BEGIN SELECT RAISE(ABORT, 'no'); END"],
        ["DROP TRIGGER refuse"],
    ),
}


async def test_a_failing_quick_path_logs_no_value_and_its_retry_is_answered(
    wechat, sessions, database_url, served_log
):  # type: ignore[no-untyped-def]
    """A dialogue-only answer runs on the driver's own statements (bot/intake.py), whose
    errors SQLAlchemy never wraps, and PostgreSQL's errors quote values (here the sender's keyed
    hash). The delivery fails without a trace of them in the log, and WeChat's retry, once the
    database takes writes again, is answered."""
    await wechat.say("o-fail", "举报")
    await wechat.say("o-fail", "1")
    assert "单位名称和地址" in await wechat.say("o-fail", "塘桥镇")
    dialect = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    refuse, allow = REFUSE_WRITES[dialect]
    async with sessions.begin() as session:
        openid_hash, state = (
            await session.execute(text("SELECT openid_hash, state_enc FROM dialogues"))
        ).one()
        for statement in refuse:
            await session.execute(text(statement))
    signed = wechat.signed("o-fail", "text", Content="塘桥镇东街一家无名五金加工作坊")
    failed = await wechat.post(signed)
    assert failed.status == 500 and failed.reply == ""
    written = served_log.getvalue()
    assert "Traceback" in written  # the failure was logged, with its frames
    for part in (openid_hash, state[:40], "Failing row", "塘桥镇东街"):
        assert part not in written
    async with sessions.begin() as session:
        for statement in allow:
            await session.execute(text(statement))
    retried = await wechat.post(signed)
    assert retried.status == 200 and "具体情况" in retried.reply
