"""Forgetting on time: stored replies after 10 minutes, idle dialogues after 24 hours.

`purge` is one idempotent run; `housekeeping` runs it every minute inside `serve` while
JUBAO_SCHEDULER is on (the scheduler of a later issue takes it over).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

from aiohttp import web
from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.dialogue import IDLE_LIMIT
from bot.models import Dialogue, InboundMessage
from jubao.keys import CLOCK, SESSIONS, SETTINGS

REPLY_RETENTION = timedelta(minutes=10)
INTERVAL_SECONDS = 60
log = logging.getLogger(__name__)


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


async def housekeeping(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: a background loop that survives failures and stops with the app."""
    if not app[SETTINGS].scheduler:
        yield
        return

    async def loop() -> None:
        while True:
            try:
                async with app[SESSIONS].begin() as session:
                    await purge(session, app[CLOCK].now())
            except Exception:
                log.exception("housekeeping failed; retrying at the next run")
            await asyncio.sleep(INTERVAL_SECONDS)

    task = asyncio.create_task(loop())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
