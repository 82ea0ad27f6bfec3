"""Delivery inside the web process: right after a request commits (best effort, claimed like
any delivery), and every few seconds while JUBAO_SCHEDULER is on (the scheduler of a later
issue takes the periodic part over; `jubao worker` and `jubao outbox deliver` do the same)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiohttp import web

from jubao.keys import CLOCK, SESSIONS, SETTINGS, VAULT
from notifications.outbox import deliver_all

INTERVAL_SECONDS = 5
log = logging.getLogger(__name__)


class Delivery:
    """At most one delivery run at a time; a request arriving during a run asks for another."""

    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.again = asyncio.Event()
        self.running = asyncio.Lock()  # one run at a time; a caller waits for the one under way
        self.task: asyncio.Task[None] | None = None

    def soon(self) -> None:
        self.again.set()

    async def run_once(self) -> None:
        from notifications import WECHAT_API

        app = self.app
        async with self.running:
            try:
                await deliver_all(app[SESSIONS], app[WECHAT_API], app[VAULT], app[CLOCK])
            except Exception:
                log.exception("outbox delivery failed; it is retried at the next run")

    async def loop(self, periodic: bool) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.again.wait(), INTERVAL_SECONDS if periodic else None)
            self.again.clear()
            await self.run_once()


DELIVERY = web.AppKey("delivery", Delivery)


async def delivery(app: web.Application) -> object:
    """cleanup_ctx (after the WeChat client's): the delivery loop."""
    runner = Delivery(app)
    app[DELIVERY] = runner
    runner.task = asyncio.create_task(runner.loop(periodic=app[SETTINGS].scheduler))
    yield
    runner.task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await runner.task
