"""Outbound messages: the outbox, message templates, the WeChat channels and API client."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from jubao.background import register
from jubao.keys import CLOCK, SESSIONS, SETTINGS, VAULT
from notifications.wechat_api import WeChatClient

WECHAT_API = web.AppKey("wechat_api", WeChatClient)


async def wechat_api(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx (after the database's): one WeChat API client for the app's lifetime."""
    async with WeChatClient(app[SETTINGS], app[SESSIONS], app[CLOCK]) as client:
        app[WECHAT_API] = client
        yield


async def deliver(app: web.Application) -> object:
    """Background job: everything due in the outbox."""
    from notifications.outbox import deliver_all

    return await deliver_all(app[SESSIONS], app[WECHAT_API], app[VAULT], app[CLOCK])


def setup(app: web.Application) -> None:
    """The WeChat API client at app[WECHAT_API]; outbox delivery as a background job."""
    app.cleanup_ctx.append(wechat_api)
    register(app, deliver)
