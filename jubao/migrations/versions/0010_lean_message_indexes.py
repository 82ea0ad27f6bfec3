"""Fewer index pages per WeChat message; the reply purge reads only replies still kept

Each citizen message writes its dialogue and its log row in one transaction, and every index
a row enters is one more page SQLite writes at commit:
- dialogues: the rows live in the primary key's B-tree on SQLite (WITHOUT ROWID), and
  `updated_at` is no longer indexed (the idle-dialogue purge reads this small table whole,
  once a minute);
- inbound_messages: (channel, msg_id) and (channel, event_key) are unique only among the rows
  that have them, so a message enters one of the two indexes, not both; `received_at` is
  indexed only for rows whose reply is still kept, which is what the purge looks for (it read
  the whole log's index before).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 18:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

PARTIAL = {
    "uq_inbound_messages_channel_msg_id": (["channel", "msg_id"], "msg_id IS NOT NULL", True),
    "uq_inbound_messages_channel_event_key": (
        ["channel", "event_key"],
        "event_key IS NOT NULL",
        True,
    ),
    "ix_inbound_messages_reply_kept": (["received_at"], "reply_enc IS NOT NULL", False),
}


def _where(condition: str) -> dict[str, object]:
    return {"sqlite_where": sa.text(condition), "postgresql_where": sa.text(condition)}


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table(
        "dialogues",
        recreate="always" if sqlite else "auto",
        table_kwargs={"sqlite_with_rowid": False},
    ) as batch_op:
        batch_op.drop_index("ix_dialogues_updated_at")

    with op.batch_alter_table("inbound_messages") as batch_op:
        batch_op.drop_constraint("uq_inbound_messages_channel_msg_id", type_="unique")
        batch_op.drop_constraint("uq_inbound_messages_channel_event_key", type_="unique")
        batch_op.drop_index("ix_inbound_messages_received_at")
    for name, (columns, condition, unique) in PARTIAL.items():
        op.create_index(name, "inbound_messages", columns, unique=unique, **_where(condition))


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for name in PARTIAL:
        op.drop_index(name, table_name="inbound_messages")
    with op.batch_alter_table("inbound_messages") as batch_op:
        batch_op.create_index("ix_inbound_messages_received_at", ["received_at"], unique=False)
        batch_op.create_unique_constraint(
            "uq_inbound_messages_channel_event_key", ["channel", "event_key"]
        )
        batch_op.create_unique_constraint(
            "uq_inbound_messages_channel_msg_id", ["channel", "msg_id"]
        )

    with op.batch_alter_table(
        "dialogues",
        recreate="always" if sqlite else "auto",
        table_kwargs={"sqlite_with_rowid": True},
    ) as batch_op:
        batch_op.create_index("ix_dialogues_updated_at", ["updated_at"], unique=False)
