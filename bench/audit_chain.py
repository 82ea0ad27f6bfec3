"""The audit page's chain check on a large log (`python -m bench.audit_chain [--entries N]
[--since M] [--database-url postgresql+asyncpg://…]`): N chained entries bulk-loaded into a
scratch database, then the full check (`jubao audit verify`, the daily job) timed against a
look at the page's check after M more entries (jubao/audit_checks.py), in the same run.

The full check reads every entry (SHA-256 each); a look reads only those since the last full
check, so the ratio is about N / M."""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from bench.common import ms_since, say
from bench.scratch_databases import postgresql_database, sqlite_database
from jubao import audit, audit_checks
from jubao.audit import GENESIS, AuditEntry, AuditHead, entry_hash
from jubao.db import make_engine, make_sessionmaker
from jubao.migrate import upgrade

AT = datetime(2026, 1, 1, tzinfo=UTC)
DETAIL = '{"from":"received","note":"来电登记","to":"accepted"}'
BATCH = 10_000


def chained(n: int) -> tuple[list[dict[str, object]], str]:
    """`n` entries as append() would have written them, and the last hash."""
    rows, previous = [], GENESIS
    for i in range(n):
        at, subject = AT + timedelta(seconds=i), f"ZJG-2026-{i % 1_000_000:06d}"
        digest = entry_hash(previous, at, "wang", "accept", subject, DETAIL)
        rows.append({"at": at, "actor": "wang", "action": "accept", "subject": subject,
                     "detail": DETAIL, "prev_hash": previous, "hash": digest})  # fmt: skip
        previous = digest
    return rows, previous


async def measure(url: str, entries: int, since: int, repeat: int) -> dict[str, float]:
    await upgrade(url)
    engine = make_engine(url)
    try:
        sessions = make_sessionmaker(engine)
        rows, last = chained(entries)
        async with sessions.begin() as session:
            for start in range(0, entries, BATCH):
                await session.execute(insert(AuditEntry), rows[start : start + BATCH])
            await session.execute(insert(AuditHead).values(id=1, last_hash=last))
        say(f"    loaded {entries:,} entries")
        full = []
        for _ in range(repeat):
            async with sessions.begin() as session:
                start = time.perf_counter()
                verified = await audit_checks.full_check(session, AT)
                full.append(ms_since(start))
            assert verified.broken is None and verified.entries == entries
        async with sessions.begin() as session:
            for i in range(since):
                await audit.append(session, actor="li", action="close", subject=f"N{i}",
                                   detail={"n": i}, at=AT)  # fmt: skip
        looks = []
        for _ in range(repeat):
            async with sessions() as session:
                start = time.perf_counter()
                state = await audit_checks.look(session)
                looks.append(ms_since(start))
            assert state.broken is None and state.since == since
        return {"full_ms": statistics.median(full), "look_ms": statistics.median(looks)}
    finally:
        await engine.dispose()


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.audit_chain", description=__doc__)
    parser.add_argument("--entries", type=int, default=200_000, help="the log (200,000)")
    parser.add_argument("--since", type=int, default=2_000, help="entries after the full check")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database-url", help="a PostgreSQL server: a scratch database on it")
    return parser.parse_args(argv)


async def run(args: argparse.Namespace) -> list[tuple[str, dict[str, float]]]:
    results = []
    say(f"SQLite: {args.entries:,} entries")
    async with sqlite_database("jubao-bench-audit") as url:
        results.append(("SQLite", await measure(url, args.entries, args.since, args.repeat)))
    if args.database_url:
        say(f"PostgreSQL: {args.entries:,} entries")
        async with postgresql_database(args.database_url, "jubao_bench_audit") as url:
            measured = await measure(url, args.entries, args.since, args.repeat)
            results.append(("PostgreSQL", measured))
    return results


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    results = asyncio.run(run(args))
    print(f"audit chain, {args.entries:,} entries; the page's look after {args.since:,} more")
    print(f"{'backend':<11} {'full check ms':>14} {'page look ms':>13} {'full / look':>12}")
    for backend, figures in results:
        full, look = figures["full_ms"], figures["look_ms"]
        print(f"{backend:<11} {full:>14,.0f} {look:>13,.1f} {full / look:>11,.0f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
