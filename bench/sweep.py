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
import os
import sys
import time
from collections.abc import Sequence

from cryptography.fernet import Fernet

from bench.common import ms_since, say
from bench.scratch_databases import asyncpg_url, postgresql_database, sqlite_database
from bench.sweep_data import NOW
from bench.sweep_loading import analyze, create_indexes, load_registry, load_reports
from bench.sweep_plans import plans
from bench.sweep_results import Result, as_json, table
from bench.sweep_timing import measure
from complaints.sweep import sweep_in_batches
from jubao.config import Settings
from jubao.db import make_engine, make_sessionmaker
from jubao.identity import IdentityVault
from jubao.migrate import upgrade


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
            database = sqlite_database("jubao-bench-sweep")
        else:
            assert server_url is not None
            database = postgresql_database(server_url, "jubao_bench_sweep")
        async with database as url:
            results += await run_size(backend, url, n, open_count, **common)
    return results


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
    print(as_json(results) if args.json else table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
