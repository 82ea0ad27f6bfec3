"""`python -m bench` (`make bench`): one table, measured in one run with one load generator (wrk),
of issue 15's figures and targets, the machine above it.

    python -m bench [--quick] [--database-url postgresql+asyncpg://…] [--only a,b,c,d,e,f]
                    [--duration 10] [--rounds 3] [--connections 32] [--reports 1000000]
                    [--markdown]

(a) the encrypted callback (a new citizen's first 举报, answered with an encrypted passive reply)
at the highest rate wrk gets with 32 connections: the bare limit (aiohttp and the same crypto,
no database), WeRoBot under gunicorn (one sync worker per core, its SQLite session storage on),
`jubao serve` on SQLite and on PostgreSQL (scheduler off), all up at once and loaded in turn,
`--rounds` times, the order turned each round; the ratios are medians of each round's ratio.
(b) each at half its median maximum, paced by bench/paced.lua. (c) the reminder sweep and
(d) one year's statistics on bench.sweep's data set of `--reports` reports. (e) the most VmRSS of
each `jubao serve` seen during its (a) loads, and its VmHWM. (f) a second `jubao serve` on the
same database, two wrk at once (one per process, half the connections each; `jubao serve` does
not share a port), their rates summed, against the one process of (a).

PostgreSQL: --database-url, else JUBAO_BENCH_POSTGRES_URL, else the local server at
127.0.0.1:5432; scratch databases are created on it and dropped. Progress goes to stderr, the
table to stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bench.callback import interrupt
from bench.callback_servers import bare_target
from bench.common import say
from bench.machine import describe
from bench.scratch_databases import admin, asyncpg_url
from bench.table import Row, as_markdown, as_text
from bench.table_callback import (
    Paced,
    Server,
    callback_rows,
    max_rate_rounds,
    memory_rows,
    paced_rows,
    paced_run,
    scale_row,
    two_processes,
)
from bench.table_data import data_rows
from bench.table_servers import jubao_serve_target, start, werobot_target
from bench.wrk import Load
from jubao.db import make_engine

LOCAL_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
ROWS = "abcdef"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: 3 s loads, 100 k")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("JUBAO_BENCH_POSTGRES_URL", LOCAL_POSTGRES),
        help="a PostgreSQL server (any database on it); '' for none",
    )
    parser.add_argument("--only", default=ROWS, help="rows to measure, e.g. a,b,e (all)")
    parser.add_argument("--duration", type=int, help="seconds per load (10; --quick 3)")
    parser.add_argument("--rounds", type=int, help="rounds of (a) (3; --quick 1)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (32)")
    parser.add_argument("--reports", type=int, help="reports for (c), (d) (1 M; --quick 100 k)")
    parser.add_argument("--markdown", action="store_true", help="a README-ready table")
    args = parser.parse_args(argv)
    args.only = {r for r in args.only.replace(",", "").lower() if r.strip()}
    if not args.only <= set(ROWS):
        parser.error(f"--only takes rows among {', '.join(ROWS)}")
    if args.only & set("bef"):
        args.only.add("a")  # half of (a)'s rate; memory under (a)'s load; against (a)'s one
    args.duration = args.duration or (3 if args.quick else 10)
    args.rounds = args.rounds or (1 if args.quick else 3)
    args.reports = args.reports or (100_000 if args.quick else 1_000_000)
    return args


async def server_version(url: str) -> str:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            return str((await connection.execute(text("SHOW server_version"))).scalar())
    finally:
        await engine.dispose()


@contextmanager
def scratch_postgresql(server_url: str, name: str) -> Iterator[str]:
    """A database made on the server for (a), (b), (e), (f), dropped at the end."""
    asyncio.run(admin(server_url, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        say(f"dropped scratch database {name}")


def callback_part(args: argparse.Namespace, server_url: str | None) -> list[Row]:
    load = Load(args.duration, args.connections, 5)
    with tempfile.TemporaryDirectory(prefix="jubao-bench-") as folder, ExitStack() as stack:
        workdir = Path(folder)
        targets = {
            "bare": bare_target(workdir),
            "werobot": werobot_target(workdir),
            "sqlite": jubao_serve_target(
                "jubao serve, SQLite", f"sqlite+aiosqlite:///{workdir / 'jubao.db'}", workdir,
                prepare=True,
            ),
        }  # fmt: skip
        if server_url:
            name = f"jubao_bench_table_{os.getpid()}"
            url = stack.enter_context(scratch_postgresql(server_url, name))
            targets["postgresql"] = jubao_serve_target(
                "jubao serve, PostgreSQL", url, workdir, prepare=True
            )
        servers = {}
        for key, target in targets.items():
            base_url, pid = start(target, workdir, stack)
            servers[key] = Server(key, target, base_url, pid)
        max_rate_rounds(list(servers.values()), load, args.rounds, workdir)
        rows = callback_rows(servers, args.rounds)
        if "b" in args.only:
            paced: dict[str, Paced] = {
                key: paced_run(server, load, server.rate / 2, workdir)
                for key, server in servers.items()
                if server.rate >= 2  # a server that answered nothing has no half rate
            }
            rows += paced_rows(servers, paced)
        if "e" in args.only:
            rows += memory_rows(servers)
        if "f" in args.only:
            for key in ("postgresql", "sqlite"):
                server = servers.get(key)
                results = two_processes(server, load, workdir, stack)[0] if server else None
                rows.append(scale_row(key, server, results))
        return rows


def run(args: argparse.Namespace) -> tuple[str, list[Row]]:
    server_url = asyncpg_url(args.database_url) if args.database_url else None
    version = "none"
    if server_url:
        try:
            version = asyncio.run(server_version(server_url))
        except Exception as error:  # any failure to connect: no PostgreSQL rows
            say(f"PostgreSQL at {args.database_url} not reachable ({error}): its rows skipped")
            server_url = None
    machine = describe(version)
    rows: list[Row] = []
    if "a" in args.only:
        rows += callback_part(args, server_url)
    for backend in ("sqlite", "postgresql"):
        if args.only & {"c", "d"}:
            wanted = args.only & {"c", "d"}
            repeat = 3 if args.quick else 5
            rows += asyncio.run(data_rows(backend, server_url, args.reports, wanted, repeat))
    order = {row: number for number, row in enumerate(ROWS)}
    return machine, sorted(rows, key=lambda row: order[row.row])


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        say("bench: wrk is not installed (apt-get install wrk)")
        return 1
    signal.signal(signal.SIGTERM, interrupt)  # so that the servers and wrk are stopped too
    started = time.monotonic()
    try:
        machine, rows = run(args)
    except KeyboardInterrupt:
        say("bench: interrupted")
        return 130
    except (RuntimeError, subprocess.SubprocessError, OSError) as error:
        say(f"bench: {error}")
        return 1
    minutes = (time.monotonic() - started) / 60
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    mode = "--quick, " if args.quick else ""
    print(machine)
    print(
        f"run: {stamp}, {minutes:.0f} min, rows {','.join(sorted(args.only))}; {mode}"
        f"{args.rounds} round(s) of {args.duration} s loads, {args.connections} connections, "
        f"wrk -t1; (c)/(d) at {args.reports:,} reports"
    )
    print()
    print(as_markdown(rows) if args.markdown else as_text(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
