"""A citizen who floods the Official Account: at most 30 messages a minute per openid. The
31st is answered once, politely; the rest of that minute gets silence ('success'), and none of
it reaches the dialogue, a report or a staff member.

Each over-limit message is logged with its reply like any other (bot/exactly_once.py), so a
WeChat retry of it gets the same answer; a retry of a message logged before is never counted
(`over_limit` looks it up first). The count is a row of jubao/rate_limits.py, shared by every
web process; it is keyed by the openid's keyed hash, never the openid."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.exactly_once import Envelope, event_key, log_message
from bot.store import CoreStore
from jubao import rate_limits
from jubao.identity import IdentityVault
from notifications.message_log import InboundMessage

LIMIT = 30
WINDOW = timedelta(minutes=1)
TOO_MANY = "您发送消息过于频繁，请一分钟后再试。这段时间里发来的消息不会被处理。"


def reply_over(count: int, limit: int = LIMIT) -> str | None:
    """Pure: None within the limit; past it the polite answer for the first message over,
    '' (silence) for every one after."""
    if count <= limit:
        return None
    return TOO_MANY if count == limit + 1 else ""


async def logged_before(session: AsyncSession, envelope: Envelope, vault: IdentityVault) -> bool:
    """Whether this message is in the log already (a WeChat retry)."""
    where = [InboundMessage.channel == envelope.channel]
    if envelope.msg_id is not None:
        where.append(InboundMessage.msg_id == envelope.msg_id)
    else:
        where.append(InboundMessage.event_key == event_key(envelope, vault))
    return await session.scalar(select(InboundMessage.id).where(*where)) is not None


async def over_limit(
    session: AsyncSession, envelope: Envelope, *, vault: IdentityVault, now: datetime
) -> str | None:
    """None: handle the message as usual. Otherwise the reply it gets instead ('' for
    silence), the message logged with it in this transaction; raises AlreadyHandled when a
    retry of it raced in first (the caller answers with the stored reply)."""
    if await logged_before(session, envelope, vault):
        return None  # the intake answers the retry with its stored reply
    sender = vault.lookup_hash(envelope.openid)
    reply = reply_over(await rate_limits.hit(session, "mp", sender, now, WINDOW))
    if reply is not None:
        store = await CoreStore.of(session)
        await log_message(store, envelope, reply, vault=vault, now=now, openid_hash=sender)
    return reply
