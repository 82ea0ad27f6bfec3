"""The app factory: builds everything from settings; nothing happens at import time."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from importlib.resources import files

import yaml
from aiohttp import web

import bot
import complaints
import console
import notifications
import rewards
from bot.protocol import MAX_BODY_BYTES
from jubao import audit_checks, rate_limits
from jubao.background import background, register
from jubao.clock import Clock
from jubao.config import Settings
from jubao.db import ping
from jubao.headers import add_security_headers
from jubao.identity import IdentityVault
from jubao.keys import CLOCK, ENGINE, SESSIONS, SETTINGS, VAULT
from jubao.middlewares import json_errors
from jubao.migrate import schema_behind
from jubao.outage import database_outage
from jubao.permissions import declared_only
from jubao.runtime import runtime
from jubao.scheduler import daily, scheduler


async def healthz(request: web.Request) -> web.Response:
    """ok while the database answers and its schema is this version's; 503 with the reason."""
    try:
        await ping(request.app[SESSIONS])
    except Exception:
        return unavailable("the database does not answer")
    behind = await schema_behind(request.app[ENGINE])
    if behind:
        return unavailable(behind)
    return web.json_response({"status": "ok"})


def openapi_document() -> dict[str, object]:
    """The API's OpenAPI 3 document (jubao/openapi.yaml), read when the app is built."""
    return yaml.safe_load(files("jubao").joinpath("openapi.yaml").read_text(encoding="utf-8"))


def openapi_view(document: dict[str, object]):  # type: ignore[no-untyped-def]
    async def view(request: web.Request) -> web.Response:
        return web.json_response(document, dumps=_dumps)

    return view


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def unavailable(reason: str) -> web.Response:
    return web.json_response({"status": "unavailable", "reason": reason}, status=503)


async def check_audit_chain(app: web.Application) -> None:
    """Daily: every audit entry checked and the outcome recorded for the audit page."""
    await audit_checks.daily_check(app[SESSIONS], app[CLOCK].now())


async def purge_rate_counts(app: web.Application) -> int:
    """Background job: rate-limit windows older than a day deleted."""
    async with app[SESSIONS].begin() as session:
        return await rate_limits.purge(session, app[CLOCK].now())


async def resources(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx, first: the runtime's engine, sessions and WeChat client under app keys."""
    async with runtime(app[SETTINGS], clock=app[CLOCK], check_database=False) as built:
        app[ENGINE], app[SESSIONS] = built.engine, built.sessions
        app[notifications.WECHAT_API] = built.wechat
        yield


def create_app(settings: Settings, *, clock: Clock | None = None) -> web.Application:
    """`settings` must carry its secrets (see `config.with_secrets`)."""
    app = web.Application(
        client_max_size=MAX_BODY_BYTES,
        middlewares=[json_errors, database_outage, rate_limits.api_rate_limit],
    )
    app.on_response_prepare.append(add_security_headers)
    app[SETTINGS] = settings
    app[CLOCK] = clock or Clock()
    app[VAULT] = IdentityVault(settings.identity_keys)
    app.cleanup_ctx.append(resources)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/api/v1/openapi.json", openapi_view(openapi_document()))
    for package in (bot, console, complaints, rewards, notifications):
        package.setup(app)
    app.middlewares.append(declared_only)  # innermost: a route without a permission row is refused
    register(app, purge_rate_counts, every=rate_limits.PURGE_EVERY_SECONDS)
    daily(app, "audit-check", check_audit_chain, **audit_checks.DAILY_AT, name="audit chain check")
    app.cleanup_ctx.append(background)
    app.cleanup_ctx.append(scheduler)
    return app
