"""Reward rules: the registry's per-jurisdiction overrides of the national reward defaults

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reward_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("town_id", sa.Integer(), nullable=True),
        sa.Column("percent", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("per_death", sa.JSON(), nullable=False),
        sa.Column("fixed", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("outcomes", sa.JSON(), nullable=False),
        sa.Column("minimum", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("maximum", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.ForeignKeyConstraint(
            ["town_id"], ["towns.id"], name=op.f("fk_reward_rules_town_id_towns")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reward_rules")),
    )
    with op.batch_alter_table("reward_rules", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reward_rules_town_id"), ["town_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reward_rules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reward_rules_town_id"))
    op.drop_table("reward_rules")
