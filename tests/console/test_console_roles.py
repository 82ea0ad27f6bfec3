"""Deny by default (SPEC §10): every route under /console, walked by every role and by nobody
signed in, answers as SPEC §11 "Lifecycle and API" settles it — reading reports: dispatcher,
leader, auditor (all), officer (his scope, 404 outside it); finance: rewards only; admin: users
and the registry; statistics: dispatcher, leader, auditor, admin; the audit page: auditors and
admins; reveal: dispatcher and leader; intake: dispatchers; rewards: rewards/api.py READ_REWARDS
and the moves of rewards/flow.py. Not signed in, a page or a form goes to the login (303).

Who may use each route is the permission table's (jubao/permissions.py, walked for the API
by tests/jubao/test_permissions.py); this file says what an allowed role gets. A route added to
the console without a row here fails `test_every_console_route_has_an_expectation`."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import FormData, web

from jubao.permissions import REGISTRY_TABS, ROUTES, Permission, app_routes
from jubao.roles import Role
from tests.console.test_sign_in import CSRF, log_in
from tests.staff import StaffApi

USERS = {
    "dispatcher": "wang",
    "officer": "zhangwei",
    "leader": "li",
    "finance": "qian",
    "auditor": "zhao",
    "admin": "root",
}
ROLES = tuple(USERS)
NOBODY = "nobody"  # not signed in
LOGIN = (303, "/console/login")
SUBSTANTIATED = {"finding": "substantiated", "summary": "通道堵塞属实", "fine": 100000}

Outcome = int | tuple[int, str]
# (method, route as registered) -> what a role the permission table (jubao/permissions.py)
# allows gets; every other role gets 403 and nobody signed in the login (303), unless the row
# is public. A POST carries a valid CSRF token and the fields in FORMS: an allowed role gets its
# validation answer (422) where the fields are incomplete on purpose, so the walk changes
# nothing that a later row reads.
OK: dict[tuple[str, str], Outcome] = {
    ("GET", "/console/static/*"): 200,
    ("GET", "/console/login"): 200,
    ("POST", "/console/login"): 401,  # a wrong password
    ("POST", "/console/logout"): LOGIN,  # walked last
    ("GET", "/console/account"): 200,
    ("POST", "/console/account/totp"): 422,  # no code
    ("POST", "/console/account/totp/disable"): (303, "/console/account"),
    ("GET", "/console/"): 200,
    ("GET", "/console"): 200,
    ("GET", "/console/reports"): 200,
    ("GET", "/console/reports.csv"): 200,
    ("GET", "/console/reports.xlsx"): 200,
    ("GET", "/console/reports/new"): 200,
    ("POST", "/console/reports/new"): 422,  # no description
    ("GET", "/console/reports/{number}"): 200,
    ("GET", "/console/reports/{number}/evidence/{id}"): 404,  # no such file
    ("POST", "/console/reports/{number}/actions"): 422,  # no action
    ("POST", "/console/reports/{number}/reveal"): 422,  # no reason
    ("POST", "/console/reports/{number}/messages"): 422,  # no text
    ("POST", "/console/reports/{number}/notes"): 422,  # no text
    ("GET", "/console/rewards"): 200,
    ("GET", "/console/rewards/{number}"): 200,
    ("POST", "/console/rewards/{number}/actions"): 422,  # no action
    ("POST", "/console/rewards/{number}/payee"): 422,  # no reason
    ("GET", "/console/audit"): 200,
    ("GET", "/console/stats"): 200,
    ("GET", "/console/stats.csv"): 200,
    ("GET", "/console/stats.xlsx"): 200,
    ("GET", "/console/registry"): (303, "/console/registry/users"),
    ("GET", "/console/registry/users"): 200,
    ("POST", "/console/registry/users"): 422,  # no username
    ("GET", "/console/registry/enterprises"): 200,
    ("POST", "/console/registry/enterprises"): 422,  # no file
    **{("GET", f"/console/registry/{tab}"): 200 for tab in REGISTRY_TABS},
}


def allowed(permission: Permission, ok: Outcome) -> dict[str, Outcome]:
    """`ok` for the roles `permission` allows, 403 for every other, the login when not signed
    in; a public row answers everyone alike."""
    if permission.public:
        return {role: ok for role in (*ROLES, NOBODY)}
    return {role: ok if permission.allows(Role(role)) else 403 for role in ROLES} | {NOBODY: LOGIN}


EXPECTED: dict[tuple[str, str], dict[str, Outcome]] = {
    route: allowed(ROUTES[route], ok) for route, ok in OK.items()
}
FORMS: dict[str, dict[str, str]] = {  # what each POST sends besides its csrf_token
    "/console/login": {"username": "wang", "password": "not-the-password"},
    "/console/account/totp": {"totp": ""},
    "/console/account/totp/disable": {"totp": ""},
    "/console/reports/new": {"channel": "phone", "category": "hazard", "town": "塘桥镇"},
    "/console/reports/{number}/actions": {"action": ""},
    "/console/reports/{number}/reveal": {"reason": ""},
    "/console/reports/{number}/messages": {"text": ""},
    "/console/reports/{number}/notes": {"text": ""},
    "/console/rewards/{number}/actions": {"action": ""},
    "/console/rewards/{number}/payee": {"reason": ""},
    "/console/registry/users": {"username": "", "role": "officer", "password": ""},
}
# Officers read only their scope: a report of another town is not found, whatever the route
# (even reveal, refused to officers in their scope: outside it the report is not there).
# The rows the table declares scoped are exactly these.
OUT_OF_SCOPE = {route for route in EXPECTED if route[1].startswith("/console/reports/{number}")}


def test_the_scoped_console_rows_are_the_report_pages():
    scoped = {key for key, row in ROUTES.items() if row.scoped and key[1].startswith("/console")}
    assert scoped == OUT_OF_SCOPE


def console_routes(app: web.Application) -> set[tuple[str, str]]:
    """Every (method, route) the app registers under /console (HEAD rides along with GET)."""
    return {key for key in app_routes(app) if key[1].startswith("/console")}


def test_every_console_route_has_an_expectation(client):  # type: ignore[no-untyped-def]
    assert console_routes(client.server.app) == set(EXPECTED)


def test_every_row_names_every_role_and_nobody():
    for outcomes in EXPECTED.values():
        assert set(outcomes) == {*ROLES, NOBODY}


@pytest.fixture
async def walk(client, sessions, clock, towns, reports):  # type: ignore[no-untyped-def]
    """The staff of every role; a named report closed with a fine in 塘桥镇 (the officer
    zhangwei's scope, its reward open) and one filed in 杨舍镇 (outside it)."""
    staff = StaffApi(client, sessions, clock)
    for role, username in USERS.items():
        await staff.add(username, role, wework_id="zhangwei" if role == "officer" else None)
    closed = await reports.advanced(
        "closed", conclusion=SUBSTANTIATED, name="钱多多", phone="13912345678"
    )
    elsewhere = await reports.filed(town="杨舍镇")
    return {"number": closed.number, "elsewhere": elsewhere.number}


def concrete(route: str, number: str) -> str:
    if route == "/console/static/*":
        return "/console/static/console.css"
    return route.replace("{number}", number).replace("{id}", "999999")


async def request(client, method: str, route: str, path: str, csrf: str) -> Any:  # type: ignore[no-untyped-def]
    if method == "GET":
        return await client.get(path, allow_redirects=False)
    if route == "/console/registry/enterprises":  # a multipart upload form, its file empty
        form = FormData()
        form.add_field("csrf_token", csrf)
        form.add_field("file", b"", filename="empty.csv", content_type="text/csv")
        return await client.post(path, data=form, allow_redirects=False)
    data = {"csrf_token": csrf, **FORMS.get(route, {})}
    return await client.post(path, data=data, allow_redirects=False)


def answered(response: Any) -> Outcome:
    if response.status in (301, 302, 303, 307, 308):
        return response.status, response.headers.get("Location", "")
    return response.status


async def csrf_of(client, route: str) -> str:  # type: ignore[no-untyped-def]
    page = "/console/login" if route == "/console/login" else "/console/account"
    found = CSRF.search(await (await client.get(page)).text())
    return found.group(1) if found else "not-signed-in"


@pytest.mark.parametrize("role", [*ROLES, NOBODY])
async def test_every_route_answers_every_role_as_the_spec_says(client, walk, role):  # type: ignore[no-untyped-def]
    if role != NOBODY:
        assert (await log_in(client, USERS[role])).status == 303
    order = sorted(EXPECTED, key=lambda key: key == ("POST", "/console/logout"))  # logout last
    wrong = []
    for method, route in order:
        token = await csrf_of(client, route)
        path = concrete(route, walk["number"])
        got = answered(await request(client, method, route, path, token))
        if got != EXPECTED[method, route][role]:
            wrong.append((method, path, got, EXPECTED[method, route][role]))
        if role == "officer" and (method, route) in OUT_OF_SCOPE:
            path = concrete(route, walk["elsewhere"])
            got = answered(await request(client, method, route, path, token))
            if got != 404:
                wrong.append((method, path, got, 404))
    assert wrong == []
