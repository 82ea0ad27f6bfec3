"""The timed and background jobs of reports, registered by `complaints.setup`: the reminder
sweep every minute, the dispatchers' digest at 09:00, evidence downloads in the background, and
once a minute the query codes of console intake forms submitted over 10 minutes ago erased."""

from __future__ import annotations

import logging

from aiohttp import web

from complaints.digest import send_digest
from complaints.evidence import fetch_due
from complaints.intake_submissions import erase_codes
from complaints.sweep import sweep_in_batches
from jubao.background import BACKGROUND
from jubao.keys import CLOCK, SESSIONS, SETTINGS, VAULT
from notifications import WECHAT_API

SWEEP_SECONDS = 60
ERASE_CODES_SECONDS = 60.0
DIGEST_AT = {"hour": 9, "minute": 0}
log = logging.getLogger(__name__)


async def sweep_job(app: web.Application) -> None:
    report = await sweep_in_batches(
        app[SESSIONS], app[CLOCK].now(), settings=app[SETTINGS], vault=app[VAULT]
    )
    if report.failed:
        log.warning("reminder sweep: %d report(s) failed; tried again next minute", report.failed)
    if report.sent:
        app[BACKGROUND].soon()


async def digest_job(app: web.Application) -> None:
    async with app[SESSIONS].begin() as session:
        await send_digest(session, app[CLOCK].now(), settings=app[SETTINGS], vault=app[VAULT])
    app[BACKGROUND].soon()


async def fetch_evidence(app: web.Application) -> int:
    """Background job: download the evidence files that are due."""
    return await fetch_due(
        app[SESSIONS], app[WECHAT_API], app[SETTINGS].media_dir, app[CLOCK].now()
    )


async def erase_intake_codes(app: web.Application) -> int:
    """Background job: forget the query codes kept for resent intake forms (10 minutes)."""
    async with app[SESSIONS].begin() as session:
        return await erase_codes(session, app[CLOCK].now())
