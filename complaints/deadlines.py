"""Deadline arithmetic (pure). `N d` ends at 24:00 local time on the Nth day after the start;
`N wd` at 24:00 of the Nth working day (weekdays, less holidays, plus make-up workdays)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Duration:
    count: int
    working: bool = False  # working days rather than calendar days

    @classmethod
    def parse(cls, text: str) -> Duration:
        match = re.fullmatch(r"\s*(\d+)\s*(wd|d)\s*", text)
        if not match or int(match.group(1)) < 1:
            raise ValueError(f"{text!r} is not Nd or Nwd")
        return cls(int(match.group(1)), match.group(2) == "wd")


DEFAULT_RULES: dict[str, Duration] = {
    "accept": Duration(15),
    "ack": Duration(1, working=True),
    "handle": Duration(60),
    "extension_max": Duration(30),
    "result": Duration(10),
    "objection": Duration(10),
    "review": Duration(30),
    "reward_decision": Duration(20),
    "reward_collection": Duration(60),
}


def rules_with(overrides: Mapping[str, str]) -> dict[str, Duration]:
    """The default rules with the registry's overrides (`{"accept": "20d"}`) applied."""
    return {**DEFAULT_RULES, **{clock: Duration.parse(v) for clock, v in overrides.items()}}


@dataclass(frozen=True)
class Calendar:
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()  # make-up working days (weekends worked)

    def is_working(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays


def _end_of(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)


def days_after(start: datetime, days: int, tz: ZoneInfo) -> datetime:
    """The instant (UTC) at which a calendar-day deadline of `days` days from `start` ends."""
    return _end_of(start.astimezone(tz).date() + timedelta(days=days), tz)


def working_days_after(start: datetime, days: int, tz: ZoneInfo, calendar: Calendar) -> datetime:
    day, counted = start.astimezone(tz).date(), 0
    while counted < days:
        day += timedelta(days=1)
        counted += calendar.is_working(day)
    return _end_of(day, tz)


def deadline(start: datetime, duration: Duration, tz: ZoneInfo, calendar: Calendar) -> datetime:
    if duration.working:
        return working_days_after(start, duration.count, tz, calendar)
    return days_after(start, duration.count, tz)


def last_day(deadline: datetime, tz: ZoneInfo) -> str:
    """The deadline as people say it: the local date whose 24:00 it is, e.g. 2026年12月12日."""
    day = (deadline.astimezone(tz) - timedelta(microseconds=1)).date()
    return f"{day.year}年{day.month}月{day.day}日"
