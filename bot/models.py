"""What the bot keeps: the inbound message log (for exactly-once) and dialogue state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jubao.db import Base, UtcDateTime


class InboundMessage(Base):
    """One row per WeChat message (MsgId) or event (keyed hash of sender, time, event, key).

    `reply_enc` is the rendered reply, encrypted, kept so that a retry gets the same answer;
    it is erased after ten minutes.
    """

    __tablename__ = "inbound_messages"
    __table_args__ = (
        UniqueConstraint("channel", "msg_id"),
        UniqueConstraint("channel", "event_key"),
        Index("ix_inbound_messages_openid_hash_received_at", "openid_hash", "received_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(8))
    msg_id: Mapped[int | None] = mapped_column(BigInteger)
    event_key: Mapped[str | None] = mapped_column(String(64))
    msg_type: Mapped[str] = mapped_column(String(32))
    # The sender's keyed hash (citizens): when he last wrote opens WeChat's 48-hour window.
    openid_hash: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    reply_enc: Mapped[str | None] = mapped_column(Text)


class Dialogue(Base):
    """A citizen's dialogue in progress; the whole state is one encrypted JSON document."""

    __tablename__ = "dialogues"

    openid_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    state_enc: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
