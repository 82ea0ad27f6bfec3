"""Whistleblower rewards: rules (pure), eligibility (pure), the flow (pure), the ledger, the
collection and decision clocks, the notices, and the staff API."""

from __future__ import annotations

from aiohttp import web

from rewards import api


def setup(app: web.Application) -> None:
    """The reward API; the reward clocks' job."""
    api.setup_routes(app)
