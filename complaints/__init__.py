"""Reports and their lifecycle: intake, routing, deadlines, reminders, the staff JSON API."""

from __future__ import annotations

from aiohttp import web

from complaints import api, intake_api, jobs, thread_api
from jubao import background, scheduler


def setup(app: web.Application) -> None:
    """The staff JSON API (reports, their thread); the sweep, the digest, evidence
    downloads and forgetting the intake forms' query codes."""
    api.setup_routes(app)
    thread_api.setup_routes(app)
    intake_api.setup_routes(app)
    scheduler.every(app, "sweep", jobs.sweep_job, seconds=jobs.SWEEP_SECONDS, name="reminder sweep")
    scheduler.daily(app, "digest", jobs.digest_job, **jobs.DIGEST_AT, name="daily digest")
    background.register(app, jobs.fetch_evidence)
    background.register(app, jobs.erase_intake_codes, every=jobs.ERASE_CODES_SECONDS)
