"""Reports and what hangs off them. Identity columns hold encrypted tokens, never plaintext."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from jubao.db import Base, UtcDateTime

# Every column the current deadline reads besides the status (complaints/current_deadline.py).
RUNNING_COLUMNS = ("accept_by", "ack_by", "handle_by", "result_by", "review_by", "reopened_at")


class Report(Base):
    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("year", "seq"),
        # The sweep and the overdue lists read each clock for one or a few statuses: (status,
        # deadline) keeps closed reports' old deadlines out of the range they scan.
        *(
            Index(f"ix_reports_status_{column}", "status", column)
            for column in ("accept_by", "ack_by", "handle_by", "result_by", "review_by")
        ),
        # The report list (complaints/report_list.py) reads its two parts from these alone:
        # the open reports with every column of their current deadline and of the scope, and
        # the rest newest first; counts by town and status for an officer's dashboard.
        Index(
            "ix_reports_running",
            "status",
            *RUNNING_COLUMNS,
            "received_at",
            "town_id",
            "assignee_id",
            "id",  # PostgreSQL's index-only scans need it; SQLite has it as the rowid anyway
        ),
        Index("ix_reports_received_at_id", "received_at", "id", "status", "town_id", "assignee_id"),
        Index("ix_reports_town_id_status", "town_id", "status"),
        # The statistics (complaints/statistics_queries.py): a year's breakdowns and the days
        # from receipt to acceptance and to closing, counted without reading the reports.
        Index(
            "ix_reports_received_at_statistics",
            "received_at",
            "accepted_at",
            "closed_at",
            "town_id",
            "channel",
            "rating",
        ),
    )

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
    # None for a report taken on a caller's behalf (hotline, visit, letter, email): no WeChat user
    reporter_openid_enc: Mapped[str | None] = mapped_column(Text)
    reporter_openid_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    reporter_name_enc: Mapped[str | None] = mapped_column(Text)
    reporter_phone_enc: Mapped[str | None] = mapped_column(Text)
    query_code_hash: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default="received", index=True)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    accept_by: Mapped[datetime] = mapped_column(UtcDateTime)
    # Routing and handling
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), index=True)
    routed_by: Mapped[str | None] = mapped_column(Text)
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    assigned_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    concluded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ack_by: Mapped[datetime | None] = mapped_column(UtcDateTime)
    handle_by: Mapped[datetime | None] = mapped_column(UtcDateTime)
    result_by: Mapped[datetime | None] = mapped_column(UtcDateTime)
    reopened_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    review_by: Mapped[datetime | None] = mapped_column(UtcDateTime)
    extension_days: Mapped[int | None] = mapped_column(Integer)
    # When the reminder sweep must next look at this report (reminders.next_moment): set on
    # filing and on every action, refined by the sweep; None when no reminder is pending. The
    # sweep reads only `next_reminder_at <= now`, however many reports there are.
    next_reminder_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    # Outcome
    reject_reason: Mapped[str | None] = mapped_column(String(16))
    transferred_to: Mapped[str | None] = mapped_column(String(200))
    duplicate_of: Mapped[str | None] = mapped_column(String(32))
    finding: Mapped[str | None] = mapped_column(String(16))
    summary: Mapped[str | None] = mapped_column(Text)
    case_filed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    case_number: Mapped[str | None] = mapped_column(String(64))
    # The reporter's rating of the handling (complaints/feedback_rules.py RATINGS)
    rating: Mapped[str | None] = mapped_column(String(16))
    rated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    fine: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    criminal_referral: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    concealed_deaths: Mapped[int | None] = mapped_column(Integer)
    grade: Mapped[str | None] = mapped_column(String(8))


class ReportEvent(Base):
    """The timeline: one row per action, written in the action's transaction."""

    __tablename__ = "report_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(64))  # username, wework_id, reporter or system
    action: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")


class ReportMessage(Base):
    """The thread with the reporter and the staff's internal notes on a report.

    kind: `staff` (sent to the reporter through the bot), `reporter` (his `回复 编号 内容`) or
    `note` (between staff, never sent). author: a username, or `reporter`."""

    __tablename__ = "report_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    kind: Mapped[str] = mapped_column(String(8))
    author: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)


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
    text: Mapped[str | None] = mapped_column(Text)  # a written addition (补充)
    # The media file, fetched at once (WeChat's temporary media ids die after 3 days):
    # download_status is none (nothing to fetch), pending, stored or failed.
    download_status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    path: Mapped[str | None] = mapped_column(String(255))  # relative to JUBAO_MEDIA_DIR
    sha256: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int | None] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(String(200))
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


class ReminderEntry(Base):
    """The reminder ledger: one row per (report, clock, deadline, kind), sent or skipped."""

    __tablename__ = "reminder_ledger"
    __table_args__ = (UniqueConstraint("report_id", "clock", "deadline", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    clock: Mapped[str] = mapped_column(String(24))
    deadline: Mapped[datetime] = mapped_column(UtcDateTime)
    kind: Mapped[str] = mapped_column(String(16))
    sent: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class IntakeSubmission(Base):
    """A console intake form, once submitted (complaints/intake_submissions.py): the form's
    token (hashed) and the report it filed, so that the same form sent again files nothing and
    shows that report; the query code sealed for 10 minutes, to be shown again meanwhile."""

    __tablename__ = "intake_submissions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    code_enc: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
