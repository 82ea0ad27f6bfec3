"""Rows (c) and (d) of `python -m bench`: the reminder sweep and a year's statistics on a large
reports table, loaded and swept as bench.sweep does (its data set: 10 % open, the ledger and
`next_reminder_at` as earlier sweeps left them, received over four years)."""

from __future__ import annotations

import statistics
import time

from bench.common import ms_since, say
from bench.scratch_databases import postgresql_database, sqlite_database
from bench.sweep import run_size
from bench.sweep_data import NOW
from bench.table import MAX_STATISTICS_MS, MAX_SWEEP_MS, Row, below, ms_figure
from complaints.statistics import Period
from jubao.config import Settings
from jubao.db import make_engine, make_sessionmaker
from rewards.statistics import period_statistics

STATISTICS_YEAR = NOW.year - 1  # the last whole year of the data set (about 270,000 of 1 M)
STATISTICS_RUNS = 3


async def time_statistics(url: str, runs: int) -> tuple[float, int]:
    """`jubao stats --year Y`'s work (rewards.statistics.period_statistics), each run on a new
    engine as each command is: the median in ms, and the reports it counted."""
    tz = Settings(database_url=url).tz
    timings, received = [], 0
    for _ in range(runs):
        engine = make_engine(url)
        try:
            start = time.perf_counter()
            async with make_sessionmaker(engine)() as session:
                figures = await period_statistics(session, Period(STATISTICS_YEAR), tz, NOW)
            timings.append(ms_since(start))
            received = int(figures.get("received", 0))  # type: ignore[call-overload]
        finally:
            await engine.dispose()
    return statistics.median(timings), received


async def data_rows(
    backend: str, server_url: str | None, n: int, wanted: set[str], repeat: int
) -> list[Row]:
    label = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[backend]
    sweep_name = f"sweep at {n:,} reports, {label}"
    stats_name = f"statistics of {STATISTICS_YEAR} at {n:,} reports, {label}"
    if backend == "postgresql" and not server_url:
        return [Row(r, name, "not measured") for r, name in (("c", sweep_name), ("d", stats_name))
                if r in wanted]  # fmt: skip
    database = (
        sqlite_database("jubao-bench-table")
        if backend == "sqlite"
        else postgresql_database(server_url or "", "jubao_bench_table")
    )
    rows = []
    async with database as url:
        say(f"(c)/(d) {label}: loading {n:,} reports (bench.sweep's data set)")
        (result,) = await run_size(
            backend,
            url,
            n,
            round(n * 0.1),
            repeat=repeat,
            prime=5,
            largest=False,
            try_index=(),
            explain_analyze=False,
        )
        if "c" in wanted:
            figure = (
                f"{ms_figure(result.sweep_median_ms)} median of {repeat} "
                f"(max {ms_figure(result.sweep_max_ms)}; loaded in {result.load_s:,.0f} s)"
            )
            check = below(result.sweep_median_ms, MAX_SWEEP_MS, f"< {MAX_SWEEP_MS:g} ms")
            rows.append(Row("c", sweep_name, figure, checks=(check,)))
        if "d" in wanted:
            say(f"(d) {label}: statistics of {STATISTICS_YEAR}, {STATISTICS_RUNS} runs")
            median_ms, received = await time_statistics(url, STATISTICS_RUNS)
            figure = (
                f"{ms_figure(median_ms)} median of {STATISTICS_RUNS} "
                f"({received:,} reports that year)"
            )
            check = below(median_ms, MAX_STATISTICS_MS, f"< {MAX_STATISTICS_MS / 1000:g} s")
            rows.append(Row("d", stats_name, figure, checks=(check,)))
    return rows
