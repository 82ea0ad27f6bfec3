"""Calendar-day deadlines end at 24:00 local time on the Nth day after the start."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from complaints.deadlines import days_after, last_day

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    "received",
    [
        datetime(2026, 11, 27, 2, 0, tzinfo=UTC),  # 10:00 local
        datetime(2026, 11, 26, 16, 0, tzinfo=UTC),  # 00:00 local on the 27th
        datetime(2026, 11, 27, 15, 59, tzinfo=UTC),  # 23:59 local on the 27th
    ],
)
def test_fifteen_days_end_at_local_midnight_of_the_fifteenth_day(received):
    deadline = days_after(received, 15, SHANGHAI)
    assert deadline == datetime(2026, 12, 12, 16, 0, tzinfo=UTC)  # 2026-12-13 00:00 local
    assert last_day(deadline, SHANGHAI) == "2026年12月12日"


def test_the_local_day_decides_not_the_utc_day():
    received = datetime(2026, 11, 27, 16, 30, tzinfo=UTC)  # 00:30 on the 28th in Shanghai
    assert last_day(days_after(received, 15, SHANGHAI), SHANGHAI) == "2026年12月13日"


def test_one_working_day_skips_the_weekend_and_holidays():
    from datetime import date

    from complaints.deadlines import Calendar, Duration, deadline

    friday = datetime(2026, 9, 25, 2, 0, tzinfo=UTC)  # Friday 10:00 local
    plain = Calendar()
    assert (
        last_day(deadline(friday, Duration(1, working=True), SHANGHAI, plain), SHANGHAI)
        == "2026年9月28日"
    )
    national_day = Calendar(
        holidays=frozenset(date(2026, 10, d) for d in range(1, 8)),
        workdays=frozenset({date(2026, 9, 27), date(2026, 10, 10)}),
    )
    # Friday 25 Sep -> Sunday 27 Sep is a make-up workday.
    assert (
        last_day(deadline(friday, Duration(1, working=True), SHANGHAI, national_day), SHANGHAI)
        == "2026年9月27日"
    )
    sept_30 = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)
    # The holiday week is skipped; Thursday 8 Oct is the first working day after it.
    assert (
        last_day(deadline(sept_30, Duration(1, working=True), SHANGHAI, national_day), SHANGHAI)
        == "2026年10月8日"
    )
    assert (
        last_day(deadline(sept_30, Duration(3, working=True), SHANGHAI, national_day), SHANGHAI)
        == "2026年10月10日"
    )


def test_durations_parse_and_overrides_apply():
    from complaints.deadlines import Duration, rules_with

    assert Duration.parse("15d") == Duration(15)
    assert Duration.parse("1wd") == Duration(1, working=True)
    rules = rules_with({"accept": "20d"})
    assert rules["accept"] == Duration(20) and rules["handle"] == Duration(60)
    for bad in ("15", "0d", "x", "3w"):
        with pytest.raises(ValueError):
            Duration.parse(bad)
