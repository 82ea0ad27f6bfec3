"""Permissions as data (jubao/permissions.py): every route the app serves has a row, a route
without one is refused in its area's shape and reported, and every API row answers every role,
inside and outside an officer's scope, as its row declares (the console's rows are walked by
tests/console/test_console_roles.py from the same table). The actions a role may take are the
lifecycle's (complaints/permissions.py, rewards/permissions.py), walked over the API too."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web

from complaints.permissions import REPORT_ACTIONS
from jubao.app import create_app
from jubao.demo import demo_app
from jubao.permissions import ROUTES, Permission, app_routes, undeclared
from jubao.roles import Role
from rewards.permissions import REWARD_ACTIONS
from tests.staff import StaffApi

USERS = {role: role.value for role in Role}
NOBODY = None
SUBSTANTIATED = {"finding": "substantiated", "summary": "通道堵塞属实", "fine": 100000}
# What an allowed user gets from each API row; a POST sends `{}`, so an allowed role meets the
# validation (422) and the walk changes nothing.
API_OK: dict[tuple[str, str], int] = {
    ("GET", "/api/v1/openapi.json"): 200,
    ("GET", "/api/v1/reports"): 200,
    ("POST", "/api/v1/reports"): 422,
    ("GET", "/api/v1/reports/{number}"): 200,
    ("POST", "/api/v1/reports/{number}/actions"): 422,
    ("POST", "/api/v1/reports/{number}/reveal"): 422,
    ("GET", "/api/v1/reports/{number}/messages"): 200,
    ("POST", "/api/v1/reports/{number}/messages"): 422,
    ("GET", "/api/v1/rewards"): 200,
    ("GET", "/api/v1/rewards/{number}"): 200,
    ("POST", "/api/v1/rewards/{number}/actions"): 422,
    ("POST", "/api/v1/rewards/{number}/payee"): 422,
    ("GET", "/api/v1/stats"): 200,
}
QUERIES = {"/api/v1/stats": "?year=2026"}
# Public rows outside /api and /console, asked without signature or sign-in.
PUBLIC_OK: dict[tuple[str, str], int] = {
    ("GET", "/healthz"): 200,
    ("GET", "/wechat/mp"): 400,  # no signature: refused by the protocol, not by a role
    ("POST", "/wechat/mp"): 400,
    ("GET", "/wechat/work"): 503,  # WeChat Work is not configured in the test settings
    ("POST", "/wechat/work"): 503,
}
DEMO_OK: dict[tuple[str, str], tuple[str, int]] = {  # (what is asked, its answer)
    ("GET", "/"): ("/", 200),
    ("GET", "/sim"): ("/sim", 302),
    ("GET", "/sim/"): ("/sim/", 200),
    ("GET", "/sim/state"): ("/sim/state", 200),
    ("POST", "/sim/citizens"): ("/sim/citizens", 422),
    ("POST", "/sim/mp"): ("/sim/mp", 422),
    ("POST", "/sim/work"): ("/sim/work", 422),
    ("GET", "/sim/events"): ("/sim/events", 200),
    ("POST", "/sim/clock"): ("/sim/clock", 422),
    ("GET", "/sim/static/*"): ("/sim/static/sim.css", 200),
    ("*", "/fake-wechat/*"): ("/fake-wechat/cgi-bin/token", 200),
}


def expected(permission: Permission, role: Role | None, ok: int) -> int:
    if permission.public:
        return ok
    if role is None:
        return 401
    return ok if permission.allows(role) else 403


def test_every_route_of_the_service_and_of_the_demo_has_a_row(settings):
    service, demo = create_app(settings), demo_app(settings)
    assert undeclared(service) == [] and undeclared(demo) == []
    assert set(app_routes(demo)) == set(ROUTES), "a row names no route"
    demo_only = {key for key, permission in ROUTES.items() if permission.demo_only}
    assert set(app_routes(service)) == set(ROUTES) - demo_only


def test_every_row_is_walked():
    outside = {key for key in ROUTES if key[1].startswith("/console")}
    walked = set(API_OK) | set(PUBLIC_OK) | set(DEMO_OK)
    assert walked == set(ROUTES) - outside


async def refused_here(request: web.Request) -> web.Response:
    return web.Response(text="should never answer")


async def test_a_route_without_a_row_is_reported_and_refused(aiohttp_client, settings, clock):
    app = create_app(settings, clock=clock)
    for path in ("/api/v1/secrets", "/console/secrets", "/secrets"):
        app.router.add_get(path, refused_here)
    assert undeclared(app) == [
        ("GET", "/api/v1/secrets"),
        ("GET", "/console/secrets"),
        ("GET", "/secrets"),
    ]
    client = await aiohttp_client(app)
    api = await client.get("/api/v1/secrets")
    assert api.status == 403
    assert (await api.json())["error"] == "forbidden"
    page = await client.get("/console/secrets")
    assert page.status == 403 and page.content_type == "text/html"
    assert "无权访问" in await page.text()
    other = await client.get("/secrets")
    assert other.status == 403 and "should never" not in await other.text()


async def test_demo_routes_are_not_served_outside_the_demo(client):
    for (_, _), (path, _) in DEMO_OK.items():
        assert (await client.get(path)).status == 404, path


@pytest.fixture
async def walk(client, sessions, clock, towns, reports) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Staff of every role (the officer zhangwei, of 塘桥镇); a named report closed with a fine
    in 塘桥镇 (its reward open, assigned to zhangwei) and one filed in 杨舍镇 (outside it)."""
    staff = StaffApi(client, sessions, clock)
    for role, username in USERS.items():
        await staff.add(username, role, wework_id="zhangwei" if role == Role.OFFICER else None)
    closed = await reports.advanced(
        "closed", conclusion=SUBSTANTIATED, name="钱多多", phone="13912345678"
    )
    elsewhere = await reports.filed(town="杨舍镇")
    return {"staff": staff, "number": closed.number, "elsewhere": elsewhere.number}


async def ask(staff: StaffApi, method: str, path: str, who: str | None) -> int:
    if method == "GET":
        return (await staff.get(path, who))[0]
    return (await staff.post(path, who, {}))[0]


@pytest.mark.parametrize("role", [*Role, NOBODY])
async def test_every_api_row_answers_every_role_as_declared(walk, role):
    staff, who = walk["staff"], USERS[role] if role else None
    wrong = []
    for (method, pattern), ok in API_OK.items():
        permission = ROUTES[method, pattern]
        path = pattern.replace("{number}", walk["number"]) + QUERIES.get(pattern, "")
        got, want = await ask(staff, method, path, who), expected(permission, role, ok)
        if got != want:
            wrong.append((method, path, got, want))
        if permission.scoped and role == Role.OFFICER and permission.allows(role):
            path = pattern.replace("{number}", walk["elsewhere"])
            if (got := await ask(staff, method, path, who)) != 404:
                wrong.append((method, path, got, 404))
    assert wrong == []


@pytest.mark.parametrize("role", [*Role, NOBODY])
async def test_every_public_row_answers_every_role_alike(walk, role):
    staff, who = walk["staff"], USERS[role] if role else None
    for (method, path), ok in PUBLIC_OK.items():
        response = await staff.client.request(method, path, headers=staff._headers(who))
        assert response.status == ok, (method, path)


async def test_every_demo_row_answers_in_the_demo(aiohttp_client, settings, clock):
    demo = await aiohttp_client(demo_app(settings, clock=clock))
    for (method, _), (path, ok) in DEMO_OK.items():
        response = await demo.request(
            "GET" if method == "*" else method, path, allow_redirects=False
        )
        assert response.status == ok, (method, path)
        response.close()


@pytest.mark.parametrize("role", list(Role))
async def test_every_report_action_is_refused_exactly_to_the_roles_the_lifecycle_refuses(
    walk, role
):
    """Authorisation comes before the report's status, so one report walks every action: a
    role the lifecycle allows meets the status or the fields (409, 422, or done), never 403."""
    staff, wrong = walk["staff"], []
    for action, permission in REPORT_ACTIONS.items():
        path = f"/api/v1/reports/{walk['number']}/actions"
        got = (await staff.post(path, USERS[role], {"action": action.value}))[0]
        allowed = permission.allows(role, assigned=True)  # the closed report is zhangwei's
        if (got == 403) == allowed:
            wrong.append((action.value, got, "allowed" if allowed else "403"))
    assert wrong == []


@pytest.mark.parametrize("role", list(Role))
async def test_every_reward_step_is_refused_exactly_to_the_roles_the_flow_refuses(walk, role):
    staff, wrong = walk["staff"], []
    for action, roles in REWARD_ACTIONS.items():
        path = f"/api/v1/rewards/{walk['number']}/actions"
        body = {"action": action.value, "amount": "不是金额"}  # a proposal is refused: 422
        got = (await staff.post(path, USERS[role], body))[0]
        if (got == 403) == (role in roles):
            wrong.append((action.value, got, "allowed" if role in roles else "403"))
    assert wrong == []
