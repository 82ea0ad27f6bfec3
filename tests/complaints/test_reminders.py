"""The pure reminder decision: each reminder once, the latest due sent, stale ones skipped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from complaints.reminders import Candidate, due, next_moment, running_clocks

DEADLINE = datetime(2026, 12, 12, 16, 0, tzinfo=UTC)
STARTED = DEADLINE - timedelta(days=15)


def candidate(clock: str = "accept", started: datetime | None = STARTED) -> Candidate:
    return Candidate(1, "ZJG-2026-000001", clock, DEADLINE, started)


def sent(decisions) -> list[str]:  # type: ignore[no-untyped-def]
    return [d.kind for d in decisions if d.send]


def test_nothing_before_three_days():
    assert due(candidate(), [], DEADLINE - timedelta(days=3, seconds=1)) == []


def test_three_days_one_day_and_overdue_each_once():
    assert sent(due(candidate(), [], DEADLINE - timedelta(days=3))) == ["before_3d"]
    assert due(candidate(), ["before_3d"], DEADLINE - timedelta(days=2)) == []
    assert sent(due(candidate(), ["before_3d"], DEADLINE - timedelta(hours=23))) == ["before_1d"]
    assert sent(due(candidate(), ["before_3d", "before_1d"], DEADLINE)) == ["overdue"]
    assert (
        due(candidate(), ["before_3d", "before_1d", "overdue"], DEADLINE + timedelta(days=9)) == []
    )


def test_a_late_sweep_sends_only_the_latest_and_skips_the_rest():
    decisions = due(candidate(), [], DEADLINE + timedelta(hours=1))
    assert [(d.kind, d.send) for d in decisions] == [
        ("before_3d", False),
        ("before_1d", False),
        ("overdue", True),
    ]


def test_reminders_before_the_clock_started_are_skipped():
    # A 1-working-day acknowledgement clock started 30 hours before its deadline.
    short = candidate("ack", started=DEADLINE - timedelta(hours=30))
    decisions = due(short, [], DEADLINE - timedelta(hours=23))
    assert [(d.kind, d.send) for d in decisions] == [("before_3d", False), ("before_1d", True)]


def test_reward_collection_is_reminded_seven_days_ahead():
    decisions = due(candidate("reward_collection"), [], DEADLINE - timedelta(days=7))
    assert sent(decisions) == ["before_7d"]
    assert decisions[0].audiences() == ("reporter",)


def test_escalation_adds_audiences_when_the_deadline_passes():
    (decision,) = due(candidate("handle"), ["before_3d", "before_1d"], DEADLINE)
    assert decision.audiences() == ("officer", "dispatchers", "leaders", "group")


def report_row(status: str, reopened: bool = False, **deadlines: datetime) -> SimpleNamespace:
    columns = {f"{clock}_by": None for clock in ("accept", "ack", "handle", "result", "review")} | {
        started: STARTED
        for started in ("received_at", "assigned_at", "accepted_at", "concluded_at")
    }
    return SimpleNamespace(
        id=7,
        number="ZJG-2026-000007",
        status=status,
        **(columns | {"reopened_at": STARTED if reopened else None} | deadlines),
    )


def test_the_clocks_running_follow_the_status_and_a_reopening():
    both = {"handle_by": DEADLINE, "review_by": DEADLINE + timedelta(days=5)}
    assert [c.clock for c in running_clocks(report_row("investigating", **both))] == ["handle"]
    reopened = report_row("investigating", reopened=True, **both)
    assert [c.clock for c in running_clocks(reopened)] == ["review"]
    assigned = report_row("assigned", ack_by=DEADLINE, handle_by=DEADLINE + timedelta(days=50))
    assert [c.clock for c in running_clocks(assigned)] == ["ack", "handle"]
    assert running_clocks(report_row("closed", handle_by=DEADLINE)) == []


def test_the_next_moment_is_the_earliest_reminder_not_yet_recorded():
    assigned = report_row("assigned", ack_by=DEADLINE, handle_by=DEADLINE + timedelta(days=50))
    running = running_clocks(assigned)
    assert next_moment(running, {}) == DEADLINE - timedelta(days=3)
    ack_done = {("ack", DEADLINE): {"before_3d", "before_1d"}}
    assert next_moment(running, ack_done) == DEADLINE
    ack_done[("ack", DEADLINE)].add("overdue")
    assert next_moment(running, ack_done) == DEADLINE + timedelta(days=47)
    # a moved deadline is a new key: its reminders are pending again
    moved = running_clocks(report_row("assigned", ack_by=DEADLINE + timedelta(days=2)))
    assert next_moment(moved, ack_done) == DEADLINE - timedelta(days=1)
    assert next_moment(running_clocks(report_row("rejected")), {}) is None
