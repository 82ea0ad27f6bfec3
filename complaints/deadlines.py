"""Deadline arithmetic (pure): `N d` ends at 24:00 local time on the Nth day after the start."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

ACCEPT_DAYS = 15  # 信访工作条例 art. 23: the acceptance decision


def days_after(start: datetime, days: int, tz: ZoneInfo) -> datetime:
    """The instant (UTC) at which a calendar-day deadline of `days` days from `start` ends."""
    last_day = start.astimezone(tz).date() + timedelta(days=days)
    return datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)


def last_day(deadline: datetime, tz: ZoneInfo) -> str:
    """The deadline as people say it: the local date whose 24:00 it is, e.g. 2026年12月12日."""
    day = (deadline.astimezone(tz) - timedelta(microseconds=1)).date()
    return f"{day.year}年{day.month}月{day.day}日"
