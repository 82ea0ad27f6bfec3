"""The console's second half: the thread with the reporter and internal notes, reports taken on a
caller's behalf (no openid), and an optional TOTP secret per user

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 13:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import jubao.db

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("at", jubao.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_report_messages_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_messages")),
    )
    with op.batch_alter_table("report_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_messages_report_id"), ["report_id"])
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.alter_column("reporter_openid_enc", existing_type=sa.Text(), nullable=True)
        batch_op.alter_column(
            "reporter_openid_hash", existing_type=sa.String(length=64), nullable=True
        )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_secret_enc", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("totp_secret_enc")
    # Reports without an openid (taken by phone, visit, letter) cannot survive NOT NULL.
    op.execute("DELETE FROM reports WHERE reporter_openid_enc IS NULL")
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.alter_column(
            "reporter_openid_hash", existing_type=sa.String(length=64), nullable=False
        )
        batch_op.alter_column("reporter_openid_enc", existing_type=sa.Text(), nullable=False)
    with op.batch_alter_table("report_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_messages_report_id"))
    op.drop_table("report_messages")
