"""`jubao stats --year Y [--quarter Q] [--format text|json|csv]`: the statistics of a year or a
quarter in local time (SPEC §4, §9) — the bureau's sentence and the table behind it (text), the
API's JSON, or the table as CSV. A bad year or quarter is one line on stderr and exit 2."""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import unicodedata

from complaints.statistics import (
    CSV_HEADER,
    FIRST_YEAR,
    LAST_YEAR,
    Period,
    flat_rows,
    sections,
)
from jubao.cli.errors import say_error
from jubao.cli.prepared import prepared
from jubao.config import Settings, load_settings
from rewards.statistics import period_statistics

FORMATS = ("text", "json", "csv")


def stats(args: argparse.Namespace) -> int:
    try:
        period = _period(args.year, args.quarter)
    except ValueError as error:
        say_error(f"stats: {error}")
        return 2
    if args.format not in FORMATS:
        say_error(f"stats: --format {args.format!r} is not one of {' | '.join(FORMATS)}")
        return 2
    figures = asyncio.run(_statistics(load_settings(), period))
    output = {"text": as_text, "json": as_json, "csv": as_csv}[args.format](period, figures)
    print(output, end="")
    return 0


def _period(year: str, quarter: str | None) -> Period:
    if not year.strip().isdigit() or not FIRST_YEAR <= int(year) <= LAST_YEAR:
        raise ValueError(f"--year {year!r} is not a year between {FIRST_YEAR} and {LAST_YEAR}")
    if quarter is not None and quarter.strip() not in {"1", "2", "3", "4"}:
        raise ValueError(f"--quarter {quarter!r} is not 1, 2, 3 or 4")
    return Period(int(year), int(quarter) if quarter is not None else None)


async def _statistics(settings: Settings, period: Period) -> dict[str, object]:
    async with prepared(settings) as built, built.sessions() as session:
        return await period_statistics(session, period, settings.tz, built.clock.now())


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def as_text(period: Period, figures: dict[str, object]) -> str:
    """The sentence, then each section as two aligned columns."""
    lines = [str(figures["sentence"]), ""]
    for title, rows in sections(figures):
        lines.append(f"{period.label} · {title}")
        widest = max((_width(label) for label, _ in rows), default=0)
        lines += [f"  {label}{' ' * (widest - _width(label))}  {value}" for label, value in rows]
        lines.append("")
    return "\n".join(lines)


def as_json(period: Period, figures: dict[str, object]) -> str:
    return json.dumps(figures, ensure_ascii=False, indent=2) + "\n"


def as_csv(period: Period, figures: dict[str, object]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(flat_rows(period, figures))
    return out.getvalue()
