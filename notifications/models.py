"""What notifications keep: the outbox of messages to send and the shared WeChat access tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from jubao.db import Base, UtcDateTime


class OutboxMessage(Base):
    """One message to send, written in the transaction of the change that causes it.

    A citizen's openid is identity data and is kept only in `recipient_enc` (encrypted);
    an officer's wework_id is kept in `recipient`; a group message has neither. `next_attempt_at`
    is when a worker may next claim the row (NULL once it is sent or failed); while a worker holds
    it, `lease_until` is the end of that worker's lease and `next_attempt_at` equals it, so the
    row of a crashed worker comes back by itself.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str | None] = mapped_column(Text)
    recipient_enc: Mapped[str | None] = mapped_column(Text)
    # A citizen's keyed hash: how many service messages he got since he last wrote.
    recipient_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    text: Mapped[str] = mapped_column(Text)
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class AccessToken(Base):
    """A WeChat access token shared by every process; `app` is e.g. "mp:APPID".

    `refreshing_until` is a short lease taken by the process fetching a new token, so that the
    others wait for it instead of fetching their own.
    """

    __tablename__ = "access_tokens"

    app: Mapped[str] = mapped_column(String(100), primary_key=True)
    token: Mapped[str | None] = mapped_column(Text)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    refreshing_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
