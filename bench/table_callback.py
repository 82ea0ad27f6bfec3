"""Rows (a), (b), (e) and (f) of `python -m bench`: the encrypted callback under wrk at the
highest rate, then at half of it, the memory of `jubao serve` meanwhile, and two web processes
against one."""

from __future__ import annotations

import math
import statistics
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.callback import load_round
from bench.callback_messages import official_account, signed_reports, write_requests
from bench.callback_servers import Target, slug
from bench.common import say
from bench.table import (
    MAX_P99_HALF_RATE_MS,
    MAX_RSS_MB,
    PACED_SHORTFALL,
    Row,
    below,
    callback_checks,
    median_ratio,
    rate_figure,
    ratio,
    times,
)
from bench.table_servers import start
from bench.wrk import Load, Result, run_wrk, to_result

HEADROOM_RATE = 5_000  # fresh messages per second of load, above what one process answers
DATABASES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


@dataclass
class Server:
    key: str  # bare, werobot, sqlite, postgresql
    target: Target
    url: str
    pid: int
    loads: list[Result] = field(default_factory=list)
    rss_kb: int = 0  # the most VmRSS seen under load
    hwm_kb: int = 0  # VmHWM after the loads

    @property
    def rate(self) -> float:
        return statistics.median(r.requests_per_s for r in self.loads)

    def median(self, attribute: str) -> float:
        return statistics.median(getattr(r, attribute) for r in self.loads)


def status_kb(pid: int, key: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith(f"{key}:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


@contextmanager
def sampling_rss(server: Server, every_s: float = 0.2) -> Iterator[None]:
    """VmRSS of the server's process, read every `every_s` while the block runs; the most seen
    kept on the server, and VmHWM (the kernel's peak) after it."""
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(every_s):
            server.rss_kb = max(server.rss_kb, status_kb(server.pid, "VmRSS"))

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        server.hwm_kb = max(server.hwm_kb, status_kb(server.pid, "VmHWM"))


def fresh_count(duration: int) -> int:
    return max(5_000, duration * HEADROOM_RATE)


def max_rate_rounds(servers: Sequence[Server], load: Load, rounds: int, workdir: Path) -> None:
    """(a) `rounds` rounds, each loading every server in turn, the order turned every round."""
    for number in range(rounds):
        say(f"(a) round {number + 1} of {rounds}")
        turned = list(servers[number % len(servers) :]) + list(servers[: number % len(servers)])
        for server in turned:
            with sampling_rss(server):
                result = load_round(
                    server.target, server.url, load, fresh_count(load.duration), workdir
                )
            say(f"    {result.requests_per_s:,.0f} req/s, p99 {result.p99_ms} ms")
            server.loads.append(result)


@dataclass(frozen=True)
class Paced:
    result: Result
    rate: float  # asked for
    late_share: float  # slots sent over 1 ms behind the schedule

    @property
    def held(self) -> bool:
        return self.result.requests_per_s >= PACED_SHORTFALL * self.rate


def paced_run(server: Server, load: Load, rate: float, workdir: Path) -> Paced:
    """(b) wrk with bench/paced.lua at `rate`, fresh messages."""
    requests_file = workdir / f"{slug(server.target)}.paced"
    count = math.ceil(rate * load.duration * 1.2) + 100
    write_requests(requests_file, signed_reports(count, official_account()))
    say(f"(b) {server.target.name}: {rate:,.0f} req/s for {load.duration}s")
    wrk = run_wrk(server.url, requests_file, load, rate=rate)
    result = to_result(server.target.name, wrk)
    late = wrk.get("late", 0) / wrk["slots"] if wrk.get("slots") else 0.0
    return Paced(result, rate, late)


def callback_rows(servers: dict[str, Server], rounds: int) -> list[Row]:
    bare, werobot = servers.get("bare"), servers.get("werobot")
    rows = []
    for key in ("bare", "werobot", "sqlite", "postgresql"):
        server = servers.get(key)
        name = f"callback, {server.target.name}" if server else f"callback, {key}"
        if server is None or not server.loads:
            rows.append(Row("a", name, "not measured"))
            continue
        errors = sum(r.errors for r in server.loads)
        figure = rate_figure(server.rate, server.median("p50_ms"), server.median("p99_ms"), errors)
        if rounds > 1:
            figure += f" (median of {rounds})"
        if key not in DATABASES:
            rows.append(Row("a", name, figure))
            continue
        to_bare = round_ratio(server, bare)
        to_werobot = round_ratio(server, werobot)
        versus = ", ".join(v for v in (times(to_bare, "bare"), times(to_werobot, "WeRoBot")) if v)
        rows.append(Row("a", name, figure, versus, callback_checks(to_bare, to_werobot)))
    return rows


def round_ratio(server: Server, baseline: Server | None) -> float | None:
    if baseline is None or not baseline.loads:
        return None
    loads = zip(server.loads, baseline.loads, strict=True)
    pairs = [(a.requests_per_s, b.requests_per_s) for a, b in loads]
    return median_ratio(pairs)


def paced_rows(servers: dict[str, Server], paced: dict[str, Paced]) -> list[Row]:
    rows = []
    for key, server in servers.items():
        name = f"half max rate, {server.target.name}"
        run = paced.get(key)
        if run is None:
            rows.append(Row("b", name, "not measured"))
            continue
        r = run.result
        figure = rate_figure(r.requests_per_s, r.p50_ms, r.p99_ms, r.errors)
        figure += f" at {run.rate:,.0f} asked"
        if not run.held or run.late_share > 0.01:
            figure += f" (rate not held: {run.late_share:.0%} of slots late)"
        if key in DATABASES:
            checks = (below(r.p99_ms, MAX_P99_HALF_RATE_MS, f"p99 < {MAX_P99_HALF_RATE_MS:g} ms"),)
            rows.append(Row("b", name, figure, checks=checks))
        else:
            rows.append(Row("b", name, figure))
    return rows


def memory_rows(servers: dict[str, Server]) -> list[Row]:
    rows = []
    for key, label in DATABASES.items():
        server = servers.get(key)
        if server is None or not server.loads:
            rows.append(Row("e", f"RSS of jubao serve, {label}", "not measured"))
            continue
        rss_mb, hwm_mb = server.rss_kb / 1024, server.hwm_kb / 1024
        figure = f"{rss_mb:.0f} MB VmRSS under load (VmHWM {hwm_mb:.0f} MB)"
        check = below(max(rss_mb, hwm_mb), MAX_RSS_MB, f"< {MAX_RSS_MB:g} MB")
        rows.append(Row("e", f"RSS of jubao serve, {label}", figure, checks=(check,)))
    return rows


def two_processes(
    server: Server, load: Load, workdir: Path, stack: ExitStack
) -> tuple[list[Result], str]:
    """(f) a second `jubao serve` on the same database (the same secrets); then two wrk at once,
    one per process, each with half the connections; their results."""
    first = server.target  # its environment holds the deployment's secrets
    second = Target(f"{first.name}, second process", first.serve, first.env)
    url, _ = start(second, workdir, stack)
    half = Load(load.duration, max(1, load.connections // 2), load.timeout)
    say(f"(f) {server.target.name}: two processes, two wrk of {half.connections} connections")
    with ThreadPoolExecutor(max_workers=2) as pool:
        jobs = [
            pool.submit(load_round, target, base, half, fresh_count(load.duration), workdir)
            for target, base in ((server.target, server.url), (second, url))
        ]
        return [job.result() for job in jobs], url


def scale_row(key: str, server: Server | None, results: list[Result] | None) -> Row:
    label = DATABASES[key]
    name = f"two jubao serve against one, {label}"
    if server is None or not results:
        return Row("f", name, "not measured")
    total = sum(r.requests_per_s for r in results)
    errors = sum(r.errors for r in results)
    p99 = max(r.p99_ms for r in results)
    figure = f"{total:,.0f} req/s summed (two wrk at once), worst p99 {p99:.1f} ms"
    if errors:
        figure += f", {errors:,} errors"
    one = server.rate if server.loads else None
    return Row("f", name, figure, times(ratio(total, one), "one process"))
