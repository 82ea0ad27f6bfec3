"""Where the bot keeps a citizen's dialogue state, his message count and the message log, and
reads the town list it numbers: the `Store` every intake uses, its statements (SQLAlchemy Core,
built once per dialect), and `CoreStore`, which runs them on a session's connection (messages
whose step has an effect, which need the session).

This is the hot path of every WeChat message, so no ORM unit of work: building and flushing
ORM statements cost more than the database did. The quick path runs the same statements on the
driver's own connection (bot/quick_store.py). Values are encrypted by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Protocol, TypedDict

from sqlalchemy import Delete, Insert, Select, bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot.models import Dialogue
from complaints.registry_models import Town
from jubao.db import insert_new_row
from jubao.rate_limits import RateCount, counting
from notifications.message_log import InboundMessage

DIALOGUES = Dialogue.__table__
MESSAGES = InboundMessage.__table__
TOWNS = Town.__table__  # the dialogue's numbered list, in registry order
COUNTS = RateCount.__table__


class MessageRow(TypedDict):
    """A row of the message log, its reply encrypted (bot/exactly_once.py: log_message)."""

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


class Store(Protocol):
    """The bot's tables inside one transaction."""

    async def count_and_load(
        self, scope: str, hashes: list[str], window_start: datetime
    ) -> tuple[int, StoredDialogue | None]:
        """One more message from the sender (hashes[0]) in that window, counted by
        jubao/rate_limits.py's counter, this one included; and his dialogue under any of his
        lookup hashes (newest key first). On PostgreSQL both rows stay locked, so a sender's
        messages are taken one after the other, his first one too."""

    async def save_dialogue(self, key: str, state_enc: str, now: datetime) -> None: ...

    async def drop_dialogue(self, key: str) -> None: ...

    async def claim_message(self, row: MessageRow) -> bool:
        """Log the message with its reply; False when it was logged before (a retry)."""

    async def town_names(self) -> list[str]:
        """Town names in registry order: the numbered list of the dialogue."""


@dataclass(frozen=True)
class Statements:
    load_dialogue: Select
    save_dialogue: Insert
    drop_dialogue: Delete
    count_message: Insert
    claim_message: Insert
    reply_by_msg_id: Select
    reply_by_event_key: Select
    town_names: Select


@cache
def statements(dialect_name: str) -> Statements:
    insert = postgresql.insert if dialect_name == "postgresql" else sqlite.insert
    upsert = insert(DIALOGUES)
    upsert = upsert.on_conflict_do_update(
        index_elements=[DIALOGUES.c.openid_hash],
        set_={"state_enc": upsert.excluded.state_enc, "updated_at": upsert.excluded.updated_at},
    )
    reply = select(MESSAGES.c.reply_enc).where(MESSAGES.c.channel == bindparam("channel"))
    return Statements(
        # FOR UPDATE (PostgreSQL): a citizen's next message waits for the one before it
        # instead of overwriting its state.
        load_dialogue=select(DIALOGUES.c.openid_hash, DIALOGUES.c.state_enc)
        .where(DIALOGUES.c.openid_hash.in_(bindparam("hashes", expanding=True)))
        .with_for_update(),
        save_dialogue=upsert,
        drop_dialogue=delete(DIALOGUES).where(DIALOGUES.c.openid_hash == bindparam("key")),
        count_message=counting(insert(COUNTS)),
        claim_message=insert_new_row(dialect_name, MESSAGES),
        reply_by_msg_id=reply.where(MESSAGES.c.msg_id == bindparam("msg_id")),
        reply_by_event_key=reply.where(MESSAGES.c.event_key == bindparam("event_key")),
        town_names=select(TOWNS.c.name).order_by(TOWNS.c.position, TOWNS.c.id),
    )


class CoreStore:
    """The Store on the connection of a session's transaction."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection
        self.sql = statements(connection.dialect.name)

    @staticmethod
    async def of(session: AsyncSession) -> CoreStore:
        return CoreStore(await session.connection())

    async def count_and_load(
        self, scope: str, hashes: list[str], window_start: datetime
    ) -> tuple[int, StoredDialogue | None]:
        counted = {"scope": scope, "subject": hashes[0], "window_start": window_start, "hits": 1}
        count = int(await self.connection.scalar(self.sql.count_message, counted))
        row = (await self.connection.execute(self.sql.load_dialogue, {"hashes": hashes})).first()
        return count, StoredDialogue(row.openid_hash, row.state_enc) if row else None

    async def save_dialogue(self, key: str, state_enc: str, now: datetime) -> None:
        await self.connection.execute(
            self.sql.save_dialogue, {"openid_hash": key, "state_enc": state_enc, "updated_at": now}
        )

    async def drop_dialogue(self, key: str) -> None:
        await self.connection.execute(self.sql.drop_dialogue, {"key": key})

    async def claim_message(self, row: MessageRow) -> bool:
        return await self.connection.scalar(self.sql.claim_message, dict(row)) is not None

    async def town_names(self) -> list[str]:
        return list(await self.connection.scalars(self.sql.town_names))

    async def logged_reply(
        self, channel: str, msg_id: int | None, event_key: str | None
    ) -> str | None:
        """The encrypted reply stored with a logged message (None if erased, empty or
        unknown): a retry's answer, read in a session (bot/exactly_once.py: stored_reply)."""
        if msg_id is not None:
            statement, params = self.sql.reply_by_msg_id, {"msg_id": msg_id}
        else:
            statement, params = self.sql.reply_by_event_key, {"event_key": event_key}
        return await self.connection.scalar(statement, {"channel": channel, **params})
