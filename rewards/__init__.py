"""Whistleblower rewards: rules (pure), eligibility (pure), the flow (pure), the ledger, the
claim, the decision and collection clocks, the notices, and the staff API."""

from __future__ import annotations

from aiohttp import web

from jubao import scheduler
from jubao.background import BACKGROUND
from jubao.keys import CLOCK, SESSIONS, SETTINGS, VAULT
from rewards import api, stats_api
from rewards.clocks import run_clocks_once

CLOCK_SECONDS = 60


async def clocks_job(app: web.Application) -> None:
    run = await run_clocks_once(
        app[SESSIONS], app[CLOCK].now(), settings=app[SETTINGS], vault=app[VAULT]
    )
    if run.sent or run.waived:
        app[BACKGROUND].soon()


def setup(app: web.Application) -> None:
    """The reward API and the statistics API; the reward clocks every minute."""
    api.setup_routes(app)
    stats_api.setup_routes(app)
    scheduler.every(app, "reward-clocks", clocks_job, seconds=CLOCK_SECONDS, name="reward clocks")
