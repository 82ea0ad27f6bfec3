"""Forgetting on time: stored replies after 10 minutes, idle dialogues after 24 hours, the
message log after 7 days and finished outbox rows after 90 days.

`purge` is one idempotent run of the first two; `trim` deletes the old log and outbox rows in
batches, each its own short transaction; `housekeeping` is the background job that runs both,
at most once a minute (a reply is erased within 11 minutes, a dialogue a minute after its 24
hours).

Why 7 days of message log: a row makes a WeChat retry an AlreadyHandled (WeChat retries within
seconds), and a citizen's last message opens the 48-hour window for customer-service messages
(notifications/citizen_window.py); 7 days keeps both with room to spare, and lets an operator
look back over a week of traffic. Why 90 days of outbox: a sent row's idempotency key is made
of an event's id or of today's date, so no later `put` can want it again; the 48-hour window
counts the service messages of the last 48 hours; 90 days leave a quarter to look into a
delivery a citizen or an officer asks about. Pending rows are never trimmed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from aiohttp import web
from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.dialogue import IDLE_LIMIT
from bot.models import Dialogue
from jubao.keys import CLOCK, SESSIONS
from notifications.message_log import InboundMessage
from notifications.trimming import trim_message_log, trim_outbox

REPLY_RETENTION = timedelta(minutes=10)
MESSAGE_LOG_RETENTION = timedelta(days=7)
OUTBOX_RETENTION = timedelta(days=90)
PURGE_EVERY_SECONDS = 60.0
BATCH = 500  # rows per transaction: a short write lock on SQLite, short locks on PostgreSQL
BATCHES_PER_RUN = 40  # a backlog goes 20,000 rows a minute; deliveries wait for no more

Trimmer = Callable[[AsyncSession, datetime, int], Awaitable[int]]


@dataclass(frozen=True)
class Trimmed:
    messages: int  # message log rows deleted
    outbox: int  # finished outbox rows deleted


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


async def _in_batches(
    sessions: async_sessionmaker[AsyncSession],
    trimmer: Trimmer,
    before: datetime,
    batch: int,
    batches: int,
) -> int:
    deleted = 0
    for _ in range(batches):
        async with sessions.begin() as session:
            count = await trimmer(session, before, batch)
        deleted += count
        if count < batch:
            break
    return deleted


async def trim(
    sessions: async_sessionmaker[AsyncSession],
    now: datetime,
    *,
    batch: int = BATCH,
    batches: int = BATCHES_PER_RUN,
) -> Trimmed:
    """Delete message log rows older than 7 days and outbox rows finished more than 90 days
    ago, `batch` rows per transaction, at most `batches` transactions of each (the rest waits
    for the next run)."""
    messages = await _in_batches(
        sessions, trim_message_log, now - MESSAGE_LOG_RETENTION, batch, batches
    )
    outbox = await _in_batches(sessions, trim_outbox, now - OUTBOX_RETENTION, batch, batches)
    return Trimmed(messages, outbox)


async def housekeeping(app: web.Application) -> tuple[tuple[int, int], Trimmed]:
    """Background job: one purge and one trim as of now."""
    now = app[CLOCK].now()
    async with app[SESSIONS].begin() as session:
        purged = await purge(session, now)
    return purged, await trim(app[SESSIONS], now)
