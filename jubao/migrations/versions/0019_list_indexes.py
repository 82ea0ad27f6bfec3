"""The report list at 100,000 reports: covering indexes for its two parts (the open reports by
their current deadline, the rest newest first; `id` in both, so PostgreSQL reads them
index-only) and for counts by town

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 14:05:00
"""

from __future__ import annotations

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

RUNNING = ["status", "accept_by", "ack_by", "handle_by", "result_by", "review_by", "reopened_at",
           "received_at", "town_id", "assignee_id", "id"]  # fmt: skip
RECEIVED = ["received_at", "id", "status", "town_id", "assignee_id"]


def upgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index("ix_reports_running", RUNNING, unique=False)
        batch_op.create_index("ix_reports_received_at_id", RECEIVED, unique=False)
        batch_op.create_index("ix_reports_town_id_status", ["town_id", "status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index("ix_reports_town_id_status")
        batch_op.drop_index("ix_reports_received_at_id")
        batch_op.drop_index("ix_reports_running")
