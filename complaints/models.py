"""Reports and what hangs off them. Identity columns hold Fernet tokens, never plaintext."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from jubao.db import Base, UtcDateTime


class Report(Base):
    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("year", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(16))
    town_id: Mapped[int] = mapped_column(ForeignKey("towns.id"))
    place: Mapped[str] = mapped_column(Text)
    details: Mapped[str] = mapped_column(Text, default="")
    injured: Mapped[int | None] = mapped_column(Integer)
    deaths: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(16), default="wechat")
    anonymous: Mapped[bool] = mapped_column(Boolean)
    reporter_openid_enc: Mapped[str] = mapped_column(Text)
    reporter_openid_hash: Mapped[str] = mapped_column(String(64), index=True)
    reporter_name_enc: Mapped[str | None] = mapped_column(Text)
    reporter_phone_enc: Mapped[str | None] = mapped_column(Text)
    query_code_hash: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default="received", index=True)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    accept_by: Mapped[datetime] = mapped_column(UtcDateTime, index=True)


class Evidence(Base):
    """A photo, voice note, video or location sent with a report; media is fetched later."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    media_id: Mapped[str | None] = mapped_column(String(256))
    label: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[str | None] = mapped_column(String(32))
    longitude: Mapped[str | None] = mapped_column(String(32))
    download_status: Mapped[str] = mapped_column(String(16), default="pending")
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ReportCounter(Base):
    """The last sequence number handed out per local year; incremented inside the transaction."""

    __tablename__ = "report_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer)


class CodeAttempt(Base):
    """A wrong query code, counted per report number and per sender for the one-hour lock."""

    __tablename__ = "code_attempts"
    __table_args__ = (Index("ix_code_attempts_subject_at", "subject", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subject: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
