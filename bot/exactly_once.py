"""Exactly once: every WeChat message (MsgId) or event (sender, time, event, key) is logged
with its reply, last in the transaction that handles it. A second delivery (WeChat's retry)
finds the row: its transaction is rolled back and it is answered with the stored reply."""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from datetime import datetime

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.conversation import Inbound
from bot.store import CoreStore, MessageRow, Store
from jubao.identity import IdentityVault
from jubao.logs import safe_traceback
from jubao.outage import UNAVAILABLE, describe, is_outage
from notifications.citizen_window import logged_kind, opens_window

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Envelope:
    channel: str  # mp (Official Account) or work (WeChat Work)
    openid: str  # the sender: a citizen's openid, an officer's wework_id
    account: str  # our account's id, the reply's sender
    msg_id: int | None  # None for events
    create_time: int
    inbound: Inbound


class AlreadyHandled(Exception):
    """This message was logged before (a WeChat retry): roll back and answer as then. Raised
    by `log_message` only, so no other error is ever taken for a retry."""


def event_key(envelope: Envelope, vault: IdentityVault) -> str | None:
    if envelope.msg_id is not None:
        return None
    inbound = envelope.inbound
    raw = f"{envelope.openid}|{envelope.create_time}|{inbound.event}|{inbound.event_key}"
    return vault.lookup_hash(raw)


async def log_message(
    store: Store,
    envelope: Envelope,
    reply: str,
    *,
    vault: IdentityVault,
    now: datetime,
    openid_hash: str | None = None,
) -> None:
    """The message log row with its reply, encrypted, written last in the message's
    transaction; raises AlreadyHandled when the message was logged before (a retry).
    `openid_hash` is kept only where the citizen made the message himself: it opens WeChat's
    window for customer-service messages (notifications/citizen_window.py)."""
    inbound = envelope.inbound
    claimed = await store.claim_message(
        MessageRow(
            channel=envelope.channel,
            msg_id=envelope.msg_id,
            event_key=event_key(envelope, vault),
            msg_type=logged_kind(inbound.kind, inbound.event),
            received_at=now,
            reply_enc=vault.encrypt(reply) if reply else None,
            openid_hash=openid_hash if opens_window(inbound.kind, inbound.event) else None,
        )
    )
    if not claimed:
        raise AlreadyHandled


async def stored_reply(session: AsyncSession, envelope: Envelope, vault: IdentityVault) -> str:
    """The reply given to the first delivery of this message ('' once erased or if none)."""
    reply_enc = await (await CoreStore.of(session)).logged_reply(
        envelope.channel, envelope.msg_id, event_key(envelope, vault)
    )
    return vault.decrypt(reply_enc) if reply_enc else ""


def not_handled(envelope: Envelope) -> web.Response:
    """The answer to a message that could not be handled (a bug, the database down), called
    in its `except` block: its transaction was rolled back, so nothing of it is kept; the
    error is logged with its traceback (never the message or its sender), and a 500 makes
    WeChat deliver it again — a 503 without a traceback when the database is away."""
    error = sys.exc_info()[1]
    if error is not None and is_outage(error):
        log.warning(
            "%s message %s not handled, database unavailable (%s); WeChat will deliver it again",
            *(envelope.channel, envelope.msg_id or "(event)", describe(error)),
        )
        return web.Response(status=503, text=UNAVAILABLE)
    log.error(
        "%s message %s could not be handled; WeChat will deliver it again\n%s",
        envelope.channel,
        envelope.msg_id or "(event)",
        safe_traceback(sys.exc_info()[1]),  # type: ignore[arg-type]
    )
    return web.Response(status=500, text="message not handled; WeChat will retry")
