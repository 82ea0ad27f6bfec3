"""Reports and their lifecycle."""

from __future__ import annotations

from aiohttp import web

from jubao.background import register
from jubao.keys import CLOCK, SESSIONS, SETTINGS


async def fetch_evidence(app: web.Application) -> int:
    """Background job: download the evidence files that are due."""
    from complaints.evidence import fetch_due
    from notifications import WECHAT_API

    return await fetch_due(
        app[SESSIONS], app[WECHAT_API], app[SETTINGS].media_dir, app[CLOCK].now()
    )


def setup(app: web.Application) -> None:
    """Routes of this package (the staff JSON API) and the evidence download job."""
    from complaints.api import setup_routes

    setup_routes(app)
    register(app, fetch_evidence)
