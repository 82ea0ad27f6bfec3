"""A report's reward and its ledger. The reward row holds where the reward stands (its status,
the amount proposed, its two clocks and the payee's details, encrypted); every change is also a
`reward_entries` row that is never edited: the ledger is the history, and one payment per
reward is a database constraint."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from jubao.db import Base, UtcDateTime

ONE_PAYMENT = text("action = 'pay'")


class Reward(Base):
    __tablename__ = "rewards"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), unique=True)
    status: Mapped[str] = mapped_column(String(16), index=True)  # rewards.flow.RewardStatus
    suggested: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))  # what the rules give
    rule: Mapped[str | None] = mapped_column(String(200))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))  # as proposed, then approved
    proposed_by: Mapped[str | None] = mapped_column(String(64))
    excluded: Mapped[str | None] = mapped_column(Text)  # why the reporter is excluded
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # The clocks (complaints.reminders CLOCKS): the decision, then the collection window.
    decide_by: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # the decision clock's start
    notified_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    collect_by: Mapped[datetime | None] = mapped_column(UtcDateTime)
    next_reminder_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The payee, as the reporter gave him in 领奖: encrypted, shown to finance on request only.
    payee_name_enc: Mapped[str | None] = mapped_column(Text)
    payee_id_enc: Mapped[str | None] = mapped_column(Text)
    payee_bank_enc: Mapped[str | None] = mapped_column(Text)
    payee_account_enc: Mapped[str | None] = mapped_column(Text)


class RewardEntry(Base):
    """One step of a reward, appended in the transaction that takes it."""

    __tablename__ = "reward_entries"
    __table_args__ = (
        Index(
            "uq_reward_entries_one_payment",
            "reward_id",
            unique=True,
            sqlite_where=ONE_PAYMENT,
            postgresql_where=ONE_PAYMENT,
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reward_id: Mapped[int] = mapped_column(ForeignKey("rewards.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(64))  # username, reporter or system
    action: Mapped[str] = mapped_column(String(16))  # rewards.flow.RewardAction
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    method: Mapped[str | None] = mapped_column(String(8))
    reference: Mapped[str | None] = mapped_column(String(128))
    paid_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
