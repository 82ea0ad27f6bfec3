"""The staff web console (SPEC §5, §9, §11 "Console"): server-rendered pages in zh-CN, assets
served from this package, every action a form that works without JavaScript."""

from __future__ import annotations

from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from console import pages, report_list, report_pages
from console.errors import error_pages

STATIC = Path(__file__).parent / "static"


def setup(app: web.Application) -> None:
    """The console's templates, static files and pages."""
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.PackageLoader("console", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
    )
    app.middlewares.append(error_pages)
    app.router.add_static("/console/static", STATIC, name="console-static")
    app.router.add_get("/console/login", pages.login_view)
    app.router.add_post("/console/login", pages.login_post)
    app.router.add_post("/console/logout", pages.logout_post)
    app.router.add_get("/console/", pages.dashboard_view)
    app.router.add_get("/console", pages.dashboard_view)
    app.router.add_get("/console/reports", report_list.list_view)
    app.router.add_get("/console/reports.csv", report_list.csv_view)
    app.router.add_get("/console/reports.xlsx", report_list.xlsx_view)
    app.router.add_get("/console/reports/{number}", report_pages.report_view)
    app.router.add_post("/console/reports/{number}/actions", report_pages.action_post)
    app.router.add_post("/console/reports/{number}/reveal", report_pages.reveal_post)
