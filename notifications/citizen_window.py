"""WeChat lets an Official Account send customer-service messages to a citizen only within 48
hours of his last message, and at most 5 of them; later updates go as template messages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.channels import Channel
from notifications.message_log import InboundMessage
from notifications.models import OutboxMessage

WINDOW = timedelta(hours=48)
MAX_IN_WINDOW = 5


def citizen_channel(last_message_at: datetime | None, sent_since: int, now: datetime) -> Channel:
    """Customer service inside the window (and under the cap), else a template message."""
    if (
        last_message_at is not None
        and now - last_message_at < WINDOW
        and sent_since < MAX_IN_WINDOW
    ):
        return Channel.MP_CUSTOM
    return Channel.MP_TEMPLATE


async def channel_for(session: AsyncSession, hashes: Sequence[str], now: datetime) -> Channel:
    last = await session.scalar(
        select(func.max(InboundMessage.received_at)).where(
            InboundMessage.channel == "mp", InboundMessage.openid_hash.in_(hashes)
        )
    )
    sent = 0
    if last is not None:
        sent = (
            await session.scalar(
                select(func.count()).where(
                    OutboxMessage.channel == Channel.MP_CUSTOM.value,
                    OutboxMessage.recipient_hash.in_(hashes),
                    OutboxMessage.created_at >= last,
                )
            )
            or 0
        )
    return citizen_channel(last, sent, now)
