"""Console intake forms, once submitted: the same form sent again (a reload, a double click)
files nothing and shows the report it filed

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-08 01:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import jubao.db

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "intake_submissions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("code_enc", sa.Text(), nullable=True),
        sa.Column("submitted_at", jubao.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_intake_submissions_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_intake_submissions")),
    )
    op.create_index(
        op.f("ix_intake_submissions_submitted_at"),
        "intake_submissions",
        ["submitted_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_intake_submissions_submitted_at"), table_name="intake_submissions")
    op.drop_table("intake_submissions")
