"""Reports and their lifecycle."""

from __future__ import annotations

from aiohttp import web


def setup(app: web.Application) -> None:
    """Routes and jobs of this package (the staff API arrives with the lifecycle)."""
