"""Timed sweeps, as the scheduled job runs them, and timed runs of the due query alone."""

from __future__ import annotations

import statistics
import time
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench.common import ms_since, say
from bench.sweep_data import NOW
from bench.sweep_plans import sweep_query
from complaints.sweep import sweep_in_batches
from jubao.config import Settings
from jubao.identity import IdentityVault


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
