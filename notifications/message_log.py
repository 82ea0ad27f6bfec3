"""The inbound message log: one row per WeChat message or event, kept so that a retry is
answered as the first delivery was (exactly once) and so that a citizen's last message opens
WeChat's 48-hour window for customer-service messages (notifications/citizen_window.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from jubao.db import Base, UtcDateTime


def _partial_index(name: str, *columns: str, where: str, unique: bool = False) -> Index:
    """An index of the rows matching `where`, on SQLite and PostgreSQL alike."""
    condition = text(where)
    return Index(name, *columns, unique=unique, sqlite_where=condition, postgresql_where=condition)


class InboundMessage(Base):
    """One row per WeChat message (MsgId) or event (keyed hash of sender, time, event, key).

    `reply_enc` is the rendered reply, encrypted, kept so that a retry gets the same answer;
    it is erased after ten minutes, and the row after seven days (bot/housekeeping.py).

    A row is written for every WeChat message, so it enters as few indexes as it can (each is
    a page SQLite writes at commit): a message has a MsgId and no event key, an event the
    reverse, and each is unique only among the rows that have it; the purge's index holds
    only the rows whose reply is still kept, so that it reads ten minutes of the log, not all.
    """

    __tablename__ = "inbound_messages"
    __table_args__ = (
        _partial_index(
            "uq_inbound_messages_channel_msg_id",
            *("channel", "msg_id"),
            where="msg_id IS NOT NULL",
            unique=True,
        ),
        _partial_index(
            "uq_inbound_messages_channel_event_key",
            *("channel", "event_key"),
            where="event_key IS NOT NULL",
            unique=True,
        ),
        Index("ix_inbound_messages_openid_hash_received_at", "openid_hash", "received_at"),
        _partial_index(
            "ix_inbound_messages_reply_kept", "received_at", where="reply_enc IS NOT NULL"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(8))
    msg_id: Mapped[int | None] = mapped_column(BigInteger)
    event_key: Mapped[str | None] = mapped_column(String(64))
    msg_type: Mapped[str] = mapped_column(String(32))
    # The sender's keyed hash (citizens): when he last wrote opens WeChat's 48-hour window.
    openid_hash: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reply_enc: Mapped[str | None] = mapped_column(Text)
