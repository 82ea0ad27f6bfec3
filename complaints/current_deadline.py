"""A report's current deadline: the earliest deadline among the clocks running in its status
(reminders.RUNS — received: acceptance; accepted and investigating: handling, or the review
after a reopening; assigned: the acknowledgement, or the handling if that ends first;
concluded: the result notice). Closed, rejected, transferred and merged reports have none.

The same mapping gives the pure function (for one report in hand) and the SQL expression the
report list sorts and filters by, so the two cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, or_

from complaints.models import Report
from complaints.reminders import RUNS
from complaints.vocabulary import STATUS_LABELS


def clocks_running(status: str, reopened: bool) -> tuple[str, ...]:
    """The clocks (RUNS keys) that run for a report in `status`, reopened after an objection
    or not."""
    return tuple(
        clock
        for clock, runs in RUNS.items()
        if status in runs.statuses and runs.reopened in (None, reopened)
    )


# The statuses in which some clock runs (the others never have a current deadline).
RUNNING_STATUSES = tuple(s for s in STATUS_LABELS if any(s in r.statuses for r in RUNS.values()))


@dataclass(frozen=True)
class Current:
    clock: str  # a RUNS / reminders.CLOCKS key
    deadline: datetime


def current_deadline(report: Any) -> Current | None:
    """The report's current deadline (`report`: anything with the RUNS columns, its status and
    reopened_at); None when no clock runs."""
    reopened = report.reopened_at is not None
    running = [
        Current(clock, moment)
        for clock in clocks_running(report.status, reopened)
        if (moment := getattr(report, RUNS[clock].deadline)) is not None
    ]
    return min(running, key=lambda current: current.deadline, default=None)


def days_left(deadline: datetime, now: datetime, tz: ZoneInfo) -> int:
    """Calendar days from today to the deadline's last day, local time (negative: over)."""
    last = (deadline - timedelta(microseconds=1)).astimezone(tz).date()
    return (last - now.astimezone(tz).date()).days


def _earliest(columns: list[Any]) -> ColumnElement[Any]:
    """The earliest non-null of these datetime columns, in portable SQL (no LEAST on SQLite)."""
    earliest: ColumnElement[Any] = columns[0]
    for column in columns[1:]:
        earliest = case((or_(column.is_(None), earliest <= column), earliest), else_=column)
    return earliest


def _current_deadline_sql() -> ColumnElement[Any]:
    whens = []
    for status in STATUS_LABELS:
        plain, reopened = clocks_running(status, False), clocks_running(status, True)
        this = Report.status == status
        cases = (
            [(this, plain)]
            if plain == reopened
            else [
                (and_(this, Report.reopened_at.is_(None)), plain),
                (and_(this, Report.reopened_at.is_not(None)), reopened),
            ]
        )
        whens += [
            (condition, _earliest([getattr(Report, RUNS[clock].deadline) for clock in clocks]))
            for condition, clocks in cases
            if clocks
        ]
    return case(*whens, else_=None)


# The current deadline of the row in a query over `reports`.
CURRENT_DEADLINE = _current_deadline_sql()
