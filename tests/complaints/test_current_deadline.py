"""A report's current deadline is the earliest of the clocks its status runs (reminders.RUNS),
and none once it is closed, rejected, transferred or merged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from complaints.current_deadline import Current, current_deadline, days_left

NOW = datetime(2026, 11, 27, 2, tzinfo=UTC)  # 10:00 in Zhangjiagang
TZ = ZoneInfo("Asia/Shanghai")
ACCEPT, ACK, HANDLE = NOW + timedelta(days=15), NOW + timedelta(days=1), NOW + timedelta(days=60)
RESULT, REVIEW = NOW + timedelta(days=10), NOW + timedelta(days=30)


def report(status: str, reopened: bool = False, **columns: datetime) -> SimpleNamespace:
    deadlines = dict(accept_by=ACCEPT, ack_by=ACK, handle_by=HANDLE, result_by=RESULT,
                     review_by=REVIEW) | columns  # fmt: skip
    return SimpleNamespace(status=status, reopened_at=NOW if reopened else None, **deadlines)


@pytest.mark.parametrize(
    ("status", "reopened", "expected"),
    [
        ("received", False, Current("accept", ACCEPT)),
        ("accepted", False, Current("handle", HANDLE)),
        ("assigned", False, Current("ack", ACK)),
        ("investigating", False, Current("handle", HANDLE)),
        ("investigating", True, Current("review", REVIEW)),
        ("concluded", False, Current("result", RESULT)),
        ("closed", False, None),
        ("rejected", False, None),
        ("transferred", False, None),
        ("merged", False, None),
    ],
)
def test_each_status_has_its_clock(status: str, reopened: bool, expected: Current | None) -> None:
    assert current_deadline(report(status, reopened)) == expected


def test_an_assigned_report_whose_handling_ends_first_shows_the_handling() -> None:
    soon = NOW + timedelta(hours=3)
    assert current_deadline(report("assigned", handle_by=soon)) == Current("handle", soon)


def test_days_left_count_local_calendar_days_to_the_last_day() -> None:
    midnight = datetime(2026, 12, 12, 16, tzinfo=UTC)  # 24:00 on 12 December, local
    assert days_left(midnight, NOW, TZ) == 15
    assert days_left(datetime(2026, 11, 25, 16, tzinfo=UTC), NOW, TZ) == -2
    assert days_left(datetime(2026, 11, 27, 16, tzinfo=UTC), NOW, TZ) == 0
