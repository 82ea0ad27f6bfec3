"""Background work: the jobs packages register (outbox delivery, evidence downloads,
housekeeping) run right after a request asks for them (`soon`), and every few seconds from
the scheduler (jubao/scheduler.py). One run at a time; a job that fails is logged and runs
again next time. A job registered with `every` runs at most once in that many seconds (the
housekeeping purge needs no more, and a run reads a whole table); after a failure it too runs
again next time."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

Job = Callable[[web.Application], Awaitable[object]]
log = logging.getLogger(__name__)
SLOW_SECONDS = 0.5  # a run this long holds requests up on SQLite's single connection


@dataclass
class Registered:
    job: Job
    every: float  # seconds between runs at least; 0: every run
    next_at: float = 0.0  # time.monotonic() from which it runs again


class Background:
    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.jobs: list[Registered] = []
        self.again = asyncio.Event()
        self.running = asyncio.Lock()  # a caller of run_once waits for the run under way
        self.task: asyncio.Task[None] | None = None
        self.monotonic: Callable[[], float] = time.monotonic  # for `every`; tests set their own

    def soon(self) -> None:
        """Ask for a run (a request committed work for the jobs)."""
        self.again.set()

    async def run_once(self) -> None:
        async with self.running:
            for registered in self.jobs:
                started = self.monotonic()
                if started < registered.next_at:
                    continue
                registered.next_at = started + registered.every
                job = registered.job
                try:
                    await job(self.app)
                    took = self.monotonic() - started
                    if took > SLOW_SECONDS:
                        log.warning(
                            "background job %s took %.0f ms",
                            getattr(job, "__name__", job),
                            took * 1000,
                        )
                except Exception:
                    registered.next_at = 0.0
                    log.exception(
                        "background job %s failed; it runs again next time",
                        getattr(job, "__name__", job),
                    )

    async def loop(self) -> None:
        while True:
            await self.again.wait()
            self.again.clear()
            await self.run_once()


BACKGROUND = web.AppKey("background", Background)


def register(app: web.Application, job: Job, *, every: float = 0.0) -> None:
    """For packages' setup(): add a job (the loop starts after every setup has run), run at
    most once in `every` seconds when given."""
    if BACKGROUND not in app:
        app[BACKGROUND] = Background(app)
    app[BACKGROUND].jobs.append(Registered(job, every))


async def background(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx, appended last: the loop, started once everything it uses exists."""
    runner = app.get(BACKGROUND) or Background(app)
    app[BACKGROUND] = runner
    runner.task = asyncio.create_task(runner.loop())
    yield
    runner.task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await runner.task
