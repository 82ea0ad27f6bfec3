"""Reports and their lifecycle."""

from __future__ import annotations

from aiohttp import web


def setup(app: web.Application) -> None:
    """Routes of this package: the staff JSON API."""
    from complaints.api import setup_routes

    setup_routes(app)
