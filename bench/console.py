"""Benchmark of the console's pages over a large reports table, over real HTTP.

    python -m bench.console [--database-url postgresql+asyncpg://postgres@127.0.0.1/postgres]
                            [--reports 100000] [--open-ratio 0.1] [--repeat 50]
                            [--backends sqlite,postgresql] [--json]

For each backend (SQLite in a temporary file; PostgreSQL too when --database-url or
JUBAO_BENCH_POSTGRES_URL is given: a scratch database is made on that server and dropped at the
end): the real migrations, the demo registry, a dispatcher, and --reports reports
(bench/console_data.py: as bench.sweep loads them, spread over 13 towns, the enterprises, the
channels, four years of months and every status), analysed. Then `jubao serve` on that database
in a subprocess; the bench signs in as the dispatcher through the login form and requests each
page --repeat times one after another (after 5 untimed), timing the whole HTTP exchange:
`/healthz` (the baseline: the same server and a database round trip, nothing else), the
dashboard, the report list, the list filtered and searched, and its page 100.

Reported per page: median and p95 in ms, and the median as a multiple of the baseline's.
Target (issue 12): every console page under 100 ms, median and p95.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path

import aiohttp
from cryptography.fernet import Fernet

from bench.callback_servers import HOST, child_env, free_port, jubao_command, serving
from bench.common import say
from bench.console_data import DISPATCHER, PASSWORD, prepare
from bench.scratch_databases import asyncpg_url, postgresql_database, sqlite_database

TARGET_MS = 100.0
WARM_UP = 5
PAGES = (
    ("baseline /healthz", "/healthz"),
    ("dashboard", "/console/"),
    ("report list", "/console/reports"),
    ("list filtered + searched", "/console/reports?town=杨舍镇&status=investigating&q=通风"),
    ("list page 100", "/console/reports?page=100"),
)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class Timing:
    backend: str
    page: str
    path: str
    median_ms: float
    p95_ms: float
    ratio: float  # median / the baseline's median


def p95(samples: Sequence[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


async def sign_in(client: aiohttp.ClientSession, base: str) -> None:
    async with client.get(f"{base}/console/login") as response:
        token = CSRF.search(await response.text()).group(1)  # type: ignore[union-attr]
    form = {"username": DISPATCHER, "password": PASSWORD, "csrf_token": token}
    async with client.post(f"{base}/console/login", data=form, allow_redirects=False) as answer:
        if answer.status != 303:
            raise RuntimeError(f"bench.console: sign-in answered {answer.status}")


async def time_page(client: aiohttp.ClientSession, url: str, repeat: int) -> list[float]:
    samples = []
    for i in range(WARM_UP + repeat):
        start = time.perf_counter()
        async with client.get(url, allow_redirects=False) as response:
            await response.read()
            if response.status != 200:
                raise RuntimeError(f"bench.console: {url} answered {response.status}")
        if i >= WARM_UP:
            samples.append((time.perf_counter() - start) * 1000)
    return samples


async def time_pages(backend: str, base: str, repeat: int) -> list[Timing]:
    jar = aiohttp.CookieJar(unsafe=True)  # cookies for an IP address
    async with aiohttp.ClientSession(cookie_jar=jar) as client:
        await sign_in(client, base)
        measured = {}
        for name, path in PAGES:
            measured[name] = (path, await time_page(client, f"{base}{path}", repeat))
    baseline = statistics.median(measured[PAGES[0][0]][1])
    timings = []
    for name, (path, samples) in measured.items():
        median = statistics.median(samples)
        timing = Timing(
            backend,
            name,
            path,
            round(median, 1),
            round(p95(samples), 1),
            round(median / baseline, 1),
        )
        say(f"    {name}: median {timing.median_ms} ms, p95 {timing.p95_ms} ms")
        timings.append(timing)
    return timings


async def run_backend(backend: str, url: str, args: argparse.Namespace) -> list[Timing]:
    await prepare(url, args.reports, round(args.reports * args.open_ratio))
    with tempfile.TemporaryDirectory(prefix="jubao-bench-console-") as folder, ExitStack() as stack:
        env = child_env(
            Path(folder),
            JUBAO_DATABASE_URL=url,
            JUBAO_SECRET_KEY=secrets.token_urlsafe(32),
            JUBAO_IDENTITY_KEYS=Fernet.generate_key().decode(),
            JUBAO_SCHEDULER="off",
            JUBAO_MEDIA_DIR=str(Path(folder) / "media"),
        )
        port = free_port()
        argv = [*jubao_command(), "serve", "--host", HOST, "--port", str(port)]
        say(f"    jubao serve on port {port}")
        base = stack.enter_context(serving(argv, env, port, Path(folder) / "serve.log"))
        return await time_pages(backend, base, args.repeat)


def table(timings: Sequence[Timing]) -> str:
    width = max(len(t.page) for t in timings)
    lines = [f"{'backend':<10}  {'page':<{width}}  {'median ms':>9}  {'p95 ms':>7}  {'ratio':>6}"]
    for t in timings:
        over = "  (over target)" if max(t.median_ms, t.p95_ms) >= TARGET_MS else ""
        lines.append(
            f"{t.backend:<10}  {t.page:<{width}}  {t.median_ms:>9.1f}  {t.p95_ms:>7.1f}"
            f"  {t.ratio:>5.1f}x{over}"
        )
    lines.append(f"ratio: median over the baseline's median; target: under {TARGET_MS:.0f} ms")
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.console", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("JUBAO_BENCH_POSTGRES_URL", ""),
        help="a PostgreSQL server (any database on it): a scratch database is made and dropped",
    )
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--open-ratio", type=float, default=0.1)
    parser.add_argument("--repeat", type=int, default=50, help="timed requests per page")
    parser.add_argument("--backends", default="", help="sqlite,postgresql (default: both if a URL)")
    parser.add_argument("--json", action="store_true")
    return parser.parse_args(argv)


async def run_all(args: argparse.Namespace) -> list[Timing]:
    server_url = asyncpg_url(args.database_url) if args.database_url else None
    backends = [b for b in args.backends.split(",") if b] or (
        ["sqlite", "postgresql"] if server_url else ["sqlite"]
    )
    timings: list[Timing] = []
    for backend in backends:
        say(f"bench.console: {backend}, {args.reports:,} reports")
        if backend == "sqlite":
            database = sqlite_database("jubao-bench-console")
        elif backend == "postgresql" and server_url:
            database = postgresql_database(server_url, "jubao_bench_console")
        else:
            raise SystemExit(f"bench.console: unknown backend or no --database-url: {backend}")
        async with database as url:
            timings += await run_backend(backend, url, args)
    return timings


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        timings = asyncio.run(run_all(args))
    except KeyboardInterrupt:
        say("bench.console: interrupted")
        return 130
    if args.json:
        print(json.dumps([asdict(t) for t in timings], ensure_ascii=False, indent=2))
    else:
        print(table(timings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
