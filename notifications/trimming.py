"""Trimming what WeChat traffic leaves behind, in batches: the inbound message log and the
outbox's finished rows. Each call deletes at most `limit` rows, the oldest first, so that the
caller commits a short transaction per batch however large the backlog (bot/housekeeping.py).

Ids grow with time in both tables, so "the oldest first" is the primary key's order: a batch
reads the key from its start and stops at `limit` matches, and needs no index of its own.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Table, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.message_log import InboundMessage
from notifications.models import OutboxMessage

FINISHED = ("sent", "failed")  # outbox rows no worker will touch again


async def _delete_batch(
    session: AsyncSession, table: Table, condition: ColumnElement[bool], limit: int
) -> int:
    oldest = select(table.c.id).where(condition).order_by(table.c.id).limit(limit)
    result = await session.execute(delete(table).where(table.c.id.in_(oldest.scalar_subquery())))
    return result.rowcount  # type: ignore[attr-defined,no-any-return]


async def trim_message_log(session: AsyncSession, before: datetime, limit: int) -> int:
    """Delete up to `limit` message log rows received before `before`; how many went."""
    table = InboundMessage.__table__
    return await _delete_batch(session, table, table.c.received_at < before, limit)  # type: ignore[arg-type]


async def trim_outbox(session: AsyncSession, before: datetime, limit: int) -> int:
    """Delete up to `limit` sent or failed outbox rows finished (or, if never sent, created)
    before `before`; pending rows always stay."""
    table = OutboxMessage.__table__
    finished_at = func.coalesce(table.c.sent_at, table.c.created_at)
    condition = table.c.status.in_(FINISHED) & (finished_at < before)
    return await _delete_batch(session, table, condition, limit)  # type: ignore[arg-type]
