"""APScheduler 3 (AsyncIOScheduler) inside `jubao serve` when JUBAO_SCHEDULER=on, and in every
`jubao worker`: the reminder sweep every minute, background work (outbox delivery, evidence
downloads, housekeeping) every few seconds, access tokens fetched ahead of expiry, the digest
at 09:00 local time. Every job is idempotent across processes (lease claims, the reminder
ledger, outbox keys); a failing run is logged and the next run tries again."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from jubao.background import BACKGROUND
from jubao.keys import CLOCK, SESSIONS, SETTINGS, VAULT

SWEEP_SECONDS = 60
BACKGROUND_SECONDS = 5
TOKENS_SECONDS = 120
DIGEST_AT = {"hour": 9, "minute": 0}
log = logging.getLogger(__name__)

SCHEDULER = web.AppKey("scheduler", AsyncIOScheduler)


async def sweep_job(app: web.Application) -> None:
    from complaints.sweep import sweep_in_batches

    report = await sweep_in_batches(
        app[SESSIONS], app[CLOCK].now(), settings=app[SETTINGS], vault=app[VAULT]
    )
    if report.failed:
        log.warning("reminder sweep: %d report(s) failed; tried again next minute", report.failed)
    if report.sent:
        app[BACKGROUND].soon()


async def digest_job(app: web.Application) -> None:
    from complaints.digest import send_digest

    async with app[SESSIONS].begin() as session:
        await send_digest(session, app[CLOCK].now(), settings=app[SETTINGS], vault=app[VAULT])
    app[BACKGROUND].soon()


async def tokens_job(app: web.Application) -> None:
    from notifications import WECHAT_API

    await app[WECHAT_API].refresh_tokens()


async def background_job(app: web.Application) -> None:
    await app[BACKGROUND].run_once()


def _guarded(job: Callable[[web.Application], Awaitable[None]], app: web.Application):  # type: ignore[no-untyped-def]
    async def run() -> None:
        try:
            await job(app)
        except Exception:
            log.exception("scheduled job %s failed; it runs again at its next time", job.__name__)

    return run


def build(app: web.Application) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone=app[SETTINGS].tz)
    defaults = {"max_instances": 1, "coalesce": True, "misfire_grace_time": 30}
    at_start = {"next_run_time": datetime.now(UTC)}  # interval jobs run once at start too
    interval_jobs = (
        (sweep_job, SWEEP_SECONDS, "sweep", "reminder sweep"),
        (background_job, BACKGROUND_SECONDS, "background", "background work"),
        (tokens_job, TOKENS_SECONDS, "tokens", "access tokens"),
    )
    for job, seconds, job_id, name in interval_jobs:
        scheduler.add_job(
            _guarded(job, app),
            "interval",
            seconds=seconds,
            id=job_id,
            name=name,
            **at_start,
            **defaults,
        )
    scheduler.add_job(
        _guarded(digest_job, app), "cron", id="digest", name="daily digest", **DIGEST_AT, **defaults
    )
    return scheduler


async def scheduler(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx (after the background runner): the scheduler, when JUBAO_SCHEDULER is on."""
    if not app[SETTINGS].scheduler:
        yield
        return
    running = build(app)
    app[SCHEDULER] = running
    running.start()
    yield
    running.shutdown(wait=False)
