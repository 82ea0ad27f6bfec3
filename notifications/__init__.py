"""Outbound messages: the outbox, message templates, WeChat channels (reminders come later)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from jubao.keys import CLOCK, SESSIONS, SETTINGS
from notifications.wechat_api import WeChatClient

WECHAT_API = web.AppKey("wechat_api", WeChatClient)


async def wechat_api(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx (after the database's): one WeChat API client for the app's lifetime."""
    async with WeChatClient(app[SETTINGS], app[SESSIONS], app[CLOCK]) as client:
        app[WECHAT_API] = client
        yield


def setup(app: web.Application) -> None:
    """The WeChat API client at app[WECHAT_API] and the delivery loop at app[DELIVERY]."""
    from notifications.delivery import delivery

    app.cleanup_ctx.append(wechat_api)
    app.cleanup_ctx.append(delivery)
