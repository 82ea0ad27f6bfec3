"""The background runner: jobs run on request, and a job with `every` no more often than that."""

from __future__ import annotations

from aiohttp import web

from bot.housekeeping import housekeeping
from jubao.app import create_app
from jubao.background import BACKGROUND, register


async def test_a_job_with_every_skips_runs_until_its_time_has_come():
    app = web.Application()
    runs: list[str] = []

    async def each_time(app: web.Application) -> None:
        runs.append("each")

    async def once_a_minute(app: web.Application) -> None:
        runs.append("minute")

    register(app, each_time)
    register(app, once_a_minute, every=60)
    now = [1000.0]
    app[BACKGROUND].monotonic = lambda: now[0]

    for moment in (1000.0, 1030.0, 1061.0):
        now[0] = moment
        await app[BACKGROUND].run_once()

    assert runs == ["each", "minute", "each", "each", "minute"]


async def test_housekeeping_is_registered_to_run_once_a_minute(aiohttp_client, settings):
    client = await aiohttp_client(create_app(settings))
    (registered,) = [r for r in client.app[BACKGROUND].jobs if r.job is housekeeping]
    assert registered.every == 60


async def test_a_job_with_every_that_failed_runs_again_next_time():
    app = web.Application()
    runs: list[int] = []

    async def flaky(app: web.Application) -> None:
        runs.append(len(runs))
        if len(runs) == 1:
            raise RuntimeError("the database went away")

    register(app, flaky, every=60)
    app[BACKGROUND].monotonic = lambda: 1000.0
    for _ in range(3):
        await app[BACKGROUND].run_once()
    assert runs == [0, 1]  # failed, ran again at once, then waits its minute
