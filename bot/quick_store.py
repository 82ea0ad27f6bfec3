"""The bot's Store on the driver's own connection, for the quick path (bot/intake.py:
QuickIntake): the statements of bot/store.py, compiled once per dialect into the driver's SQL
(jubao/raw_sql.py), on sqlite3 or asyncpg alike. SQLAlchemy's execution of a statement cost
several times the database's own work (bench/callback_floor.py measures both paths).

On PostgreSQL every statement is a round trip, so a message's transaction is four: BEGIN; the
count and the dialogue in one statement; the dialogue's write and the message log's row in
one; COMMIT. To make the second pair one, the dialogue's write waits in the store until the
log row is claimed, which ends every message's transaction (bot/exactly_once.py), or until
`flush`. SQLite, in-process, runs the same steps as separate statements."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from sqlalchemy import bindparam, select, text
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
    town_names: RawStatement
    save_and_claim: RawStatement | None  # PostgreSQL: the pairs in one statement
    drop_and_claim: RawStatement | None
    by_hashes: dict[int, RawStatement] = field(default_factory=dict)
    counted_by_hashes: dict[int, RawStatement] = field(default_factory=dict)

    def load_dialogue(self, count: int) -> RawStatement:
        """The dialogue under any of `count` lookup hashes (one per identity key)."""
        if count not in self.by_hashes:
            marks = [bindparam(f"hash{index}") for index in range(count)]
            query = select(DIALOGUES.c.openid_hash, DIALOGUES.c.state_enc).where(
                DIALOGUES.c.openid_hash.in_(marks)
            )
            self.by_hashes[count] = raw_statement(query.with_for_update(), self.dialect)
        return self.by_hashes[count]

    def count_and_load(self, count: int) -> RawStatement:
        """PostgreSQL: the sender's count raised and his dialogue locked and read, one row."""
        if count not in self.counted_by_hashes:
            marks = ", ".join(f":hash{index}" for index in range(count))
            sql = (
                f"WITH counted AS ({_COUNT}) SELECT counted.hits, found.openid_hash, "
                "found.state_enc FROM counted LEFT JOIN LATERAL (SELECT openid_hash, "
                f"state_enc FROM dialogues WHERE openid_hash IN ({marks}) FOR UPDATE) "
                "AS found ON true"
            )
            self.counted_by_hashes[count] = raw_statement(text(sql), self.dialect)
        return self.counted_by_hashes[count]


_COUNT = (
    "INSERT INTO rate_counts (scope, subject, window_start, hits) "
    "VALUES (:scope, :subject, :window_start, 1) "
    "ON CONFLICT (scope, subject, window_start) DO UPDATE SET hits = rate_counts.hits + 1 "
    "RETURNING hits"
)
_CLAIM = (
    "INSERT INTO inbound_messages "
    "(channel, msg_id, event_key, msg_type, received_at, reply_enc, openid_hash) "
    "VALUES (:channel, :msg_id, :event_key, :msg_type, :received_at, :reply_enc, :openid_hash) "
    "ON CONFLICT DO NOTHING RETURNING id"
)
_SAVE = (
    "INSERT INTO dialogues (openid_hash, state_enc, updated_at) "
    "VALUES (:dialogue_key, :state_enc, :updated_at) ON CONFLICT (openid_hash) "
    "DO UPDATE SET state_enc = excluded.state_enc, updated_at = excluded.updated_at"
)
_DROP = "DELETE FROM dialogues WHERE openid_hash = :dialogue_key"


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
        town_names=raw_statement(sql.town_names, dialect),
        save_and_claim=_paired(_SAVE, dialect),
        drop_and_claim=_paired(_DROP, dialect),
    )


def _paired(write: str, dialect: Dialect) -> RawStatement | None:
    if dialect.name != "postgresql":
        return None
    return raw_statement(text(f"WITH written AS ({write}) {_CLAIM}"), dialect)


class QuickStore:
    """The Store's statements on a RawConnection, in the transaction its owner has begun."""

    def __init__(self, raw: RawConnection, dialect_name: str) -> None:
        self.raw, self.sql = raw, quick_statements(dialect_name)
        self.paired = dialect_name == "postgresql"
        self.pending: tuple[str, dict[str, object]] | None = None  # a dialogue write waiting

    async def count_and_load(
        self, scope: str, hashes: list[str], window_start: datetime
    ) -> tuple[int, StoredDialogue | None]:
        found = {f"hash{index}": value for index, value in enumerate(hashes)}
        counted = {"scope": scope, "subject": hashes[0], "window_start": window_start}
        if self.paired:
            row = await self.raw.one(self.sql.count_and_load(len(hashes)), {**found, **counted})
            assert row is not None  # the count's upsert always returns its row
            return int(row[0]), StoredDialogue(row[1], row[2]) if row[1] is not None else None
        count = await self.raw.one(self.sql.count_message, {**counted, "hits": 1})
        assert count is not None
        row = await self.raw.one(self.sql.load_dialogue(len(hashes)), found)
        return int(count[0]), StoredDialogue(row[0], row[1]) if row else None

    async def town_names(self) -> list[str]:
        return [name for (name,) in await self.raw.all(self.sql.town_names, {})]

    async def save_dialogue(self, key: str, state_enc: str, now: datetime) -> None:
        await self.flush()
        self.pending = ("save", {"dialogue_key": key, "state_enc": state_enc, "updated_at": now})

    async def drop_dialogue(self, key: str) -> None:
        await self.flush()
        self.pending = ("drop", {"dialogue_key": key})

    async def flush(self) -> None:
        """Write the dialogue write that waits, if any (claim_message carries it otherwise)."""
        if self.pending is not None:
            (kind, params), self.pending = self.pending, None
            if kind == "save":
                keys = {"openid_hash": params["dialogue_key"], **params}
                await self.raw.run(self.sql.save_dialogue, keys)
            else:
                await self.raw.run(self.sql.drop_dialogue, {"key": params["dialogue_key"]})

    async def claim_message(self, row: MessageRow) -> bool:
        if self.paired and self.pending is not None:
            (kind, params), self.pending = self.pending, None
            paired = self.sql.save_and_claim if kind == "save" else self.sql.drop_and_claim
            assert paired is not None
            return await self.raw.one(paired, {**row, **params}) is not None
        await self.flush()
        return await self.raw.one(self.sql.claim_message, row) is not None
