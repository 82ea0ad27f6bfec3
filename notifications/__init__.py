"""Outbound messages: the outbox, message templates, the WeChat channels and API client; the
inbound message log. Imports nothing of bot/, complaints/ or rewards/."""

from __future__ import annotations

from aiohttp import web

from jubao import background, scheduler
from jubao.keys import CLOCK, SESSIONS, VAULT
from notifications.outbox import deliver_all
from notifications.wechat_api import WeChatClient

WECHAT_API = web.AppKey("wechat_api", WeChatClient)  # set by the composition root's runtime
TOKENS_SECONDS = 120


async def deliver(app: web.Application) -> object:
    """Background job: everything due in the outbox."""
    return await deliver_all(app[SESSIONS], app[WECHAT_API], app[VAULT], app[CLOCK])


async def refresh_tokens(app: web.Application) -> None:
    """Timed job: access tokens fetched again ahead of their expiry."""
    await app[WECHAT_API].refresh_tokens()


def setup(app: web.Application) -> None:
    """Outbox delivery as a background job; access tokens kept fresh."""
    background.register(app, deliver)
    scheduler.every(app, "tokens", refresh_tokens, seconds=TOKENS_SECONDS, name="access tokens")
