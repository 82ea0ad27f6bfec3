"""WeChat adapters: the Official Account callback with the citizen dialogue, and the WeChat
Work app callback with the officers' commands."""

from __future__ import annotations

from aiohttp import web

from bot import mp, work
from bot.housekeeping import PURGE_EVERY_SECONDS, housekeeping
from bot.intake import intake_context
from jubao.background import register
from jubao.keys import SETTINGS


def setup(app: web.Application) -> None:
    account = mp.official_account(app[SETTINGS])
    if account is not None:
        app[mp.MP] = account
    app.router.add_get("/wechat/mp", mp.verify_url)
    app.router.add_post("/wechat/mp", mp.callback)
    work_app = work.work_app(app[SETTINGS])
    if work_app is not None:
        app[work.WORK] = work_app
    app.router.add_get("/wechat/work", work.verify_url)
    app.router.add_post("/wechat/work", work.callback)
    app.cleanup_ctx.append(intake_context)
    register(app, housekeeping, every=PURGE_EVERY_SECONDS)
