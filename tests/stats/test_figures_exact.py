"""The statistics read a year in a few aggregate queries, the medians from their middle rows
only (complaints/statistics_queries.py): on the bureau's 2021 they must equal what reading every
report one by one gives — the medians of every span, the reports of each local month and town,
every channel."""

from __future__ import annotations

import statistics
from collections import Counter

import pytest
from sqlalchemy import select

from complaints.models import Report
from complaints.registry_models import Town
from complaints.statistics import Period, middle
from complaints.statistics_queries import report_figures
from tests.stats.helpers import load_2021


def test_the_middle_of_odd_and_even_counts():
    assert [middle(n) for n in (1, 2, 3, 4, 93)] == [(0, 1), (0, 2), (1, 1), (1, 2), (46, 1)]


def one_by_one(rows, period: Period, tz) -> dict[str, object]:  # type: ignore[no-untyped-def]
    start, end = period.bounds(tz)
    rows = [row for row in rows if start <= row.received_at < end]

    def median(spans: list) -> float | None:  # type: ignore[type-arg]
        days = [span.total_seconds() / 86400 for span in spans]
        return round(statistics.median(days), 1) if days else None

    months = Counter(row.received_at.astimezone(tz).month for row in rows)
    return {
        "median_days_to_accept": median(
            [r.accepted_at - r.received_at for r in rows if r.accepted_at is not None]
        ),
        "median_days_to_close": median(
            [r.closed_at - r.received_at for r in rows if r.closed_at is not None]
        ),
        "by_month": {f"{period.year}-{m:02d}": months.get(m, 0) for m in period.months},
        "towns": Counter(row.town_id for row in rows),
        "by_channel": Counter(row.channel for row in rows),
    }


@pytest.mark.parametrize("quarter", [None, 1, 2, 3, 4])
async def test_aggregates_equal_the_report_by_report_figures(
    sessions, settings, clock, towns, quarter
):  # type: ignore[no-untyped-def]
    await load_2021(sessions, settings, clock)
    period = Period(2021, quarter)
    async with sessions() as session:
        figures = await report_figures(session, period, settings.tz, clock.now())
        rows = (await session.execute(select(Report))).scalars().all()
        names = dict((await session.execute(select(Town.id, Town.name))).all())
    expected = one_by_one(rows, period, settings.tz)
    assert figures["median_days_to_accept"] == expected["median_days_to_accept"] is not None
    assert figures["median_days_to_close"] == expected["median_days_to_close"]
    assert figures["by_month"] == expected["by_month"]
    by_town = {names[town_id]: count for town_id, count in expected["towns"].items()}
    assert {name: n for name, n in figures["by_town"].items() if n} == by_town
    assert {key: n for key, n in figures["by_channel"].items() if n} == dict(expected["by_channel"])
    assert figures["received"] == sum(expected["by_month"].values()) > 0
