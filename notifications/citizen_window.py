"""When WeChat lets the Official Account send a citizen customer-service messages, as WeChat
counts them since June 2023: after a message from him, at most 5 within 48 hours; after a menu
click, a follow or a QR-code scan, at most 3 within a minute. Events he did not make (template
and mass-send job reports, the automatic LOCATION report, VIEW, subscribe-message events) open
nothing. Outside every window a notice goes as a subscribe message where he accepted ours
(notifications/subscriptions.py), else as a template message."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.channels import Channel
from notifications.message_log import InboundMessage
from notifications.models import OutboxMessage
from notifications.subscriptions import subscribed


@dataclass(frozen=True)
class Window:
    lasts: timedelta
    limit: int  # customer-service messages allowed while it lasts


MESSAGE = Window(timedelta(hours=48), 5)
QUICK = Window(timedelta(minutes=1), 3)
QUICK_EVENTS = frozenset({"click", "subscribe", "scan"})
EVENT_PREFIX = "event:"


def logged_kind(kind: str, event: str) -> str:
    """The message log's `msg_type`: the message type, or `event:` and the event's name."""
    return f"{EVENT_PREFIX}{event}"[:32] if kind == "event" else kind


def opens_window(kind: str, event: str) -> bool:
    """Whether the citizen made this himself, so that WeChat lets us answer later."""
    return kind != "event" or event in QUICK_EVENTS


def citizen_channel(
    openings: Sequence[tuple[Window, datetime | None, int]], now: datetime
) -> Channel:
    """Customer service while any window is open and under its limit (`sent` counts the
    customer-service messages sent since it opened), else a template message."""
    for window, opened_at, sent in openings:
        if opened_at is not None and now - opened_at < window.lasts and sent < window.limit:
            return Channel.MP_CUSTOM
    return Channel.MP_TEMPLATE


async def channel_for(
    session: AsyncSession, hashes: Sequence[str], now: datetime, subscribe_template: str = ""
) -> Channel:
    """The channel for a notice to the citizen with these openid hashes, now: customer service,
    a subscribe message (of `subscribe_template`, if he accepted it) or a template message."""
    mine = (InboundMessage.channel == "mp", InboundMessage.openid_hash.in_(hashes))
    is_event = InboundMessage.msg_type.like(f"{EVENT_PREFIX}%")
    openings: list[tuple[Window, datetime | None, int]] = []
    for window, kind in ((MESSAGE, ~is_event), (QUICK, is_event)):
        opened_at = await session.scalar(
            select(func.max(InboundMessage.received_at)).where(*mine, kind)
        )
        sent = 0
        if opened_at is not None and now - opened_at < window.lasts:
            sent = await _custom_sent_since(session, hashes, opened_at)
        openings.append((window, opened_at, sent))
    channel = citizen_channel(openings, now)
    if channel is Channel.MP_TEMPLATE and await subscribed(session, hashes, subscribe_template):
        return Channel.MP_SUBSCRIBE
    return channel


async def _custom_sent_since(session: AsyncSession, hashes: Sequence[str], since: datetime) -> int:
    count = await session.scalar(
        select(func.count()).where(
            OutboxMessage.channel == Channel.MP_CUSTOM.value,
            OutboxMessage.recipient_hash.in_(hashes),
            OutboxMessage.created_at >= since,
        )
    )
    return count or 0
