"""Shared by the thread's tests: a report as the hotline intake keeps it (no openid), and what
the database holds of a report's thread and of the messages queued for WeChat."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaints.models import Report, ReportMessage
from notifications.models import OutboxMessage


async def without_openid(sessions: async_sessionmaker[AsyncSession], number: str) -> None:
    """The report as one taken by phone is stored: no WeChat user behind it (migration 0016)."""
    async with sessions.begin() as session:
        await session.execute(
            update(Report)
            .where(Report.number == number)
            .values(reporter_openid_enc=None, reporter_openid_hash=None)
        )


async def stored(sessions: async_sessionmaker[AsyncSession], number: str) -> list[tuple[str, str]]:
    """(kind, text) of the report's thread and notes, oldest first."""
    async with sessions() as session:
        rows = await session.execute(
            select(ReportMessage.kind, ReportMessage.text)
            .join(Report, Report.id == ReportMessage.report_id)
            .where(Report.number == number)
            .order_by(ReportMessage.at, ReportMessage.id)
        )
    return [tuple(row) for row in rows]  # type: ignore[misc]


async def queued(sessions: async_sessionmaker[AsyncSession], prefix: str) -> list[OutboxMessage]:
    """The outbox rows whose idempotency key starts with `prefix`, in order."""
    async with sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.key.like(f"{prefix}%"))
            .order_by(OutboxMessage.id)
        )
    return list(rows)
