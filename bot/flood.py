"""A citizen who floods the Official Account: at most 30 messages a minute per openid. The
31st is answered once, politely; the rest of that minute gets silence ('success'), and none of
it reaches the dialogue, a report or a staff member.

The count is a row of jubao/rate_limits.py's table, shared by every web process and keyed by
the openid's keyed hash, never the openid. It is raised first in the transaction that handles
the message (bot/citizen_message.py), so a WeChat retry, whose transaction is rolled back when
the message log's row is found, is never counted; each over-limit message is logged with its
reply like any other (bot/exactly_once.py), so a retry of it gets the same answer."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.exactly_once import Envelope, log_message
from bot.store import Store
from jubao.identity import IdentityVault

LIMIT = 30
WINDOW = timedelta(minutes=1)
TOO_MANY = "您发送消息过于频繁，请一分钟后再试。这段时间里发来的消息不会被处理。"


def reply_over(count: int, limit: int = LIMIT) -> str | None:
    """Pure: None within the limit; past it the polite answer for the first message over,
    '' (silence) for every one after."""
    if count <= limit:
        return None
    return TOO_MANY if count == limit + 1 else ""


async def over_limit(
    store: Store,
    envelope: Envelope,
    count: int,
    *,
    sender: str,
    vault: IdentityVault,
    now: datetime,
) -> str | None:
    """None: handle the message as usual. Otherwise, `count` being the sender's messages in
    this window (counted by Store.count_and_load), the reply it gets instead ('' for silence),
    the message logged with it in this transaction; raises AlreadyHandled when it is a retry
    (the caller's transaction is then rolled back, the count with it)."""
    reply = reply_over(count)
    if reply is not None:
        await log_message(store, envelope, reply, vault=vault, now=now, openid_hash=sender)
    return reply
