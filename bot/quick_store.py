"""The bot's Store on the driver's own connection, for the quick path (bot/intake.py:
QuickIntake): the statements of bot/store.py, compiled once per dialect into the driver's SQL
(jubao/raw_sql.py), on sqlite3 or asyncpg alike. SQLAlchemy's execution of a statement cost
several times the database's own work (bench/callback_floor.py measures both paths)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect

from bot.store import DIALOGUES, MessageRow, StoredDialogue, statements
from jubao.raw_sql import RawConnection, RawStatement, raw_statement

_DIALECTS: dict[str, Dialect] = {
    "postgresql": postgresql.asyncpg.dialect(),  # type: ignore[attr-defined]
    "sqlite": sqlite.pysqlite.dialect(),  # type: ignore[attr-defined]
}


@dataclass
class QuickStatements:
    dialect: Dialect
    save_dialogue: RawStatement
    drop_dialogue: RawStatement
    count_message: RawStatement
    claim_message: RawStatement
    reply_by_msg_id: RawStatement
    reply_by_event_key: RawStatement
    town_names: RawStatement
    by_hashes: dict[int, RawStatement] = field(default_factory=dict)

    def load_dialogue(self, count: int) -> RawStatement:
        """The dialogue under any of `count` lookup hashes (one per identity key)."""
        if count not in self.by_hashes:
            marks = [bindparam(f"hash{index}") for index in range(count)]
            query = select(DIALOGUES.c.openid_hash, DIALOGUES.c.state_enc).where(
                DIALOGUES.c.openid_hash.in_(marks)
            )
            self.by_hashes[count] = raw_statement(query.with_for_update(), self.dialect)
        return self.by_hashes[count]


@cache
def quick_statements(dialect_name: str) -> QuickStatements:
    dialect, sql = _DIALECTS[dialect_name], statements(dialect_name)
    return QuickStatements(
        dialect=dialect,
        save_dialogue=raw_statement(sql.save_dialogue, dialect),
        drop_dialogue=raw_statement(sql.drop_dialogue, dialect),
        count_message=raw_statement(
            sql.count_message, dialect, ["scope", "subject", "window_start", "hits"]
        ),
        claim_message=raw_statement(sql.claim_message, dialect, list(MessageRow.__annotations__)),
        reply_by_msg_id=raw_statement(sql.reply_by_msg_id, dialect),
        reply_by_event_key=raw_statement(sql.reply_by_event_key, dialect),
        town_names=raw_statement(sql.town_names, dialect),
    )


class QuickStore:
    """The Store's statements on a RawConnection, in the transaction its owner has begun."""

    def __init__(self, raw: RawConnection, dialect_name: str) -> None:
        self.raw, self.sql = raw, quick_statements(dialect_name)

    async def load_dialogue(self, hashes: list[str]) -> StoredDialogue | None:
        params = {f"hash{index}": value for index, value in enumerate(hashes)}
        row = await self.raw.one(self.sql.load_dialogue(len(hashes)), params)
        return StoredDialogue(row[0], row[1]) if row else None

    async def town_names(self) -> list[str]:
        return [name for (name,) in await self.raw.all(self.sql.town_names, {})]

    async def save_dialogue(self, key: str, state_enc: str, now: datetime) -> None:
        params = {"openid_hash": key, "state_enc": state_enc, "updated_at": now}
        await self.raw.run(self.sql.save_dialogue, params)

    async def drop_dialogue(self, key: str) -> None:
        await self.raw.run(self.sql.drop_dialogue, {"key": key})

    async def count_message(self, scope: str, subject: str, window_start: datetime) -> int:
        params = {"scope": scope, "subject": subject[:64], "window_start": window_start}
        row = await self.raw.one(self.sql.count_message, {**params, "hits": 1})
        assert row is not None  # an upsert with RETURNING always returns its row
        return int(row[0])

    async def claim_message(self, row: MessageRow) -> bool:
        return await self.raw.one(self.sql.claim_message, row) is not None

    async def logged_reply(
        self, channel: str, msg_id: int | None, event_key: str | None
    ) -> str | None:
        if msg_id is not None:
            statement, params = self.sql.reply_by_msg_id, {"msg_id": msg_id}
        else:
            statement, params = self.sql.reply_by_event_key, {"event_key": event_key}
        row = await self.raw.one(statement, {"channel": channel, **params})
        return row[0] if row else None
