"""Rewards and their ledger: one payment per reward is a unique index on the payments

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 12:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import jubao.db

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rewards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("suggested", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("rule", sa.String(length=200), nullable=True),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("proposed_by", sa.String(length=64), nullable=True),
        sa.Column("excluded", sa.Text(), nullable=True),
        sa.Column("created_at", jubao.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("decide_by", jubao.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", jubao.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("notified_at", jubao.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("collect_by", jubao.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("next_reminder_at", jubao.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("claimed_at", jubao.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("paid_at", jubao.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("payee_name_enc", sa.Text(), nullable=True),
        sa.Column("payee_id_enc", sa.Text(), nullable=True),
        sa.Column("payee_bank_enc", sa.Text(), nullable=True),
        sa.Column("payee_account_enc", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name=op.f("fk_rewards_report_id_reports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rewards")),
        sa.UniqueConstraint("report_id", name=op.f("uq_rewards_report_id")),
    )
    with op.batch_alter_table("rewards", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rewards_next_reminder_at"), ["next_reminder_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_rewards_status"), ["status"], unique=False)

    op.create_table(
        "reward_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reward_id", sa.Integer(), nullable=False),
        sa.Column("at", jubao.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=False),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("method", sa.String(length=8), nullable=True),
        sa.Column("reference", sa.String(length=128), nullable=True),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reward_id"], ["rewards.id"], name=op.f("fk_reward_entries_reward_id_rewards")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reward_entries")),
    )
    with op.batch_alter_table("reward_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reward_entries_reward_id"), ["reward_id"], unique=False
        )
        batch_op.create_index(
            "uq_reward_entries_one_payment",
            ["reward_id"],
            unique=True,
            sqlite_where=sa.text("action = 'pay'"),
            postgresql_where=sa.text("action = 'pay'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("reward_entries", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_reward_entries_one_payment",
            sqlite_where=sa.text("action = 'pay'"),
            postgresql_where=sa.text("action = 'pay'"),
        )
        batch_op.drop_index(batch_op.f("ix_reward_entries_reward_id"))

    op.drop_table("reward_entries")
    with op.batch_alter_table("rewards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rewards_status"))
        batch_op.drop_index(batch_op.f("ix_rewards_next_reminder_at"))

    op.drop_table("rewards")
