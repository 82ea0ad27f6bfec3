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
