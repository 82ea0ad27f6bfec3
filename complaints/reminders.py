"""Which reminders are due (SPEC §7, §11), decided by a pure function over candidates.

Each clock is reminded 3 days and 1 day before its deadline (reward collection: 7 and 1) and
once when it passes; the ledger key (report, clock, deadline, kind) makes each happen once and
gives a moved deadline fresh reminders. A sweep sends only the latest kind that is due and marks
earlier missed ones skipped; a reminder whose moment fell before its clock started is skipped.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any


@dataclass(frozen=True)
class ClockSpec:
    label: str
    reminded: tuple[str, ...]  # audiences before the deadline
    escalated: tuple[str, ...]  # added when it passes
    offsets: tuple[tuple[str, timedelta], ...] = (
        ("before_3d", timedelta(days=3)),
        ("before_1d", timedelta(days=1)),
    )


CLOCKS: dict[str, ClockSpec] = {
    "accept": ClockSpec("受理告知", ("dispatchers",), ("leaders",)),
    "ack": ClockSpec("分派确认", ("officer",), ("dispatchers", "group")),
    "handle": ClockSpec("办结", ("officer",), ("dispatchers", "leaders", "group")),
    "result": ClockSpec("结果告知", ("leaders",), ("dispatchers",)),
    "review": ClockSpec("复查", ("officer",), ("leaders",)),
    "reward_decision": ClockSpec("奖励决定", ("dispatchers",), ("leaders",)),
    "reward_collection": ClockSpec(
        "奖励领取",
        ("reporter",),
        ("finance",),
        (("before_7d", timedelta(days=7)), ("before_1d", timedelta(days=1))),
    ),
}
OVERDUE = "overdue"


@dataclass(frozen=True)
class Runs:
    """When a report's clock runs: in these statuses, before or after a reopening (None:
    either), with its deadline and start in these report columns."""

    statuses: tuple[str, ...]
    reopened: bool | None
    deadline: str
    started: str


OPEN_HANDLING = ("accepted", "assigned", "investigating")
RUNS: dict[str, Runs] = {
    "accept": Runs(("received",), None, "accept_by", "received_at"),
    "ack": Runs(("assigned",), None, "ack_by", "assigned_at"),
    "handle": Runs(OPEN_HANDLING, False, "handle_by", "accepted_at"),
    "result": Runs(("concluded",), None, "result_by", "concluded_at"),
    "review": Runs(("investigating",), True, "review_by", "reopened_at"),
}


def kinds(clock: str) -> list[tuple[str, timedelta]]:
    """The clock's reminders in time order, each with its distance before the deadline."""
    return [*CLOCKS[clock].offsets, (OVERDUE, timedelta(0))]


@dataclass(frozen=True)
class Candidate:
    report_id: int
    number: str
    clock: str
    deadline: datetime
    started_at: datetime | None


@dataclass(frozen=True)
class Decision:
    candidate: Candidate
    kind: str
    send: bool  # False: recorded as skipped

    def audiences(self) -> tuple[str, ...]:
        spec = CLOCKS[self.candidate.clock]
        return spec.reminded + (spec.escalated if self.kind == OVERDUE else ())


def running_clocks(report: Any) -> list[Candidate]:
    """The report's clocks that run in its current status (`report`: a reports row, read by
    the column names of RUNS, with id, number, status and reopened_at)."""
    found = []
    for clock, runs in RUNS.items():
        if report.status not in runs.statuses:
            continue
        if runs.reopened is not None and runs.reopened != (report.reopened_at is not None):
            continue
        deadline = getattr(report, runs.deadline)
        if deadline is not None:
            started = getattr(report, runs.started)
            found.append(Candidate(report.id, report.number, clock, deadline, started))
    return found


def next_moment(
    running: Iterable[Candidate], done: Mapping[tuple[str, datetime], Collection[str]]
) -> datetime | None:
    """When the sweep must next look at a report: the earliest reminder of its running clocks
    not yet in the ledger (`done`: recorded kinds by (clock, deadline)); None when there is
    none. With `done` empty it is the earliest moment any running clock may remind, which is
    never later than the true one, so a report just filed or acted on is never missed."""
    moments = []
    for candidate in running:
        recorded = done.get((candidate.clock, candidate.deadline), ())
        for kind, before in kinds(candidate.clock):
            if kind not in recorded:
                moments.append(candidate.deadline - before)
                break
    return min(moments, default=None)


def due(candidate: Candidate, done: Iterable[str], now: datetime) -> list[Decision]:
    """The reminders of one deadline to record now (`done`: kinds already in the ledger)."""
    recorded = set(done)
    pending = [
        (kind, candidate.deadline - before)
        for kind, before in kinds(candidate.clock)
        if kind not in recorded and candidate.deadline - before <= now
    ]
    if not pending:
        return []
    started = candidate.started_at
    timely = [kind for kind, moment in pending if started is None or moment >= started]
    latest = timely[-1] if timely else None
    return [Decision(candidate, kind, send=kind == latest) for kind, _ in pending]
