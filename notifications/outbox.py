"""The outbox (SPEC §9): messages are written in the transaction of the change that causes them
and delivered after the commit, by the web process at once and by workers later.

A delivery claims due rows in a short transaction (FOR UPDATE SKIP LOCKED on PostgreSQL; on
SQLite the write lock serialises claims) and takes a lease on them; sends each outside any
transaction; then marks it sent, or due again after a backoff, or failed. A worker that dies
holding a lease loses it after LEASE and the rows come back. The idempotency key makes a second
`put` of the same message a no-op. Logs and `last_error` never carry recipients or texts.
"""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jubao.clock import Clock
from jubao.db import insert_new_row
from jubao.identity import IdentityVault
from notifications.channels import CITIZEN_CHANNELS, Channel, Job, send
from notifications.models import OutboxMessage
from notifications.wechat_api import WeChatClient
from notifications.wechat_errors import TIMEOUT, WeChatError

log = logging.getLogger(__name__)

OUTBOX = OutboxMessage.__table__
LEASE = timedelta(seconds=60)
SEND_SECONDS = 30.0  # one send at most: token fetch, call, token refresh, call again
START_SECONDS = LEASE.total_seconds() - SEND_SECONDS - 5  # no send starts later: leases hold
CONCURRENCY = 8
FIRST_RETRY = timedelta(seconds=10)
LAST_RETRY = timedelta(hours=1)
MAX_ATTEMPTS = 20  # about 12 hours of retries, then the message is failed
SKIPPED = "skipped: neither JUBAO_WORK_CHATID nor JUBAO_WORK_WEBHOOK_KEY is set"


@dataclass
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    skipped: int = 0  # group messages with no group channel configured (marked sent)
    retrying: int = 0
    failed: int = 0
    released: int = 0  # claimed but not started in time; due again at once

    def __add__(self, other: DeliveryReport) -> DeliveryReport:
        return DeliveryReport(
            *(getattr(self, f.name) + getattr(other, f.name) for f in fields(self))
        )


async def put(
    session: AsyncSession,
    *,
    key: str,
    channel: Channel | str,
    recipient: str | None,
    text: str,
    vault: IdentityVault,
    now: datetime,
    extra: dict[str, Any] | None = None,
) -> bool:
    """Queue a message in the caller's transaction; False when `key` was queued before.

    `recipient`: a citizen's openid (stored encrypted) for mp_custom and mp_template, wework_ids
    ("a|b") for work_app, nothing for work_group. See channels.send for `extra`.
    """
    channel = Channel(channel)
    if channel is not Channel.WORK_GROUP and not recipient:
        raise ValueError(f"a {channel} message needs a recipient")
    if channel is Channel.MP_TEMPLATE and not (extra and extra.get("data")):
        raise ValueError('a template message needs extra={"data": {...}}')
    citizen = channel in CITIZEN_CHANNELS
    values = {
        "key": key,
        "channel": channel.value,
        "recipient": None if citizen or channel is Channel.WORK_GROUP else recipient,
        "recipient_enc": vault.encrypt(recipient) if citizen and recipient else None,
        "recipient_hash": vault.lookup_hash(recipient) if citizen and recipient else None,
        "text": text,
        "extra": extra,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }
    dialect = (await session.connection()).dialect.name
    return (await session.scalar(insert_new_row(dialect, OUTBOX), values)) is not None


@dataclass(frozen=True)
class Claimed:
    """A row as claimed: what a delivery needs of it, and the lease it holds."""

    id: int
    channel: str
    recipient: str | None
    recipient_enc: str | None
    text: str
    extra: dict[str, Any] | None
    attempts: int
    lease_until: datetime


async def claim(
    sessions: async_sessionmaker[AsyncSession], now: datetime, limit: int = 50
) -> list[Claimed]:
    """Take a lease on up to `limit` due rows, oldest first, in one short transaction."""
    lease_until = now + LEASE
    async with sessions.begin() as session:
        query = (
            select(OutboxMessage)
            .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
        )
        if (await session.connection()).dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        claimed = []
        for row in (await session.scalars(query)).all():
            row.attempts += 1
            row.lease_until = row.next_attempt_at = lease_until
            claimed.append(
                Claimed(
                    *(row.id, row.channel, row.recipient, row.recipient_enc, row.text),
                    *(row.extra, row.attempts, lease_until),
                )
            )
    return claimed


async def deliver_due(
    sessions: async_sessionmaker[AsyncSession],
    client: WeChatClient,
    vault: IdentityVault,
    now: datetime,
    limit: int = 50,
) -> DeliveryReport:
    """Claim what is due at `now`, send it, and record each outcome."""
    rows = await claim(sessions, now, limit)
    report = DeliveryReport(claimed=len(rows))
    started = time.monotonic()
    gate = asyncio.Semaphore(CONCURRENCY)

    async def deliver(row: Claimed) -> None:
        async with gate:
            if time.monotonic() - started > START_SECONDS:
                await _finish(sessions, row, report, "released", _released(row, now))
                return
            await _deliver(sessions, client, vault, row, now, report)

    await asyncio.gather(*(deliver(row) for row in rows))
    if report.skipped:
        log.warning("outbox: %d group message(s) not sent, %s", report.skipped, SKIPPED)
    return report


async def deliver_all(
    sessions: async_sessionmaker[AsyncSession],
    client: WeChatClient,
    vault: IdentityVault,
    clock: Clock,
    limit: int = 50,
) -> DeliveryReport:
    """Deliver everything due now, batch after batch (what `jubao outbox deliver` does)."""
    total = DeliveryReport()
    while True:
        report = await deliver_due(sessions, client, vault, clock.now(), limit)
        total += report
        if report.claimed < limit or report.released == report.claimed:
            return total


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed try: 10 s, 20 s, 40 s, … at most an hour."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LAST_RETRY)


async def _deliver(
    sessions: async_sessionmaker[AsyncSession],
    client: WeChatClient,
    vault: IdentityVault,
    row: Claimed,
    now: datetime,
    report: DeliveryReport,
) -> None:
    try:
        job = _job(row, vault)
    except ValueError:
        error = WeChatError(0, "recipient cannot be decrypted with JUBAO_IDENTITY_KEYS", False)
        await _finish(sessions, row, report, "failed", _failed(row, str(error)))
        return
    try:
        async with asyncio.timeout(SEND_SECONDS):
            delivered = await send(client, job)
    except Exception as exception:
        if isinstance(exception, WeChatError):
            error = exception
        elif isinstance(exception, TimeoutError):
            error = WeChatError(TIMEOUT, "send took too long", retryable=True)
        else:  # a bug must not stop the other sends, nor keep the lease; its message and
            # traceback may hold message data, so only where it happened is logged
            where = traceback.extract_tb(exception.__traceback__)[-1]
            name = f"internal error {type(exception).__name__} at {where.filename}:{where.lineno}"
            log.error("outbox %d (%s): %s", row.id, row.channel, name)
            error = WeChatError(0, name[:150], retryable=True)
        message = _scrubbed(str(error), job)
        if error.retryable and row.attempts < MAX_ATTEMPTS:
            await _finish(sessions, row, report, "retrying", _retry(row, message, now))
        else:
            await _finish(sessions, row, report, "failed", _failed(row, message))
        return
    values = {"status": "sent", "sent_at": now, "next_attempt_at": None, "lease_until": None}
    values["last_error"] = None if delivered else SKIPPED
    await _finish(sessions, row, report, "sent" if delivered else "skipped", values)


def _job(row: Claimed, vault: IdentityVault) -> Job:
    channel = Channel(row.channel)
    if channel in CITIZEN_CHANNELS:
        recipient = vault.decrypt(row.recipient_enc) if row.recipient_enc else None
    else:
        recipient = row.recipient
    return Job(row.id, channel, recipient, row.text, row.extra or {})


def _scrubbed(text: str, job: Job) -> str:
    """An error text with anything that could be the message or its recipient cut out."""
    for secret in (job.recipient, job.text):
        if secret:
            text = text.replace(secret, "…")
    return text[:200]


def _retry(row: Claimed, message: str, now: datetime) -> dict[str, Any]:
    wait = backoff(row.attempts)
    log.warning(
        "outbox %d (%s) attempt %d: %s; next try in %ds",
        *(row.id, row.channel, row.attempts, message, wait.total_seconds()),
    )
    return {"next_attempt_at": now + wait, "lease_until": None, "last_error": message}


def _failed(row: Claimed, message: str) -> dict[str, Any]:
    log.error("outbox %d (%s) failed: %s", row.id, row.channel, message)
    return {"status": "failed", "next_attempt_at": None, "lease_until": None, "last_error": message}


def _released(row: Claimed, now: datetime) -> dict[str, Any]:
    return {"attempts": row.attempts - 1, "next_attempt_at": now, "lease_until": None}


async def _finish(
    sessions: async_sessionmaker[AsyncSession],
    row: Claimed,
    report: DeliveryReport,
    outcome: str,
    values: dict[str, Any],
) -> None:
    """Record the outcome, only if the lease is still ours (a row is never marked twice)."""
    async with sessions.begin() as session:
        result = await session.execute(
            update(OUTBOX)
            .where(OUTBOX.c.id == row.id, OUTBOX.c.lease_until == row.lease_until)
            .values(values)
        )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        log.warning("outbox %d (%s): lease lost before the outcome was recorded", row.id, outcome)
        return
    setattr(report, outcome, getattr(report, outcome) + 1)
    if outcome == "sent":
        log.info("outbox %d (%s) sent", row.id, row.channel)
