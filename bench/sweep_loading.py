"""Loading bench.sweep's data: rows as tuples in batches made on a worker process, written by
COPY (PostgreSQL) or executemany (SQLite); then ANALYZE, and any indexes to try."""

from __future__ import annotations

import asyncio
import bisect
import multiprocessing
import random
from collections import deque
from collections.abc import Generator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, insert, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bench.common import say
from bench.sweep_data import (
    NOW,
    SEED,
    base_row,
    closed_row,
    ledger_rows,
    next_reminder,
    open_ids,
    open_row,
)
from complaints.models import ReminderEntry, Report
from complaints.registry_models import Officer, Town, Unit
from jubao.auth import User
from jubao.db import make_engine

BATCH = 20_000  # rows generated and loaded at a time


@dataclass
class Dataset:
    reports: int
    open: int
    ledger: int = 0


REPORT_COLUMNS = list(base_row(1, 1, random.Random(0)))
LEDGER_COLUMNS = ["report_id", "clock", "deadline", "kind", "sent", "at"]
Batch = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]


def sqlite_value(value: Any) -> Any:
    """What SQLAlchemy would bind on SQLite (UtcDateTime: naive UTC text; Boolean: 0/1)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    if isinstance(value, bool):
        return int(value)
    return value


def as_tuples(
    rows: list[dict[str, Any]], columns: list[str], sqlite: bool
) -> list[tuple[Any, ...]]:
    if sqlite:
        return [tuple(sqlite_value(row[c]) for c in columns) for row in rows]
    return [tuple(row[c] for c in columns) for row in rows]


def make_batch(n: int, start: int, stop: int, opened: list[int], sqlite: bool) -> Batch:
    """Reports start..stop-1 and their ledger rows as tuples in REPORT_COLUMNS / LEDGER_COLUMNS
    order; `opened` the open ids among them. Run in a worker process, reproducible per batch."""
    rng = random.Random(f"{SEED}-{n}-{start}")
    chosen = set(opened)
    reports: list[dict[str, Any]] = []
    ledger: list[dict[str, Any]] = []
    for i in range(start, stop):
        row = base_row(i, n, rng)
        if i in chosen:
            clocks = open_row(row, rng)
            recorded = list(ledger_rows(i, clocks))
            row["next_reminder_at"] = next_reminder(row, clocks, recorded)
            ledger.extend(recorded)
        else:
            closed_row(row, rng)
        reports.append(row)
    return as_tuples(reports, REPORT_COLUMNS, sqlite), as_tuples(ledger, LEDGER_COLUMNS, sqlite)


def generate(n: int, open_count: int, sqlite: bool) -> Generator[Batch, None, None]:
    """Batches of BATCH reports, made ahead on a worker process (the other core) while this one
    writes; at most two batches wait."""
    opened = open_ids(n, open_count)
    bounds = [(start, min(start + BATCH, n + 1)) for start in range(1, n + 1, BATCH)]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        pending: deque[Future[Batch]] = deque()
        for start, stop in bounds:
            ids = opened[bisect.bisect_left(opened, start) : bisect.bisect_left(opened, stop)]
            pending.append(pool.submit(make_batch, n, start, stop, ids, sqlite))
            if len(pending) > 2:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


async def load_registry(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions.begin() as session:
        session.add(Town(id=1, name="塘桥镇", position=0))
        session.add(Unit(id=1, name="塘桥镇安监中队"))
        await session.flush()
        session.add(Officer(id=1, wework_id="zhang-wx", name="张警官", unit_id=1))
        for username, role, wework_id in (
            ("wang", "dispatcher", "wang-wx"),
            ("li", "leader", "li-wx"),
        ):
            session.add(
                User(
                    username=username,
                    role=role,
                    wework_id=wework_id,
                    password_hash="$argon2id$bench",
                    created_at=NOW,
                )
            )


def core_insert_sql(table: Table, columns: list[str], dialect: Any) -> str:
    """The Core INSERT for these columns, compiled for the dialect (its own placeholders)."""
    return str(insert(table).compile(dialect=dialect, column_keys=columns))


async def load_reports(url: str, n: int, open_count: int) -> Dataset:
    """Bulk load: PostgreSQL by COPY, SQLite by executemany of the Core INSERT with values
    already in SQLite's form (20,000 rows an execute). The next batches are made on a worker
    process while the database writes the current one. An engine of its own, so that the SQLite
    page cache enlarged for the load is gone before the sweep is measured."""
    engine = make_engine(url)
    try:
        return await _load(engine, n, open_count)
    finally:
        await engine.dispose()


async def _load(engine: AsyncEngine, n: int, open_count: int) -> Dataset:
    dataset = Dataset(n, open_count)
    sqlite = engine.dialect.name == "sqlite"
    report_sql = core_insert_sql(Report.__table__, REPORT_COLUMNS, engine.dialect)
    ledger_sql = core_insert_sql(ReminderEntry.__table__, LEDGER_COLUMNS, engine.dialect)
    batches = generate(n, open_count, sqlite)
    upcoming = asyncio.create_task(asyncio.to_thread(next, batches, None))
    try:
        async with engine.connect() as connection:
            driver = (await connection.get_raw_connection()).driver_connection
            if sqlite:
                await connection.exec_driver_sql("PRAGMA cache_size = -262144")  # 256 MB
                await connection.commit()
            done = 0
            while (batch := await upcoming) is not None:
                upcoming = asyncio.create_task(asyncio.to_thread(next, batches, None))
                reports, ledger = batch
                dataset.ledger += len(ledger)
                if sqlite:
                    await connection.exec_driver_sql(report_sql, reports)  # type: ignore[arg-type]
                    if ledger:
                        await connection.exec_driver_sql(ledger_sql, ledger)  # type: ignore[arg-type]
                    await connection.commit()
                else:  # COPY, in asyncpg's autocommit (SQLAlchemy has begun nothing on it)
                    await driver.copy_records_to_table(  # type: ignore[union-attr]
                        "reports", records=reports, columns=REPORT_COLUMNS
                    )
                    if ledger:
                        await driver.copy_records_to_table(  # type: ignore[union-attr]
                            "reminder_ledger", records=ledger, columns=LEDGER_COLUMNS
                        )
                done += len(reports)
                if done % 200_000 == 0 or done == n:
                    say(f"    loaded {done:,}/{n:,} reports")
            if not sqlite:
                await connection.execute(
                    text("SELECT setval(pg_get_serial_sequence('reports', 'id'), :n)"), {"n": n}
                )
                await connection.commit()
    finally:  # should writing fail: let the batch being fetched arrive, then stop the worker
        await asyncio.gather(upcoming, return_exceptions=True)
        batches.close()
    return dataset


async def analyze(engine: AsyncEngine) -> None:
    """ANALYZE; on PostgreSQL VACUUM ANALYZE: by the steady state autovacuum has set the
    visibility map (index-only scans without heap fetches), and it must not start in the middle
    of the measurements."""
    if engine.dialect.name == "postgresql":
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text("VACUUM ANALYZE"))
        return
    async with engine.begin() as connection:
        await connection.execute(text("ANALYZE"))


async def create_indexes(engine: AsyncEngine, statements: Sequence[str]) -> None:
    async with engine.begin() as connection:
        for statement in statements:
            await connection.execute(text(statement))
