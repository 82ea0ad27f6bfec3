"""The staff web console (SPEC §5, §9, §11 "Console"): server-rendered pages in zh-CN, assets
served from this package, every action a form that works without JavaScript."""

from __future__ import annotations

from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from console import (
    account,
    audit_pages,
    evidence_pages,
    intake_pages,
    pages,
    registry_enterprises,
    registry_pages,
    registry_users,
    report_list,
    report_pages,
    reward_pages,
    stats_pages,
    thread_pages,
)
from console.errors import clean_requests, error_pages
from console.sign_in import purge as purge_sign_ins
from jubao.background import register
from jubao.keys import CLOCK, SESSIONS

STATIC = Path(__file__).parent / "static"
PURGE_EVERY_SECONDS = 3600.0


async def forget_sign_ins(app: web.Application) -> tuple[int, int]:
    """Background job, hourly: idle console sessions and old failed logins deleted."""
    async with app[SESSIONS].begin() as session:
        return await purge_sign_ins(session, app[CLOCK].now())


def setup(app: web.Application) -> None:
    """The console's templates, static files and pages; the hourly purge of sign-ins."""
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.PackageLoader("console", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
    )
    register(app, forget_sign_ins, every=PURGE_EVERY_SECONDS)
    app.middlewares.append(error_pages)
    app.middlewares.append(clean_requests)  # inner: its 422 is shown as a console page
    app.router.add_static("/console/static", STATIC, name="console-static")
    app.router.add_get("/console/login", pages.login_view)
    app.router.add_post("/console/login", pages.login_post)
    app.router.add_post("/console/logout", pages.logout_post)
    app.router.add_get("/console/account", account.account_view)
    app.router.add_post("/console/account/totp", account.enable_post)
    app.router.add_post("/console/account/totp/disable", account.disable_post)
    app.router.add_get("/console/", pages.dashboard_view)
    app.router.add_get("/console", pages.dashboard_view)
    app.router.add_get("/console/reports", report_list.list_view)
    app.router.add_get("/console/reports.csv", report_list.csv_view)
    app.router.add_get("/console/reports.xlsx", report_list.xlsx_view)
    app.router.add_get("/console/reports/new", intake_pages.new_view)  # before {number}
    app.router.add_post("/console/reports/new", intake_pages.new_post)
    app.router.add_get("/console/reports/{number}", report_pages.report_view)
    app.router.add_get("/console/reports/{number}/evidence/{id}", evidence_pages.file_view)
    app.router.add_post("/console/reports/{number}/actions", report_pages.action_post)
    app.router.add_post("/console/reports/{number}/reveal", report_pages.reveal_post)
    app.router.add_post("/console/reports/{number}/messages", thread_pages.message_post)
    app.router.add_post("/console/reports/{number}/notes", thread_pages.note_post)
    app.router.add_get("/console/rewards", reward_pages.list_view)
    app.router.add_get("/console/rewards/{number}", reward_pages.reward_view)
    app.router.add_post("/console/rewards/{number}/actions", reward_pages.action_post)
    app.router.add_post("/console/rewards/{number}/payee", reward_pages.payee_post)
    app.router.add_get("/console/audit", audit_pages.audit_view)
    stats_pages.setup_routes(app)
    registry_routes(app)


def registry_routes(app: web.Application) -> None:
    """The admin's registry tabs (console/registry_pages.py)."""
    app.router.add_get("/console/registry", registry_pages.index_view)
    app.router.add_get("/console/registry/users", registry_users.users_view)
    app.router.add_post("/console/registry/users", registry_users.user_post)
    app.router.add_get("/console/registry/enterprises", registry_enterprises.enterprises_view)
    app.router.add_post("/console/registry/enterprises", registry_enterprises.import_post)
    for tab in ("towns", "units", "officers", "rules", "deadlines", "rewards", "calendar"):
        app.router.add_get(f"/console/registry/{tab}", getattr(registry_pages, f"{tab}_view"))
