"""Benchmark of the reminder sweep (complaints/sweep.py) over a large reports table.

    python -m bench.sweep [--database-url postgresql+asyncpg://postgres@127.0.0.1/postgres]
                          [--sizes 10000,1000000] [--open-ratio 0.1] [--open-count K]
                          [--repeat 5] [--prime 5] [--try-index "CREATE INDEX ..."]
                          [--explain-analyze] [--backends sqlite,postgresql] [--json]

For each backend (SQLite in a temporary file; PostgreSQL too when --database-url or
JUBAO_BENCH_POSTGRES_URL is given: a scratch database is created on that server and dropped at
the end) and each size N:

- a fresh schema by the real migrations (`jubao.migrate.upgrade`, so the real indexes), one
  town, one unit, one officer and a dispatcher and a leader with WeChat Work ids;
- N reports loaded in bulk (SQLite: Core executemany in batches; PostgreSQL: COPY). Ids follow
  the time of receipt; the open ones (--open-ratio, or a fixed --open-count) sit among the most
  recent, spread over received / accepted / assigned / investigating (a few reopened, with a
  review clock) / concluded, the running clock's deadline at 24:00 local time on a day drawn
  uniformly from -60 … +90 days around the sweep time. The rest are closed, rejected,
  transferred or merged, every deadline long past;
- the steady state as the sweeps of earlier days left it: in the ledger every reminder whose
  moment is more than a day before the sweep (so for a deadline past by more than a day all
  three rows: before_3d, before_1d, overdue), sent unless the moment preceded the clock's
  start; and on each open report `next_reminder_at`, its first reminder not in the ledger
  (the product's `reminders.next_moment`);
- ANALYZE (PostgreSQL: VACUUM ANALYZE, as autovacuum would have done by then); one warm-up
  sweep (records the last day's reminders), --prime untimed sweeps (a long-running process has
  run its prepared statements many times: PostgreSQL switches a prepared statement to its
  generic plan after five executions), then --repeat timed sweeps at the same moment, as the
  scheduled job runs them (`sweep_in_batches`, commits included), which find nothing new:
  median and max; and --repeat runs of the due query alone (median), how many it finds (on
  PostgreSQL also with plan_cache_mode forced to custom and to generic).

Then, at the largest size, the plan of the due query (EXPLAIN on PostgreSQL, both the custom
plan for the sweep's values and the generic plan; EXPLAIN QUERY PLAN on SQLite).
With --try-index the given statements are run afterwards on the same data, followed by ANALYZE,
and the timings and plans are taken again ("+index" rows).

Targets (the issue): one sweep under 200 ms, and the sweep at the largest size at most 2x the
sweep at the smallest.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import hashlib
import json
import multiprocessing
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections import deque
from collections.abc import Generator, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy import ClauseElement, Executable, Select, Table, insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.compiler import compiles

from complaints.models import ReminderEntry, Report
from complaints.registry_models import Officer, Town, Unit
from complaints.reminders import Candidate, kinds, next_moment
from complaints.sweep import BATCH as SWEEP_BATCH
from complaints.sweep import due_query, sweep_in_batches
from complaints.vocabulary import CATEGORIES
from jubao.auth import User
from jubao.config import Settings
from jubao.db import make_engine, make_sessionmaker
from jubao.identity import IdentityVault
from jubao.migrate import upgrade

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # 10:00 in Zhangjiagang
DAY = timedelta(days=1)
WINDOW_DAYS = (-60, 90)  # the running clock's deadline, in days around NOW
HISTORY_DAYS = (4 * 365, 100)  # closed reports were received this long ago (from, to)
BATCH = 20_000  # rows generated and loaded at a time
PER_YEAR = 400_000  # numbers: ZJG-YYYY-NNNNNN, at most this many a year
SEED = 20261127
TARGET_MS = 200.0
TARGET_RATIO = 2.0

# Open statuses and their share of the open reports; of those investigating, REOPENED were
# reopened after an objection (the review clock runs instead of the handling clock).
OPEN_MIX = (
    ("received", 0.15),
    ("accepted", 0.10),
    ("assigned", 0.15),
    ("investigating", 0.40),
    ("concluded", 0.20),
)
REOPENED = 0.05
CLOSED_MIX = (("closed", 0.80), ("rejected", 0.12), ("transferred", 0.05), ("merged", 0.03))
# How long each clock runs (roughly what the deadline rules give).
RUNS = {"accept": 15, "ack": 3, "handle": 60, "result": 15, "review": 30}
PLACES = (
    "塘桥镇东街一家无名五金加工作坊",
    "杨舍镇工业园区三号厂房",
    "金港镇港区码头堆场",
    "锦丰镇沿江化工企业罐区",
    "凤凰镇一处建筑工地",
)
DESCRIPTIONS = (
    "车间没有通风，工人不戴口罩打磨",
    "消防通道被货物堵死，灭火器过期",
    "工人受伤后老板不让报告",
    "夜间违规动火作业，无人看护",
)


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- data ---


def deadline_day(rng: random.Random) -> datetime:
    """24:00 Asia/Shanghai (16:00 UTC) of a day drawn from WINDOW_DAYS around NOW."""
    day = between(rng, *WINDOW_DAYS)
    midnight = NOW.replace(hour=16, minute=0, second=0, microsecond=0)
    return midnight + day * DAY


def started(deadline: datetime, clock: str, rng: random.Random) -> datetime:
    """When a clock with this deadline started: its run before the deadline, never after NOW."""
    return min(deadline - RUNS[clock] * DAY, NOW - timedelta(hours=rng.uniform(1, 48)))


def between(rng: random.Random, low: int, high: int) -> int:
    """rng.randint, three times as fast."""
    return low + int(rng.random() * (high - low + 1))


def pick(mix: Sequence[tuple[str, float]], rng: random.Random) -> str:
    roll, total = rng.random(), 0.0
    for name, share in mix:
        total += share
        if roll < total:
            return name
    return mix[-1][0]


def base_row(i: int, n: int, rng: random.Random) -> dict[str, Any]:
    year, seq = 2023 + (i - 1) // PER_YEAR, (i - 1) % PER_YEAR + 1
    old, recent = HISTORY_DAYS
    received = NOW - timedelta(days=old - (old - recent) * i / n, seconds=between(rng, 0, 86_399))
    digest = hashlib.sha256(f"openid-{i}".encode()).hexdigest()
    return {
        "id": i,
        "number": f"ZJG-{year}-{seq:06d}",
        "year": year,
        "seq": seq,
        "category": CATEGORIES[i % len(CATEGORIES)],
        "town_id": 1,
        "place": PLACES[i % len(PLACES)],
        "details": "",
        "description": DESCRIPTIONS[i % len(DESCRIPTIONS)],
        "channel": "wechat",
        "anonymous": True,
        "reporter_openid_enc": f"gAAAAABbench{digest[:48]}",
        "reporter_openid_hash": digest,
        "query_code_hash": f"$argon2id$v=19$m=65536,t=3,p=4$bench${digest[8:40]}",
        "status": "closed",
        "urgent": i % 50 == 0,
        "received_at": received,
        "accept_by": received + RUNS["accept"] * DAY,
        "unit_id": None,
        "assignee_id": None,
        "routed_by": None,
        "accepted_at": None,
        "assigned_at": None,
        "concluded_at": None,
        "closed_at": None,
        "ack_by": None,
        "handle_by": None,
        "result_by": None,
        "reopened_at": None,
        "review_by": None,
        "next_reminder_at": None,
        "finding": None,
        "summary": None,
        "reject_reason": None,
        "case_filed": False,
        "criminal_referral": False,
    }


def closed_row(row: dict[str, Any], rng: random.Random) -> None:
    status = pick(CLOSED_MIX, rng)
    row["status"] = status
    received = row["received_at"]
    if status != "closed":
        row["reject_reason"] = "out_of_scope" if status == "rejected" else None
        row["closed_at"] = received + between(rng, 1, 10) * DAY
        return
    accepted = received + between(rng, 1, 10) * DAY
    assigned = accepted + timedelta(hours=between(rng, 1, 48))
    concluded = assigned + between(rng, 5, 50) * DAY
    row.update(
        investigated(accepted, assigned, concluded),
        closed_at=concluded + between(rng, 1, 10) * DAY,
        result_by=concluded + RUNS["result"] * DAY,
    )


def investigated(accepted: datetime, assigned: datetime, concluded: datetime) -> dict[str, Any]:
    """The columns of a report accepted, assigned and concluded at these moments."""
    return {
        "accepted_at": accepted,
        "assigned_at": assigned,
        "concluded_at": concluded,
        "handle_by": accepted + RUNS["handle"] * DAY,
        "ack_by": assigned + RUNS["ack"] * DAY,
        "unit_id": 1,
        "assignee_id": 1,
        "routed_by": "rule 1",
        "finding": "confirmed",
        "summary": "已责令整改",
    }


def open_row(row: dict[str, Any], rng: random.Random) -> list[tuple[str, datetime, datetime]]:
    """Makes the row open; returns its running clocks (clock, deadline, started)."""
    status = pick(OPEN_MIX, rng)
    row["status"] = status
    clocks: list[tuple[str, datetime, datetime]] = []
    if status == "received":
        accept_by = deadline_day(rng)
        row["received_at"] = started(accept_by, "accept", rng)
        row["accept_by"] = accept_by
        return [("accept", accept_by, row["received_at"])]
    if status in ("accepted", "assigned", "investigating"):
        handle_by = deadline_day(rng)
        accepted = started(handle_by, "handle", rng)
        if status == "assigned":  # the officer has yet to confirm
            ack_by = deadline_day(rng)
            assigned = started(ack_by, "ack", rng)
            accepted = min(accepted, assigned - timedelta(hours=1))
            row.update(assigned_at=assigned, ack_by=ack_by)
            clocks.append(("ack", ack_by, assigned))
        elif status == "investigating":
            assigned = accepted + timedelta(hours=between(rng, 1, 48))
            row.update(assigned_at=assigned, ack_by=assigned + RUNS["ack"] * DAY)
        if status != "accepted":
            row.update(unit_id=1, assignee_id=1, routed_by="rule 1")
        row.update(accepted_at=accepted, handle_by=handle_by)
        if status == "investigating" and rng.random() < REOPENED:
            review_by = deadline_day(rng)
            reopened = started(review_by, "review", rng)
            earlier = reopened - between(rng, 20, 90) * DAY
            row.update(
                reopened_at=reopened,
                review_by=review_by,
                accepted_at=earlier,
                handle_by=earlier + RUNS["handle"] * DAY,
                assigned_at=earlier + timedelta(hours=2),
                ack_by=earlier + RUNS["ack"] * DAY,
            )
            clocks.append(("review", review_by, reopened))
        else:
            clocks.append(("handle", handle_by, accepted))
        received = row["accepted_at"] - timedelta(days=rng.uniform(0.5, 10))
    else:  # concluded: the result is yet to be told
        result_by = deadline_day(rng)
        concluded = started(result_by, "result", rng)
        accepted = concluded - between(rng, 5, 50) * DAY
        assigned = accepted + timedelta(hours=between(rng, 1, 48))
        row.update(investigated(accepted, assigned, concluded), result_by=result_by)
        clocks.append(("result", result_by, concluded))
        received = accepted - timedelta(days=rng.uniform(0.5, 10))
    row["received_at"] = received
    row["accept_by"] = received + RUNS["accept"] * DAY
    return clocks


def ledger_rows(
    report_id: int, clocks: list[tuple[str, datetime, datetime]]
) -> Iterator[dict[str, Any]]:
    """What the sweeps of earlier days recorded: every reminder whose moment is more than a day
    before NOW (so for a deadline past by more than a day all three: before_3d, before_1d,
    overdue), at its moment, sent unless the moment fell before the clock started. The
    warm-up sweep then records the last day's."""
    for clock, deadline, began in clocks:
        for kind, before in kinds(clock):
            moment = deadline - before
            if moment >= NOW - DAY:
                break
            yield {
                "report_id": report_id,
                "clock": clock,
                "deadline": deadline,
                "kind": kind,
                "sent": moment >= began,
                "at": max(moment, began),
            }


def next_reminder(
    row: dict[str, Any],
    clocks: list[tuple[str, datetime, datetime]],
    recorded: list[dict[str, Any]],
) -> datetime | None:
    """The report's next reminder moment as the sweeps of earlier days left it (the product's
    own `next_moment` over its running clocks and ledger rows)."""
    done: dict[tuple[str, datetime], set[str]] = {}
    for entry in recorded:
        done.setdefault((entry["clock"], entry["deadline"]), set()).add(entry["kind"])
    running = [
        Candidate(row["id"], row["number"], clock, deadline, began)
        for clock, deadline, began in clocks
    ]
    return next_moment(running, done)


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


def open_ids(n: int, open_count: int) -> list[int]:
    """Which reports are open: a sample of the most recent (ids follow the time of receipt)."""
    tail = min(n, 2 * open_count)
    return sorted(random.Random(SEED + n).sample(range(n - tail + 1, n + 1), open_count))


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


# --- loading ---


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


# --- plans ---


class Explain(Executable, ClauseElement):
    """EXPLAIN … before a statement, its bound parameters processed as in the real query."""

    inherit_cache = False

    def __init__(self, statement: Select[Any], prefix: str) -> None:
        self.statement = statement
        self.prefix = prefix


@compiles(Explain)
def _compile_explain(element: Explain, compiler: Any, **kw: Any) -> str:
    sql = compiler.process(element.statement, **kw)
    compiler._result_columns = []  # the rows are plan lines, not the statement's columns
    return f"{element.prefix} {sql}"


def sweep_query() -> Select[Any]:
    """The statement the sweep runs to find what is due (complaints.sweep.due_query), with the
    batch limit of the scheduled job."""
    return due_query(NOW, SWEEP_BATCH)


def sql_literal(value: Any) -> str:
    if isinstance(value, datetime):
        return f"'{value.isoformat()}'"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(value)


async def generic_plan(session: AsyncSession, prefix: str) -> str:
    """PostgreSQL's generic plan of the due query: the plan a prepared statement (asyncpg
    caches them per connection) switches to after five executions if it looks no dearer."""
    connection = await session.connection()
    compiled = sweep_query().compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )
    values = ", ".join(sql_literal(compiled.params[name]) for name in compiled.positiontup or ())
    name = "bench_due"
    await connection.exec_driver_sql("SET LOCAL plan_cache_mode = force_generic_plan")
    await connection.exec_driver_sql(f"PREPARE {name} AS {compiled.string}")
    rows = (await connection.exec_driver_sql(f"{prefix} EXECUTE {name}({values})")).all()
    await connection.exec_driver_sql(f"DEALLOCATE {name}")
    return "\n".join(row[0] for row in rows)


async def plans(
    sessions: async_sessionmaker[AsyncSession], dialect: str, analyze_it: bool
) -> dict[str, str]:
    """The due query's plan; on PostgreSQL the custom plan (for these parameter values) and the
    generic plan ("due generic")."""
    if dialect == "postgresql":
        prefix = "EXPLAIN (ANALYZE, BUFFERS)" if analyze_it else "EXPLAIN"
    else:
        prefix = "EXPLAIN QUERY PLAN"
    found: dict[str, str] = {}
    async with sessions() as session:
        rows = (await session.execute(Explain(sweep_query(), prefix))).all()
        if dialect == "postgresql":
            found["due"] = "\n".join(row[0] for row in rows)
            found["due generic"] = await generic_plan(session, prefix)
        else:
            depth: dict[int, int] = {0: -1}
            lines = []
            for node, parent, _, detail in rows:
                depth[node] = depth.get(parent, -1) + 1
                lines.append("  " * depth[node] + detail)
            found["due"] = "\n".join(lines)
        await session.rollback()
    return found


def full_scans(plan: str) -> list[str]:
    """Plan lines that read all of reports: a sequential scan, or a walk of an index other than
    next_reminder_at's (a search by it reads only what is due)."""

    def whole(line: str) -> bool:
        return "Seq Scan on reports" in line or (
            line.startswith("SCAN reports") and "ix_reports_next_reminder_at" not in line
        )

    lines = (line.strip().removeprefix("->").strip() for line in plan.splitlines())
    return [line for line in lines if whole(line)]


def ledger_scans(plan: str) -> list[str]:
    """Plan lines reading the whole reminder ledger (it keeps every reminder ever recorded)."""
    lines = (line.strip().removeprefix("->").strip() for line in plan.splitlines())
    return [
        line
        for line in lines
        if "Seq Scan on reminder_ledger" in line or line.startswith("SCAN reminder_ledger")
    ]


# --- measuring ---


@dataclass
class Result:
    backend: str
    variant: str
    size: int
    open: int
    ledger_rows: int
    load_s: float
    warmup_ms: float
    warmup_sent: int
    warmup_skipped: int
    sweep_median_ms: float
    sweep_max_ms: float
    sweep_runs_ms: list[float]
    due_query_median_ms: float
    due_found: int
    # PostgreSQL: the due query under plan_cache_mode force_custom_plan / force_generic_plan
    due_custom_ms: float | None = None
    due_generic_ms: float | None = None
    plans: dict[str, str] = field(default_factory=dict)


def ms_since(start: float) -> float:
    return (time.perf_counter() - start) * 1000


async def time_due_query(session: AsyncSession, repeat: int) -> tuple[float, int]:
    runs, found = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        found = len((await session.execute(sweep_query())).all())
        runs.append(ms_since(start))
    return round(statistics.median(runs), 2), found


async def measure(
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    vault: IdentityVault,
    repeat: int,
    prime: int,
) -> dict[str, Any]:
    """`prime` untimed sweeps (a long-running process has run its prepared statements many
    times), then `repeat` timed sweeps as the scheduled job runs them, and `repeat` runs of the
    due query alone."""
    sweeps: list[float] = []
    for number in range(prime + repeat):
        start = time.perf_counter()
        report = await sweep_in_batches(sessions, NOW, settings=settings, vault=vault)
        if number >= prime:
            sweeps.append(ms_since(start))
        if report.sent or report.skipped:
            say(f"    note: a repeated sweep recorded {report.sent} sent, {report.skipped} skipped")
    figures: dict[str, Any] = {}
    async with sessions() as session:
        figures["due_query_median_ms"], figures["due_found"] = await time_due_query(session, repeat)
        await session.rollback()
        if session.bind.dialect.name == "postgresql":
            for mode in ("custom", "generic"):
                await session.execute(text(f"SET LOCAL plan_cache_mode = force_{mode}_plan"))
                figures[f"due_{mode}_ms"] = (await time_due_query(session, repeat))[0]
                await session.rollback()
    return {
        "sweep_median_ms": round(statistics.median(sweeps), 2),
        "sweep_max_ms": round(max(sweeps), 2),
        "sweep_runs_ms": [round(t, 2) for t in sweeps],
        **figures,
    }


async def run_size(
    backend: str,
    url: str,
    n: int,
    open_count: int,
    *,
    repeat: int,
    prime: int,
    largest: bool,
    try_index: Sequence[str],
    explain_analyze: bool,
) -> list[Result]:
    say(f"  {backend} N={n:,} (open {open_count:,}): migrating")
    await upgrade(url)
    engine = make_engine(url)
    try:
        sessions = make_sessionmaker(engine)
        settings = Settings(
            database_url=url, secret_key="x", identity_keys=(Fernet.generate_key().decode(),)
        )
        vault = IdentityVault(settings.identity_keys)
        await load_registry(sessions)
        start = time.perf_counter()
        dataset = await load_reports(url, n, open_count)
        await analyze(engine)
        load_s = round(time.perf_counter() - start, 1)
        say(f"    loaded and analyzed in {load_s} s ({dataset.ledger:,} ledger rows)")
        start = time.perf_counter()
        warm = await sweep_in_batches(sessions, NOW, settings=settings, vault=vault)
        warmup_ms = round(ms_since(start), 1)
        say(f"    warm-up sweep {warmup_ms} ms: {warm.sent} sent, {warm.skipped} skipped")
        variants = [("baseline", ())] + ([("+index", try_index)] if try_index else [])
        results = []
        for variant, statements in variants:
            if statements:
                say(f"    running {len(statements)} --try-index statement(s), then ANALYZE")
                await create_indexes(engine, statements)
                await analyze(engine)
            figures = await measure(sessions, settings, vault, repeat, prime)
            say(
                f"    {variant}: sweep median {figures['sweep_median_ms']} ms, max "
                f"{figures['sweep_max_ms']} ms; due query {figures['due_query_median_ms']} ms, "
                f"{figures['due_found']} found"
            )
            result = Result(
                backend,
                variant,
                n,
                open_count,
                dataset.ledger,
                load_s,
                warmup_ms,
                warm.sent,
                warm.skipped,
                **figures,
            )
            if largest:
                result.plans = await plans(sessions, engine.dialect.name, explain_analyze)
            results.append(result)
        return results
    finally:
        await engine.dispose()


async def admin(server_url: str, sql: str) -> None:
    engine = make_engine(server_url).execution_options(isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(sql))
    finally:
        await engine.dispose()


def asyncpg_url(url: str) -> str:
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


async def run_backend(
    backend: str, server_url: str | None, sizes: Sequence[int], args: argparse.Namespace
) -> list[Result]:
    results: list[Result] = []
    for n in sizes:
        open_count = min(n, args.open_count if args.open_count else round(n * args.open_ratio))
        common = {
            "repeat": args.repeat,
            "prime": args.prime,
            "largest": n == max(sizes),
            "try_index": args.try_index,
            "explain_analyze": args.explain_analyze,
        }
        if backend == "sqlite":
            folder = tempfile.mkdtemp(prefix="jubao-bench-sweep-")
            try:
                url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
                results += await run_size(backend, url, n, open_count, **common)
            finally:
                shutil.rmtree(folder, ignore_errors=True)
            continue
        assert server_url is not None
        name = f"jubao_bench_sweep_{uuid.uuid4().hex[:10]}"
        await admin(server_url, f'CREATE DATABASE "{name}"')
        try:
            url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
            results += await run_size(backend, url, n, open_count, **common)
        finally:
            await admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            say(f"    dropped scratch database {name}")
    return results


# --- output ---


def verdicts(results: Sequence[Result]) -> list[dict[str, Any]]:
    out = []
    for backend, variant in dict.fromkeys((r.backend, r.variant) for r in results):
        rows = sorted(
            (r for r in results if (r.backend, r.variant) == (backend, variant)),
            key=lambda r: r.size,
        )
        small, large = rows[0], rows[-1]
        ratio = large.sweep_median_ms / small.sweep_median_ms if small.sweep_median_ms else 0.0
        worst = max(r.sweep_max_ms for r in rows)
        scans = {name: lines for name, plan in large.plans.items() if (lines := full_scans(plan))}
        ledger = {
            name: lines for name, plan in large.plans.items() if (lines := ledger_scans(plan))
        }
        out.append(
            {
                "backend": backend,
                "variant": variant,
                "small": small.size,
                "large": large.size,
                "ratio": round(ratio, 2),
                "under_200ms": worst < TARGET_MS,
                "worst_sweep_ms": worst,
                "within_2x": len(rows) > 1 and ratio <= TARGET_RATIO,
                "full_scans": scans,
                "ledger_scans": ledger,
            }
        )
    return out


def table(results: Sequence[Result]) -> str:
    head = (
        f"{'backend':<11}{'variant':<10}{'N':>10}{'open':>9}{'ledger':>9}"
        f"{'sweep med':>11}{'sweep max':>11}{'due query':>11}{'found':>7}"
    )
    lines = [head, "-" * len(head)]
    for r in results:
        lines.append(
            f"{r.backend:<11}{r.variant:<10}{r.size:>10,}{r.open:>9,}{r.ledger_rows:>9,}"
            f"{r.sweep_median_ms:>11.2f}{r.sweep_max_ms:>11.2f}{r.due_query_median_ms:>11.2f}"
            f"{r.due_found:>7}"
        )
    pinned = [r for r in results if r.due_custom_ms is not None]
    if pinned:
        lines.append("")
        lines.append(
            "PostgreSQL due query (ms), plan_cache_mode forced: custom plan / generic plan"
        )
        for r in pinned:
            lines.append(f"  {r.variant:<10}{r.size:>10,}  {r.due_custom_ms}/{r.due_generic_ms}")
    lines.append("")
    lines.append("warm-up sweeps (one-off, records what is newly due):")
    for r in results:
        if r.variant == "baseline":
            lines.append(
                f"  {r.backend:<11}{r.size:>10,}: {r.warmup_ms:.0f} ms, {r.warmup_sent} sent, "
                f"{r.warmup_skipped} skipped; load+ANALYZE {r.load_s} s"
            )
    lines.append("")
    for v in verdicts(results):
        mark = {True: "PASS", False: "FAIL"}
        lines.append(
            f"{v['backend']} {v['variant']}: sweep({v['large']:,})/sweep({v['small']:,}) = "
            f"{v['ratio']}x  [{mark[v['within_2x']]} <= {TARGET_RATIO:g}x];  worst sweep "
            f"{v['worst_sweep_ms']} ms  [{mark[v['under_200ms']]} < {TARGET_MS:g} ms];  "
            f"plans reading all reports: "
            f"{', '.join(v['full_scans']) or 'none'};  whole-ledger reads: "
            f"{', '.join(v['ledger_scans']) or 'none'}"
        )
    for r in results:
        if not r.plans:
            continue
        lines.append("")
        lines.append(f"=== plans: {r.backend} {r.variant} N={r.size:,} ===")
        for name, plan in r.plans.items():
            lines.append(f"--- {name}")
            lines.append(plan)
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.sweep", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("JUBAO_BENCH_POSTGRES_URL", ""),
        help="a PostgreSQL server (any database on it): a scratch database is made and dropped",
    )
    parser.add_argument("--sizes", default="10000,1000000")
    parser.add_argument("--open-ratio", type=float, default=0.1)
    parser.add_argument(
        "--open-count", type=int, default=0, help="a fixed number of open reports at every size"
    )
    parser.add_argument("--repeat", type=int, default=5, help="timed sweeps per size")
    parser.add_argument(
        "--prime", type=int, default=5, help="untimed sweeps after the warm-up (plan caches)"
    )
    parser.add_argument(
        "--backends",
        default="",
        help="sqlite,postgresql (default: sqlite, and postgresql if a URL)",
    )
    parser.add_argument(
        "--try-index",
        action="append",
        default=[],
        metavar="SQL",
        help="run on the loaded data, then time again (repeatable)",
    )
    parser.add_argument(
        "--explain-analyze", action="store_true", help="PostgreSQL: EXPLAIN (ANALYZE, BUFFERS)"
    )
    parser.add_argument("--json", action="store_true")
    return parser.parse_args(argv)


async def run_all(args: argparse.Namespace) -> list[Result]:
    sizes = sorted({int(size.replace("_", "")) for size in args.sizes.split(",") if size})
    server_url = asyncpg_url(args.database_url) if args.database_url else None
    backends = [b for b in args.backends.split(",") if b] or (
        ["sqlite", "postgresql"] if server_url else ["sqlite"]
    )
    results: list[Result] = []
    for backend in backends:
        if backend not in ("sqlite", "postgresql"):
            raise SystemExit(f"bench.sweep: unknown backend {backend}")
        if backend == "postgresql" and not server_url:
            raise SystemExit("bench.sweep: postgresql needs --database-url")
        say(f"bench.sweep: {backend}")
        results += await run_backend(backend, server_url, sizes, args)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    start = time.perf_counter()
    try:
        results = asyncio.run(run_all(args))
    except KeyboardInterrupt:
        say("bench.sweep: interrupted")
        return 130
    say(f"bench.sweep: done in {time.perf_counter() - start:.0f} s")
    if args.json:
        payload = {
            "now": NOW.isoformat(),
            "results": [asdict(r) for r in results],
            "verdicts": verdicts(results),
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
