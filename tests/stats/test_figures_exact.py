"""The statistics read a year in a few aggregate queries, the medians from their middle rows
only (complaints/statistics_queries.py): on the bureau's 2021 they must equal what reading every
report one by one gives — the medians of every span, the reports of each local month and town,
every channel."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from complaints.models import Report
from complaints.registry_models import Town
from complaints.statistics import Period, middle, middle_days
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


def test_the_middle_rows_are_found_in_a_histogram_of_days():
    days = [(0, 3), (2, 1), (5, 4)]  # eight spans: three under a day, one of 2, four of 5
    assert middle_days(days, 0, 1) == (0, 0, 0)
    assert middle_days(days, 3, 2) == (2, 5, 3)  # the middle pair straddles two days
    assert middle_days(days, 4, 1) == (5, 5, 4)
    assert middle_days(days, 7, 1) == (5, 5, 4)
    with pytest.raises(ValueError):
        middle_days(days, 7, 2)


@pytest.mark.parametrize(
    "spans",
    [
        [0.3],
        [2.2, 3.6],  # the middle pair in two days
        [0.1, 0.2, 1.5, 2.2, 3.6, 9.0, 9.5],
        [9.5, 0.1, 12.25, 1.5, 3.6, 0.2, 2.2, 9.0],
        [5.4, 5.1, 5.9, 5.2],  # all in one day: sorted within it
        [0.1, 0.1, 7.5, 7.6, 7.7],  # the middle in the last day
        [0.9, 1.1, 30.0],  # either side of a whole day
    ],
)
async def test_medians_are_exact_wherever_the_middle_falls(sessions, settings, clock, towns, spans):  # type: ignore[no-untyped-def]
    """The days to acceptance and to closing of 2021's first reports set to these spans (the
    rest neither accepted nor closed): the medians are those of the spans."""
    await load_2021(sessions, settings, clock)
    async with sessions.begin() as session:
        reports = (await session.execute(select(Report).order_by(Report.id))).scalars().all()
        start, end = Period(2021).bounds(settings.tz)
        in_year = [r for r in reports if start <= r.received_at < end]
        for report in in_year:
            report.accepted_at = report.closed_at = None
        for report, days in zip(in_year, spans, strict=False):
            report.accepted_at = report.received_at + timedelta(days=days)
        for report, days in zip(in_year, reversed(spans), strict=False):
            report.closed_at = report.received_at + timedelta(days=days * 2)
    async with sessions() as session:
        figures = await report_figures(session, Period(2021), settings.tz, clock.now())
    assert figures["median_days_to_accept"] == round(statistics.median(spans), 1)
    assert figures["median_days_to_close"] == round(statistics.median(spans) * 2, 1)
