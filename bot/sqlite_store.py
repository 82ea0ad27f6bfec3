"""The bot's Store (bot/store.py) in plain SQL on a sqlite3 connection, for SQLite's
dialogue-only messages (bot/intake.py: SqliteIntake): SQLAlchemy's execution of a statement
costs several times SQLite's own (bench/callback_floor.py measures both paths)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from bot.store import MessageRow, StoredDialogue


def sqlite_time(value: datetime) -> str:
    """A UtcDateTime as SQLAlchemy stores it in SQLite: naive UTC text, microseconds
    (isoformat: a third of strftime's cost, on every message)."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


class SqliteStore:
    """The Store's statements on a sqlite3 connection, in the transaction it has begun."""

    def __init__(self, sqlite: sqlite3.Connection) -> None:
        self.sqlite = sqlite

    async def load_dialogue(self, hashes: list[str]) -> StoredDialogue | None:
        marks = ", ".join("?" * len(hashes))
        row = self.sqlite.execute(
            f"SELECT openid_hash, state_enc FROM dialogues WHERE openid_hash IN ({marks})",
            hashes,
        ).fetchone()
        return StoredDialogue(row[0], row[1]) if row else None

    async def town_names(self) -> list[str]:
        rows = self.sqlite.execute("SELECT name FROM towns ORDER BY position, id").fetchall()
        return [name for (name,) in rows]

    async def save_dialogue(self, key: str, state_enc: str, now: datetime) -> None:
        self.sqlite.execute(
            "INSERT INTO dialogues (openid_hash, state_enc, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (openid_hash) DO UPDATE "
            "SET state_enc = excluded.state_enc, updated_at = excluded.updated_at",
            (key, state_enc, sqlite_time(now)),
        )

    async def drop_dialogue(self, key: str) -> None:
        self.sqlite.execute("DELETE FROM dialogues WHERE openid_hash = ?", (key,))

    async def claim_message(self, row: MessageRow) -> bool:
        found = self.sqlite.execute(
            "INSERT INTO inbound_messages "
            "(channel, msg_id, event_key, msg_type, received_at, reply_enc, openid_hash) "
            "VALUES (:channel, :msg_id, :event_key, :msg_type, :received_at, :reply_enc, "
            ":openid_hash) ON CONFLICT DO NOTHING RETURNING id",
            {**row, "received_at": sqlite_time(row["received_at"])},
        ).fetchone()
        return found is not None

    async def logged_reply(
        self, channel: str, msg_id: int | None, event_key: str | None
    ) -> str | None:
        column, value = ("msg_id", msg_id) if msg_id is not None else ("event_key", event_key)
        row = self.sqlite.execute(
            f"SELECT reply_enc FROM inbound_messages WHERE channel = ? AND {column} = ?",
            (channel, value),
        ).fetchone()
        return row[0] if row else None
