"""An enterprise's unified social credit code (统一社会信用代码), the key the enterprise import
matches rows by

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.add_column(sa.Column("credit_code", sa.String(length=18), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_enterprises_credit_code"), ["credit_code"])


def downgrade() -> None:
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_enterprises_credit_code"), type_="unique")
        batch_op.drop_column("credit_code")
