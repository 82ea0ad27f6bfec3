"""bench.callback's rounds (a load of jubao and one of the bare handler), their ratios, and the
report printed: a table or JSON."""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from bench.wrk import Load, Result


@dataclass(frozen=True)
class Round:
    jubao: Result
    bare: Result

    @property
    def ratio(self) -> float:
        bare = self.bare.requests_per_s
        return self.jubao.requests_per_s / bare if bare else 0.0


def median_ratio(rounds: Sequence[Round]) -> float:
    return statistics.median(r.ratio for r in rounds)


def table(rounds: Sequence[Round]) -> str:
    width = max(len(r.jubao.name) for r in rounds)
    header = f"{'round':<5}  {'target':<{width}}  {'req/s':>9}  {'p50 ms':>8}  {'p99 ms':>8}"
    lines = [f"{header}  {'errors':>6}  {'ratio':>5}"]
    for number, one in enumerate(rounds, 1):
        for result in (one.jubao, one.bare):
            flag = "  (messages exhausted)" if result.exhausted else ""
            mark = f"{one.ratio:>5.2f}" if result is one.jubao else " " * 5
            lines.append(
                f"{number:<5}  {result.name:<{width}}  {result.requests_per_s:>9.1f}"
                f"  {result.p50_ms:>8.2f}  {result.p99_ms:>8.2f}  {result.errors:>6}  {mark}{flag}"
            )
    spread = sorted(r.ratio for r in rounds)
    lines.append(
        f"ratio (jubao/bare), median of {len(rounds)} rounds: {median_ratio(rounds):.2f}"
        f" (range {spread[0]:.2f}-{spread[-1]:.2f}; target >= 0.5)"
    )
    return "\n".join(lines)


def as_json(rounds: Sequence[Round], load: Load) -> str:
    document = {
        "load": asdict(load) | {"threads": 1},
        "rounds": [
            {"jubao": asdict(r.jubao), "bare": asdict(r.bare), "ratio": round(r.ratio, 3)}
            for r in rounds
        ],
        "ratio": round(median_ratio(rounds), 3),
        "target_ratio": 0.5,
    }
    return json.dumps(document, ensure_ascii=False, indent=2)
