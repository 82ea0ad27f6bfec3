"""Whistleblower rewards: rules (pure), eligibility (pure), the flow (pure), the ledger, the
claim, the decision and collection clocks, the notices, and the staff API."""

from __future__ import annotations

import logging

from aiohttp import web

from jubao import scheduler
from jubao.background import BACKGROUND
from jubao.keys import CLOCK, SESSIONS, SETTINGS, VAULT
from rewards import api, stats_api
from rewards.clocks import run_clocks_once
from rewards.retention import erase_expired

CLOCK_SECONDS = 60
RETENTION_AT = {"hour": 3, "minute": 30}
log = logging.getLogger(__name__)


async def clocks_job(app: web.Application) -> None:
    run = await run_clocks_once(
        app[SESSIONS], app[CLOCK].now(), settings=app[SETTINGS], vault=app[VAULT]
    )
    if run.sent or run.waived:
        app[BACKGROUND].soon()


async def retention_job(app: web.Application) -> None:
    erasure = await erase_expired(app[SESSIONS], app[CLOCK].now())
    if erasure.erased:
        log.info("retention: identity of %d finished report(s) erased", erasure.erased)


def setup(app: web.Application) -> None:
    """The reward API and the statistics API; the reward clocks every minute; the retention
    erasure daily at 03:30."""
    api.setup_routes(app)
    stats_api.setup_routes(app)
    scheduler.every(app, "reward-clocks", clocks_job, seconds=CLOCK_SECONDS, name="reward clocks")
    scheduler.daily(app, "retention", retention_job, **RETENTION_AT, name="identity retention")
