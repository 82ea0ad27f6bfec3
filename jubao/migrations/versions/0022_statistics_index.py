"""The statistics count a period's breakdowns (town, channel, rating) and the days from receipt
to acceptance and to closing from one index instead of reading every report of the period

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-08 01:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

COLUMNS = ["received_at", "accepted_at", "closed_at", "town_id", "channel", "rating"]


def upgrade() -> None:
    op.create_index("ix_reports_received_at_statistics", "reports", COLUMNS, unique=False)


def downgrade() -> None:
    op.drop_index("ix_reports_received_at_statistics", table_name="reports")
