"""Every console form without a valid csrf_token (SPEC §11 "Console"): every POST route the app
registers under /console, by a user allowed to post it with fields that would change something,
answers 403 and changes nothing — no row of any table differs."""

from __future__ import annotations

import pytest
from aiohttp import FormData
from sqlalchemy import select

from jubao.db import Base
from tests.console.test_console_roles import EXPECTED, console_routes
from tests.console.test_sign_in import CSRF, log_in
from tests.enterprise_lists import csv_file, seed_rows
from tests.staff import PASSWORD, StaffApi

SUBSTANTIATED = {"finding": "substantiated", "summary": "通道堵塞属实", "fine": 100000}
CALL = {
    "channel": "phone",
    "category": "hazard",
    "town": "塘桥镇",
    "place": "东街一家五金作坊",
    "description": "仓库消防通道被化工原料桶堵死。",
    "name": "王建国",
    "phone": "13912345678",
}
NEW_USER = {"username": "xinren", "role": "officer", "password": "a-long-password-42"}
# route -> (who posts it, the fields besides csrf_token); the report routes act on a named report
# just received, the reward routes on a closed one.
POSTS: dict[str, tuple[str | None, dict[str, str]]] = {
    "/console/login": (None, {"username": "wang", "password": PASSWORD}),
    "/console/logout": ("wang", {}),
    "/console/account/totp": ("wang", {"totp": "123456"}),
    "/console/account/totp/disable": ("wang", {"totp": "123456"}),
    "/console/reports/new": ("wang", CALL),
    "/console/reports/{number}/actions": ("wang", {"action": "accept"}),
    "/console/reports/{number}/reveal": ("wang", {"reason": "回访举报人"}),
    "/console/reports/{number}/messages": ("wang", {"text": "请补充现场照片。"}),
    "/console/reports/{number}/notes": ("wang", {"text": "明天去现场。"}),
    "/console/rewards/{number}/actions": ("wang", {"action": "propose", "amount": "15000"}),
    "/console/rewards/{number}/payee": ("qian", {"reason": "发放奖金"}),
    "/console/registry/users": ("root", NEW_USER),
    "/console/registry/enterprises": ("root", {}),  # multipart: a file is added
}
ENTERPRISES = csv_file(seed_rows(2))


def test_every_console_post_route_is_tried(client):  # type: ignore[no-untyped-def]
    routes = {path for method, path in console_routes(client.server.app) if method == "POST"}
    assert routes == set(POSTS) == {path for method, path in EXPECTED if method == "POST"}


async def everything(sessions) -> dict[str, list[tuple[object, ...]]]:  # type: ignore[no-untyped-def]
    """Every row of every table."""
    async with sessions() as session:
        return {
            table.name: sorted(
                (tuple(row) for row in await session.execute(select(table))), key=repr
            )
            for table in Base.metadata.sorted_tables
        }


@pytest.fixture
async def world(client, sessions, clock, towns, reports):  # type: ignore[no-untyped-def]
    staff = StaffApi(client, sessions, clock)
    await staff.add("wang", "dispatcher")
    await staff.add("qian", "finance")
    await staff.add("root", "admin")
    await staff.add("zhangwei", "officer", wework_id="zhangwei")
    await staff.add("li", "leader")
    await staff.add("zhao", "auditor")
    named = await reports.filed(name="钱多多", phone="13912345678")
    closed = await reports.advanced("closed", conclusion=SUBSTANTIATED)
    return {"/console/reports/": named.number, "/console/rewards/": closed.number}


@pytest.mark.parametrize("token", [None, "not-the-token"], ids=["missing", "wrong"])
@pytest.mark.parametrize("route", sorted(POSTS))
async def test_a_post_without_a_valid_csrf_token_is_refused_and_changes_nothing(  # type: ignore[no-untyped-def]
    client, sessions, world, route, token
):
    who, fields = POSTS[route]
    if who is not None:
        assert (await log_in(client, who)).status == 303
    path = route
    for prefix, number in world.items():
        path = path.replace(f"{prefix}{{number}}", f"{prefix}{number}")
    data: dict[str, str] | FormData = fields | ({"csrf_token": token} if token else {})
    if route == "/console/registry/enterprises":
        data = FormData()
        if token:
            data.add_field("csrf_token", token)
        data.add_field("file", ENTERPRISES, filename="e.csv", content_type="text/csv")
    before = await everything(sessions)
    response = await client.post(path, data=data, allow_redirects=False)
    assert response.status == 403
    assert "表单已失效" in await response.text()
    assert await everything(sessions) == before


REPORT_POSTS = sorted(route for route in POSTS if route.startswith("/console/reports/{number}/"))


@pytest.mark.parametrize("username", ["zhao", "qian", "root"])
async def test_the_auditor_finance_and_admin_change_no_report(client, sessions, world, username):  # type: ignore[no-untyped-def]
    """Read-only (the auditor) or no reports at all (finance, admin): each report form with its
    real fields and a valid token is refused with 403, and nothing changes."""
    assert (await log_in(client, username)).status == 303
    token = CSRF.search(await (await client.get("/console/account")).text()).group(1)
    number = world["/console/reports/"]
    for route in REPORT_POSTS:
        before = await everything(sessions)
        fields = POSTS[route][1] | {"csrf_token": token}
        path = route.replace("{number}", number)
        response = await client.post(path, data=fields, allow_redirects=False)
        assert response.status == 403, route
        assert await everything(sessions) == before, route


@pytest.mark.parametrize("action", ["propose", "refuse", "exclude", "approve"])
async def test_the_auditor_reads_rewards_and_moves_none(client, sessions, world, action):  # type: ignore[no-untyped-def]
    assert (await log_in(client, "zhao")).status == 303
    number = world["/console/rewards/"]
    html = await (await client.get(f"/console/rewards/{number}")).text()  # opens the reward
    before = await everything(sessions)
    response = await client.post(
        f"/console/rewards/{number}/actions",
        data={"csrf_token": CSRF.search(html).group(1), "action": action, "amount": "15000"},
        allow_redirects=False,
    )
    assert response.status == 403
    assert await everything(sessions) == before
