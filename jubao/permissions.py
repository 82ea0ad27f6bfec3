"""Permissions as data (SPEC §10, §11): every HTTP route the service answers, with who may use it.

A row is (method, route pattern as aiohttp registers it) -> Permission. Deny by default: a route
the app registers without a row here is refused by `declared_only` (403 in the shape of its
area) and reported by `undeclared(app)`; tests/jubao/test_permissions.py walks every row with
every role, inside and outside an officer's scope, against the live app.

The handlers still check the role themselves (the table is the contract they are tested
against); the actions a role may take on a report or a reward are derived from the lifecycle
tables (complaints/permissions.py, rewards/permissions.py), not copied here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from aiohttp import web
from aiohttp.typedefs import Handler
from aiohttp.web_urldispatcher import AbstractRoute

from jubao.middlewares import ApiError
from jubao.roles import (
    READ_AUDIT,
    READ_REPORTS,
    READ_REWARDS,
    READ_STATS,
    REVEAL_IDENTITY,
    TAKE_CALLS,
    WRITE_THREAD,
    Role,
)


@dataclass(frozen=True)
class Permission:
    """`roles` None: public (no sign-in; WeChat's callbacks check their signature instead).
    `scoped`: the report in the path must be in the user's scope (officers: their unit's towns
    or `--town`), else 404 exactly as a report that does not exist. `demo_only`: served only by
    `jubao demo` (jubao/demo), 404 elsewhere."""

    roles: frozenset[Role] | None
    scoped: bool = False
    demo_only: bool = False

    @property
    def public(self) -> bool:
        return self.roles is None

    def allows(self, role: Role | None) -> bool:
        return self.roles is None or (role is not None and role in self.roles)


ANY_STAFF = frozenset(Role)  # signed in, whatever the role
PAY = frozenset({Role.FINANCE})
ADMIN = frozenset({Role.ADMIN})

PUBLIC = Permission(None)
DEMO = Permission(None, demo_only=True)


def staff(roles: frozenset[Role] = ANY_STAFF, *, scoped: bool = False) -> Permission:
    return Permission(roles, scoped=scoped)


REPORT = staff(READ_REPORTS, scoped=True)  # one report, by number
REGISTRY_TABS = ("towns", "units", "officers", "rules", "deadlines", "rewards", "calendar")
PREFIX = "/*"  # a pattern ending so covers every route under it (static files, a sub-app)

ROUTES: dict[tuple[str, str], Permission] = {
    ("GET", "/healthz"): PUBLIC,
    # WeChat's callbacks: public, each request signed (and the messages encrypted).
    ("GET", "/wechat/mp"): PUBLIC,
    ("POST", "/wechat/mp"): PUBLIC,
    ("GET", "/wechat/work"): PUBLIC,
    ("POST", "/wechat/work"): PUBLIC,
    # The JSON API (jubao/openapi.yaml): bearer tokens.
    ("GET", "/api/v1/openapi.json"): PUBLIC,
    ("GET", "/api/v1/reports"): staff(READ_REPORTS),  # officers: the list of their scope
    ("POST", "/api/v1/reports"): staff(TAKE_CALLS),
    ("GET", "/api/v1/reports/{number}"): REPORT,
    ("POST", "/api/v1/reports/{number}/actions"): REPORT,  # which action: the lifecycle
    ("POST", "/api/v1/reports/{number}/reveal"): staff(REVEAL_IDENTITY, scoped=True),
    ("GET", "/api/v1/reports/{number}/messages"): REPORT,
    ("POST", "/api/v1/reports/{number}/messages"): staff(WRITE_THREAD, scoped=True),
    ("GET", "/api/v1/rewards"): staff(READ_REWARDS),
    ("GET", "/api/v1/rewards/{number}"): staff(READ_REWARDS),
    ("POST", "/api/v1/rewards/{number}/actions"): staff(READ_REWARDS),  # which: rewards/flow
    ("POST", "/api/v1/rewards/{number}/payee"): staff(PAY),
    ("GET", "/api/v1/stats"): staff(READ_STATS),
    # The console: a session cookie; not signed in, a page goes to the login (303).
    ("GET", "/console/static" + PREFIX): PUBLIC,
    ("GET", "/console/login"): PUBLIC,
    ("POST", "/console/login"): PUBLIC,
    ("POST", "/console/logout"): staff(),
    ("GET", "/console/account"): staff(),
    ("POST", "/console/account/totp"): staff(),
    ("POST", "/console/account/totp/disable"): staff(),
    ("GET", "/console/"): staff(),
    ("GET", "/console"): staff(),
    ("GET", "/console/reports"): staff(READ_REPORTS),
    ("GET", "/console/reports.csv"): staff(READ_REPORTS),
    ("GET", "/console/reports.xlsx"): staff(READ_REPORTS),
    ("GET", "/console/reports/new"): staff(TAKE_CALLS),
    ("POST", "/console/reports/new"): staff(TAKE_CALLS),
    ("GET", "/console/reports/{number}"): REPORT,
    ("GET", "/console/reports/{number}/evidence/{id}"): REPORT,
    ("POST", "/console/reports/{number}/actions"): REPORT,
    ("POST", "/console/reports/{number}/reveal"): staff(REVEAL_IDENTITY, scoped=True),
    ("POST", "/console/reports/{number}/messages"): staff(WRITE_THREAD, scoped=True),
    ("POST", "/console/reports/{number}/notes"): staff(WRITE_THREAD, scoped=True),
    ("GET", "/console/rewards"): staff(READ_REWARDS),
    ("GET", "/console/rewards/{number}"): staff(READ_REWARDS),
    ("POST", "/console/rewards/{number}/actions"): staff(READ_REWARDS),
    ("POST", "/console/rewards/{number}/payee"): staff(PAY),
    ("GET", "/console/audit"): staff(READ_AUDIT),
    ("GET", "/console/stats"): staff(READ_STATS),
    ("GET", "/console/stats.csv"): staff(READ_STATS),
    ("GET", "/console/stats.xlsx"): staff(READ_STATS),
    ("GET", "/console/registry"): staff(ADMIN),
    ("GET", "/console/registry/users"): staff(ADMIN),
    ("POST", "/console/registry/users"): staff(ADMIN),
    ("GET", "/console/registry/enterprises"): staff(ADMIN),
    ("POST", "/console/registry/enterprises"): staff(ADMIN),
    **{("GET", f"/console/registry/{tab}"): staff(ADMIN) for tab in REGISTRY_TABS},
    # Only in `jubao demo`: its landing page, the simulator and the fake WeChat API.
    ("GET", "/"): DEMO,
    ("GET", "/sim"): DEMO,
    ("GET", "/sim/"): DEMO,
    ("GET", "/sim/state"): DEMO,
    ("POST", "/sim/citizens"): DEMO,
    ("POST", "/sim/mp"): DEMO,
    ("POST", "/sim/work"): DEMO,
    ("GET", "/sim/events"): DEMO,
    ("POST", "/sim/clock"): DEMO,
    ("GET", "/sim/static" + PREFIX): DEMO,
    ("*", "/fake-wechat" + PREFIX): DEMO,
}


def pattern_of(route: AbstractRoute) -> str:
    """The route's pattern as registered: `/api/v1/reports/{number}`; a static directory's or
    a sub-app's prefix with PREFIX after it."""
    resource = route.resource
    if resource is None:
        return ""
    info = resource.get_info()
    if "prefix" in info and "path" not in info and "formatter" not in info:
        return info["prefix"].rstrip("/") + PREFIX
    return resource.canonical


def permission_for(method: str, pattern: str) -> Permission | None:
    """The row for a request's route, or None (refused). HEAD is answered as GET."""
    method = "GET" if method == "HEAD" else method
    found = ROUTES.get((method, pattern))
    if found is None and pattern.endswith(PREFIX):
        found = ROUTES.get(("*", pattern))
    return found


def app_routes(app: web.Application) -> Iterator[tuple[str, str]]:
    """(method, pattern) of every route the app serves; a sub-app's routes as its prefix row
    ("*", "/prefix/*"). HEAD rides along with GET."""
    nested: set[AbstractRoute] = set()
    for resource in app.router.resources():
        subapp = resource.get_info().get("app")
        if subapp is not None:
            nested.update(subapp.router.routes())
            yield "*", resource.get_info()["prefix"].rstrip("/") + PREFIX
    for route in app.router.routes():
        if route.method != "HEAD" and route not in nested:
            yield route.method, pattern_of(route)


def undeclared(app: web.Application) -> list[tuple[str, str]]:
    """The routes `app` serves that ROUTES does not declare: each is refused at runtime."""
    return sorted({key for key in app_routes(app) if permission_for(*key) is None})


NOT_DECLARED = "此地址未声明访问权限，已拒绝。"


@web.middleware
async def declared_only(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse a route without a row in ROUTES before its handler runs: JSON 403 under /api,
    the console's 403 page under /console (console/errors.py renders it), 403 text elsewhere.
    The router's own 404 and 405 pass unchanged."""
    route = request.match_info.route
    if route.resource is None:  # no route matched: the router's 404 or 405
        return await handler(request)
    if permission_for(request.method, pattern_of(route)) is None and not _in_subapp(request):
        if request.path.startswith("/api/"):
            raise ApiError(403, "forbidden", NOT_DECLARED)
        raise web.HTTPForbidden(text=NOT_DECLARED)
    return await handler(request)


def _in_subapp(request: web.Request) -> bool:
    """A request to a sub-app (the demo's fake WeChat API) is judged by the sub-app's row."""
    apps = request.match_info.apps
    if len(apps) < 2:
        return False
    prefix = next(
        (
            resource.get_info()["prefix"]
            for resource in apps[0].router.resources()
            if resource.get_info().get("app") is apps[1]
        ),
        "",
    )
    return permission_for("*", prefix.rstrip("/") + PREFIX) is not None
