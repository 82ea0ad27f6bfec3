"""Which reminders are due (SPEC §7, §11), decided by a pure function over candidates.

Each clock is reminded 3 days and 1 day before its deadline (reward collection: 7 and 1) and
once when it passes; the ledger key (report, clock, deadline, kind) makes each happen once and
gives a moved deadline fresh reminders. A sweep sends only the latest kind that is due and marks
earlier missed ones skipped; a reminder whose moment fell before its clock started is skipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


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
HORIZON = timedelta(days=7)  # the earliest reminder of any clock


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
