"""The bot's Store on the driver's own connection, for the quick path (bot/intake.py:
QuickIntake): the statements of bot/store.py, compiled once per dialect into the driver's SQL
(jubao/raw_sql.py), on sqlite3 or asyncpg alike. SQLAlchemy's execution of a statement cost
several times the database's own work (bench/callback_floor.py measures both paths).

On PostgreSQL every statement is a round trip, so a message's transaction is four: BEGIN; the
count and the dialogue in one statement; the dialogue's write and the message log's row in
one; COMMIT. To make the second pair one, the dialogue's write waits in the store until the
log row is claimed, which ends every message's transaction (bot/exactly_once.py), or until
`flush`. The pairs are built with SQLAlchemy Core too, as data-modifying CTEs over the same
tables. SQLite, in-process, runs the same steps as separate statements."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from sqlalchemy import CTE, Select, bindparam, delete, select, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect

from bot.store import COUNTS, DIALOGUES, MESSAGES, MessageRow, StoredDialogue, statements
from jubao.db import insert_new_row
from jubao.rate_limits import counting
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
            query = _by_hashes(count).with_for_update()
            self.by_hashes[count] = raw_statement(query, self.dialect)
        return self.by_hashes[count]

    def count_and_load(self, count: int) -> RawStatement:
        """PostgreSQL: the sender's count raised and his dialogue locked and read, one row."""
        if count not in self.counted_by_hashes:
            counted = _count_values(postgresql.insert(COUNTS)).cte("counted")
            found = _by_hashes(count).with_for_update().lateral("found")
            query = select(counted.c.hits, found.c.openid_hash, found.c.state_enc).select_from(
                counted.outerjoin(found, true())
            )
            self.counted_by_hashes[count] = raw_statement(query, self.dialect)
        return self.counted_by_hashes[count]


def _by_hashes(count: int) -> Select:
    marks = [bindparam(f"hash{index}") for index in range(count)]
    return select(DIALOGUES.c.openid_hash, DIALOGUES.c.state_enc).where(
        DIALOGUES.c.openid_hash.in_(marks)
    )


def _count_values(insert: postgresql.Insert) -> postgresql.Insert:
    """The flood count's upsert (jubao/rate_limits.py: counting) with its values named, for
    a CTE."""
    values = {name: bindparam(name) for name in ("scope", "subject", "window_start")}
    return counting(insert.values(**values, hits=1))  # type: ignore[return-value]


def _paired(write: str, dialect: Dialect) -> RawStatement | None:
    """PostgreSQL: the dialogue's write (`save` or `drop`, its key `dialogue_key`) and the
    message log's row in one statement, the write as a data-modifying CTE."""
    if dialect.name != "postgresql":
        return None
    key = bindparam("dialogue_key")
    written: CTE
    if write == "save":
        upsert = postgresql.insert(DIALOGUES).values(
            openid_hash=key, state_enc=bindparam("state_enc"), updated_at=bindparam("updated_at")
        )
        excluded = upsert.excluded
        written = upsert.on_conflict_do_update(
            index_elements=[DIALOGUES.c.openid_hash],
            set_={"state_enc": excluded.state_enc, "updated_at": excluded.updated_at},
        ).cte("written")
    else:
        written = delete(DIALOGUES).where(DIALOGUES.c.openid_hash == key).cte("written")
    claim = insert_new_row("postgresql", MESSAGES).add_cte(written)
    return raw_statement(claim, dialect, list(MessageRow.__annotations__))


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
        save_and_claim=_paired("save", dialect),
        drop_and_claim=_paired("drop", dialect),
    )


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
