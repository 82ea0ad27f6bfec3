"""The one table `python -m bench` prints: its rows, the targets of issue 15 and their verdicts,
and the text and Markdown renderings. Pure: no process, no database, no clock."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

# The targets (issue 15, item 5)
MIN_RATIO_TO_BARE = 0.5
MIN_RATIO_TO_WEROBOT = 3.0
MAX_P99_HALF_RATE_MS = 50.0
MAX_SWEEP_MS = 200.0
MAX_STATISTICS_MS = 1000.0
MAX_RSS_MB = 150.0
PACED_SHORTFALL = 0.95  # a paced run below this share of its rate did not hold the rate


@dataclass(frozen=True)
class Check:
    """One target: what it asks, and whether the measured figure meets it (None: not measured)."""

    target: str
    met: bool | None


@dataclass(frozen=True)
class Row:
    row: str  # "a" … "f"
    name: str
    figure: str
    versus: str = ""  # ratios against the baselines of the same run
    checks: tuple[Check, ...] = ()

    @property
    def target(self) -> str:
        return "; ".join(check.target for check in self.checks)

    @property
    def verdict(self) -> str:
        return verdict(self.checks)


def verdict(checks: Sequence[Check]) -> str:
    """'met', 'not met', 'not measured', one per target when they differ; '' without target."""
    words = ["not measured" if c.met is None else "met" if c.met else "not met" for c in checks]
    if not words:
        return ""
    return words[0] if len(set(words)) == 1 else "; ".join(words)


def at_least(value: float | None, limit: float, target: str) -> Check:
    return Check(target, None if value is None else value >= limit)


def below(value: float | None, limit: float, target: str) -> Check:
    return Check(target, None if value is None else value < limit)


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def median_ratio(pairs: Sequence[tuple[float, float]]) -> float | None:
    """The median over rounds of each round's ratio (two loads seconds apart, so a slower spell
    of the machine weighs on both sides of it)."""
    ratios = [a / b for a, b in pairs if b]
    return statistics.median(ratios) if ratios else None


def callback_checks(to_bare: float | None, to_werobot: float | None) -> tuple[Check, ...]:
    return (
        at_least(to_bare, MIN_RATIO_TO_BARE, f">= {MIN_RATIO_TO_BARE:g} x bare"),
        at_least(to_werobot, MIN_RATIO_TO_WEROBOT, f">= {MIN_RATIO_TO_WEROBOT:g} x WeRoBot"),
    )


def times(value: float | None, baseline: str) -> str:
    return "" if value is None else f"{value:.2f} x {baseline}"


def rate_figure(rate: float, p50_ms: float, p99_ms: float, errors: int = 0) -> str:
    figure = f"{rate:,.0f} req/s, p50 {p50_ms:.1f} ms, p99 {p99_ms:.1f} ms"
    return figure + (f", {errors:,} errors" if errors else "")


def ms_figure(value_ms: float) -> str:
    return f"{value_ms:,.1f} ms" if value_ms < 10_000 else f"{value_ms / 1000:,.1f} s"


COLUMNS = ("row", "what", "measured", "vs baseline (same run)", "target", "verdict")


def cells(row: Row) -> tuple[str, ...]:
    return (row.row, row.name, row.figure, row.versus, row.target, row.verdict)


def as_text(rows: Sequence[Row]) -> str:
    table = [COLUMNS, *(cells(row) for row in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
             for line in table]  # fmt: skip
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def as_markdown(rows: Sequence[Row]) -> str:
    def line(values: Sequence[str]) -> str:
        return "| " + " | ".join(v.replace("|", "\\|") for v in values) + " |"

    body = [line(COLUMNS), line(["---"] * len(COLUMNS))]
    for row in rows:
        values = list(cells(row))
        values[-1] = f"**{values[-1]}**" if values[-1] else ""
        body.append(line(values))
    return "\n".join(body)
