"""The app factory: builds everything from settings; nothing happens at import time."""

from __future__ import annotations

from aiohttp import web

import bot
import complaints
import notifications
import rewards
from bot.protocol import MAX_BODY_BYTES
from jubao.background import background
from jubao.clock import Clock
from jubao.config import Settings
from jubao.db import database, ping
from jubao.identity import IdentityVault
from jubao.keys import CLOCK, SESSIONS, SETTINGS, VAULT
from jubao.middlewares import json_errors
from jubao.scheduler import scheduler


async def healthz(request: web.Request) -> web.Response:
    try:
        await ping(request.app[SESSIONS])
    except Exception:
        return web.json_response({"status": "unavailable"}, status=503)
    return web.json_response({"status": "ok"})


def create_app(settings: Settings, *, clock: Clock | None = None) -> web.Application:
    """`settings` must carry its secrets (see `config.with_secrets`)."""
    app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=[json_errors])
    app[SETTINGS] = settings
    app[CLOCK] = clock or Clock()
    app[VAULT] = IdentityVault(settings.identity_keys)
    app.cleanup_ctx.append(database)
    app.router.add_get("/healthz", healthz)
    for package in (bot, complaints, rewards, notifications):
        package.setup(app)
    app.cleanup_ctx.append(background)
    app.cleanup_ctx.append(scheduler)
    if settings.demo:
        from jubao.demo import FAKE_API_PATH
        from jubao.demo.fake_api import create_fake_api

        app.add_subapp(FAKE_API_PATH, create_fake_api(settings, clock=app[CLOCK]))
    return app
