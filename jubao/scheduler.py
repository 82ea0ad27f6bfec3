"""Timed jobs: APScheduler 3 (AsyncIOScheduler) inside `jubao serve` when JUBAO_SCHEDULER=on,
and in every `jubao worker`.

Packages register their jobs in `setup(app)` with `every` and `daily`; the kernel adds only
the background runner's tick (jubao/background.py), which in a `jubao worker --heartbeat`
also beats (jubao/heartbeat.py). Every job must be idempotent across
processes (lease claims, the reminder ledger, outbox keys); a failing run is logged and the
next run tries again.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from jubao.background import BACKGROUND
from jubao.db import DatabaseUnavailable, ping
from jubao.keys import HEARTBEAT, SESSIONS, SETTINGS

TimedJob = Callable[[web.Application], Awaitable[object]]
BACKGROUND_SECONDS = 5  # the background runner's tick: deliveries, downloads, housekeeping
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Timed:
    job_id: str
    name: str
    job: TimedJob
    trigger: str  # "interval" or "cron"
    when: dict[str, int] = field(default_factory=dict)  # the trigger's arguments


TIMED = web.AppKey("timed_jobs", list)
SCHEDULER = web.AppKey("scheduler", AsyncIOScheduler)


def _registered(app: web.Application) -> list[Timed]:
    if TIMED not in app:
        app[TIMED] = []
    return app[TIMED]


def every(app: web.Application, job_id: str, job: TimedJob, *, seconds: int, name: str) -> None:
    """For packages' setup(): run `job(app)` every `seconds`, and once when the scheduler
    starts."""
    _registered(app).append(Timed(job_id, name, job, "interval", {"seconds": seconds}))


def daily(
    app: web.Application, job_id: str, job: TimedJob, *, hour: int, minute: int, name: str
) -> None:
    """For packages' setup(): run `job(app)` every day at hour:minute, JUBAO_TIMEZONE time."""
    _registered(app).append(Timed(job_id, name, job, "cron", {"hour": hour, "minute": minute}))


async def _background_tick(app: web.Application) -> None:
    """The background run; then, in a worker with a heartbeat, a beat if the database answers.
    The run swallows its jobs' failures, so it alone proves only that the loop turns: the
    `SELECT 1` after it, through the same sessions (on SQLite, the same queue and write lock
    every job waits on), proves the database answers too."""
    await app[BACKGROUND].run_once()
    heartbeat = app.get(HEARTBEAT)
    if heartbeat is None:
        return
    try:
        await ping(app[SESSIONS])
    except Exception as error:
        heartbeat.miss(f"the database does not answer: {DatabaseUnavailable.reason(error)}")
        return
    heartbeat.beat()


def _guarded(job: TimedJob, app: web.Application) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        try:
            await job(app)
        except Exception:
            log.exception("scheduled job %s failed; it runs again at its next time", job.__name__)

    return run


def build(app: web.Application) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone=app[SETTINGS].tz)
    defaults: dict[str, Any] = {"max_instances": 1, "coalesce": True, "misfire_grace_time": 30}
    tick = Timed(
        "background",
        "background work",
        _background_tick,
        "interval",
        {"seconds": BACKGROUND_SECONDS},
    )
    for timed in (tick, *app.get(TIMED, [])):
        at_start = {"next_run_time": datetime.now(UTC)} if timed.trigger == "interval" else {}
        scheduler.add_job(
            _guarded(timed.job, app),
            timed.trigger,
            id=timed.job_id,
            name=timed.name,
            **timed.when,
            **at_start,
            **defaults,
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
