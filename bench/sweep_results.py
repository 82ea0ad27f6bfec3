"""bench.sweep's results (one for each backend, variant and size), their verdicts against the
targets, and the report printed: a table or JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from bench.sweep_data import NOW
from bench.sweep_plans import full_scans, ledger_scans

TARGET_MS = 200.0
TARGET_RATIO = 2.0


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


def as_json(results: Sequence[Result]) -> str:
    payload = {
        "now": NOW.isoformat(),
        "results": [asdict(r) for r in results],
        "verdicts": verdicts(results),
    }
    return json.dumps(payload, ensure_ascii=False, indent=2)
