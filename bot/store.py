"""Where the bot keeps a citizen's dialogue state and the message log, and reads the town list
it numbers, in plain SQL.

This is the hot path of every WeChat message, so no ORM unit of work: building and flushing
ORM statements cost more than the database did. On PostgreSQL Core statements, built once,
run on the session's connection; on SQLite plain SQL goes straight to the sqlite3 connection
under the session (same transaction): SQLAlchemy's execution of a statement cost about 80 µs,
SQLite's about 10. Values are encrypted by the caller.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import TypedDict

from sqlalchemy import Delete, Insert, Select, bindparam, delete, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot.models import Dialogue, InboundMessage
from complaints.registry_models import Town
from jubao.db import insert_new_row
from jubao.sqlite_inline import InlineConnection

DIALOGUES = Dialogue.__table__
MESSAGES = InboundMessage.__table__
TOWNS = Town.__table__  # the dialogue's numbered list, in registry order


@dataclass(frozen=True)
class _Statements:
    load_dialogue: Select
    save_dialogue: Insert
    drop_dialogue: Delete
    claim_message: Insert
    reply_by_msg_id: Select
    reply_by_event_key: Select
    town_names: Select


@cache
def _statements() -> _Statements:
    """PostgreSQL's statements (SQLite has SqliteStore's SQL), built once."""
    upsert = postgresql.insert(DIALOGUES)
    upsert = upsert.on_conflict_do_update(
        index_elements=[DIALOGUES.c.openid_hash],
        set_={"state_enc": upsert.excluded.state_enc, "updated_at": upsert.excluded.updated_at},
    )
    reply = select(MESSAGES.c.reply_enc).where(MESSAGES.c.channel == bindparam("channel"))
    return _Statements(
        # FOR UPDATE: a citizen's next message waits for the one before it instead of
        # overwriting its state.
        load_dialogue=select(DIALOGUES.c.openid_hash, DIALOGUES.c.state_enc)
        .where(DIALOGUES.c.openid_hash.in_(bindparam("hashes", expanding=True)))
        .with_for_update(),
        save_dialogue=upsert,
        drop_dialogue=delete(DIALOGUES).where(DIALOGUES.c.openid_hash == bindparam("key")),
        claim_message=insert_new_row("postgresql", MESSAGES),
        reply_by_msg_id=reply.where(MESSAGES.c.msg_id == bindparam("msg_id")),
        reply_by_event_key=reply.where(MESSAGES.c.event_key == bindparam("event_key")),
        town_names=select(TOWNS.c.name).order_by(TOWNS.c.position, TOWNS.c.id),
    )


class MessageRow(TypedDict):
    """A row of the message log, its reply encrypted (bot/intake.py: log_message)."""

    channel: str
    msg_id: int | None
    event_key: str | None
    msg_type: str
    received_at: datetime
    reply_enc: str | None
    openid_hash: str | None


@dataclass(frozen=True)
class StoredDialogue:
    key: str  # the lookup hash it is stored under
    state_enc: str


class Store:
    """The bot's tables on the connection of one transaction: PostgreSQL's, and the methods
    every store has (SqliteStore, below, is SQLite's)."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection
        self.sql = _statements()

    @staticmethod
    async def of(session: AsyncSession) -> Store:
        """The store for the session's transaction, on its database."""
        connection = await session.connection()
        if connection.dialect.name == "sqlite":  # always an InlineConnection: jubao.db
            raw: InlineConnection = (await connection.get_raw_connection()).driver_connection
            return SqliteStore(await raw.joined_transaction())
        return Store(connection)

    async def load_dialogue(self, hashes: list[str]) -> StoredDialogue | None:
        row = (await self.connection.execute(self.sql.load_dialogue, {"hashes": hashes})).first()
        return StoredDialogue(row.openid_hash, row.state_enc) if row else None

    async def save_dialogue(self, key: str, state_enc: str, now: datetime) -> None:
        await self.connection.execute(
            self.sql.save_dialogue, {"openid_hash": key, "state_enc": state_enc, "updated_at": now}
        )

    async def drop_dialogue(self, key: str) -> None:
        await self.connection.execute(self.sql.drop_dialogue, {"key": key})

    async def claim_message(self, row: MessageRow) -> bool:
        """Log the message with its reply; False when it was logged before (a retry)."""
        return await self.connection.scalar(self.sql.claim_message, dict(row)) is not None

    async def town_names(self) -> list[str]:
        """Town names in registry order: the numbered list of the dialogue."""
        return list(await self.connection.scalars(self.sql.town_names))

    async def logged_reply(
        self, channel: str, msg_id: int | None, event_key: str | None
    ) -> str | None:
        """The encrypted reply stored with a logged message (None if erased, empty or unknown)."""
        if msg_id is not None:
            statement, params = self.sql.reply_by_msg_id, {"msg_id": msg_id}
        else:
            statement, params = self.sql.reply_by_event_key, {"event_key": event_key}
        return await self.connection.scalar(statement, {"channel": channel, **params})


def _sqlite_time(value: datetime) -> str:
    """A UtcDateTime as SQLAlchemy stores it in SQLite: naive UTC text, microseconds
    (isoformat: a third of strftime's cost, on every message)."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


class SqliteStore(Store):
    """The same statements as Store, on a sqlite3 connection (a session's, or the quick path's:
    bot/quick_path.py), in the transaction it has begun."""

    def __init__(self, sqlite: sqlite3.Connection) -> None:  # no Core statements to build
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
            (key, state_enc, _sqlite_time(now)),
        )

    async def drop_dialogue(self, key: str) -> None:
        self.sqlite.execute("DELETE FROM dialogues WHERE openid_hash = ?", (key,))

    async def claim_message(self, row: MessageRow) -> bool:
        found = self.sqlite.execute(
            "INSERT INTO inbound_messages "
            "(channel, msg_id, event_key, msg_type, received_at, reply_enc, openid_hash) "
            "VALUES (:channel, :msg_id, :event_key, :msg_type, :received_at, :reply_enc, "
            ":openid_hash) ON CONFLICT DO NOTHING RETURNING id",
            {**row, "received_at": _sqlite_time(row["received_at"])},
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
