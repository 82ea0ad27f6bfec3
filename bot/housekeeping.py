"""Forgetting on time: stored replies after 10 minutes, idle dialogues after 24 hours.

`purge` is one idempotent run; `housekeeping` is the background job that runs it, at most
once a minute (a reply is erased within 11 minutes, a dialogue a minute after its 24 hours).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from aiohttp import web
from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogue import IDLE_LIMIT
from bot.models import Dialogue
from jubao.keys import CLOCK, SESSIONS
from notifications.message_log import InboundMessage

REPLY_RETENTION = timedelta(minutes=10)
PURGE_EVERY_SECONDS = 60.0


async def purge(session: AsyncSession, now: datetime) -> tuple[int, int]:
    """Erase stored replies older than 10 minutes and drop dialogues idle for 24 hours."""
    replies = await session.execute(
        update(InboundMessage)
        .where(
            InboundMessage.received_at < now - REPLY_RETENTION,
            InboundMessage.reply_enc.is_not(None),
        )
        .values(reply_enc=None)
    )
    dialogues = await session.execute(
        delete(Dialogue).where(Dialogue.updated_at < now - IDLE_LIMIT)
    )
    return replies.rowcount, dialogues.rowcount  # type: ignore[attr-defined]


async def housekeeping(app: web.Application) -> tuple[int, int]:
    """Background job: one purge as of now."""
    async with app[SESSIONS].begin() as session:
        return await purge(session, app[CLOCK].now())
