"""Evidence files: WeChat's temporary media ids die after 3 days, so each is fetched at once,
stored under JUBAO_MEDIA_DIR with its SHA-256, size and content type, and retried with
backoff when WeChat fails (until the id has surely expired)."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import mimetypes
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaints.models import Evidence, Report
from notifications.wechat_api import WeChatClient
from notifications.wechat_errors import WeChatError

LEASE = timedelta(minutes=5)
GIVE_UP_AFTER = timedelta(days=3)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Due:
    id: int
    media_id: str
    number: str
    received_at: datetime
    attempts: int


def backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), timedelta(hours=1))


async def claim(
    sessions: async_sessionmaker[AsyncSession], now: datetime, limit: int = 20
) -> list[Due]:
    """Take due downloads for a while (a lease), so other workers leave them alone."""
    async with sessions.begin() as session:
        rows = (
            await session.execute(
                select(Evidence, Report.number)
                .join(Report, Report.id == Evidence.report_id)
                .where(
                    Evidence.download_status == "pending",
                    Evidence.media_id.is_not(None),
                    or_(Evidence.next_attempt_at.is_(None), Evidence.next_attempt_at <= now),
                )
                .order_by(Evidence.id)
                .limit(limit)
                .with_for_update(skip_locked=True, of=Evidence)
            )
        ).all()
        for evidence, _ in rows:
            evidence.attempts += 1
            evidence.next_attempt_at = now + LEASE
        return [
            Due(e.id, e.media_id or "", number, e.received_at, e.attempts) for e, number in rows
        ]


# What WeChat sends (voice is AMR or Speex, which mimetypes does not know).
EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "audio/amr": ".amr",
    "audio/speex": ".speex",
    "video/mp4": ".mp4",
}


def _file_name(due: Due, digest: str, content_type: str) -> Path:
    kind = content_type.split(";")[0].strip().lower()
    extension = EXTENSIONS.get(kind) or mimetypes.guess_extension(kind) or ".bin"
    year = due.number.split("-")[1]
    return Path(year) / due.number / f"{due.id}-{digest[:16]}{extension}"


async def fetch_due(
    sessions: async_sessionmaker[AsyncSession],
    client: WeChatClient,
    media_dir: str,
    now: datetime,
) -> int:
    """Download what is due; returns how many files were stored."""
    stored = 0
    for due in await claim(sessions, now):
        try:
            media = await client.mp_media(due.media_id)
        except WeChatError as error:
            await _failed(sessions, due, error, now)
            continue
        digest = hashlib.sha256(media.content).hexdigest()
        relative = _file_name(due, digest, media.content_type)
        target = Path(media_dir) / relative
        await asyncio.to_thread(_write, target, media.content)
        async with sessions.begin() as session:
            evidence = await session.get(Evidence, due.id)
            evidence.download_status, evidence.next_attempt_at = "stored", None
            evidence.path, evidence.sha256 = str(relative), digest
            evidence.size, evidence.content_type = len(media.content), media.content_type
            evidence.last_error = None
        stored += 1
    return stored


def _write(target: Path, content: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(target.suffix + ".part")
    partial.write_bytes(content)
    partial.replace(target)


async def _failed(
    sessions: async_sessionmaker[AsyncSession], due: Due, error: WeChatError, now: datetime
) -> None:
    expired = now - due.received_at > GIVE_UP_AFTER
    async with sessions.begin() as session:
        evidence = await session.get(Evidence, due.id)
        evidence.last_error = f"errcode {error.errcode}"
        if error.retryable and not expired:
            evidence.next_attempt_at = now + backoff(due.attempts)
        else:
            evidence.download_status, evidence.next_attempt_at = "failed", None
    log.warning(
        "evidence %s of %s: errcode %s (attempt %s)",
        due.id,
        due.number,
        error.errcode,
        due.attempts,
    )
