"""The lifecycle table: who may do what from where, and what each action needs."""

from __future__ import annotations

from decimal import Decimal

import pytest

from complaints.lifecycle import (
    TRANSITIONS,
    Action,
    Actor,
    Forbidden,
    IllegalTransition,
    Invalid,
    ReportState,
    Status,
    decide,
)
from jubao.roles import Role

DISPATCHER = Actor("wang", Role.DISPATCHER)
LEADER = Actor("li", Role.LEADER)
ZHANGWEI = Actor("zhangwei", Role.OFFICER, "zhangwei")
OTHER_OFFICER = Actor("lisi", Role.OFFICER, "lisi")
FINANCE = Actor("qian", Role.FINANCE)


def state(status: Status, assignee: str | None = "zhangwei", extended: bool = False):
    return ReportState("ZJG-2026-000001", status, assignee, extended)


def test_a_report_walks_from_received_to_closed():
    path = [
        (Status.RECEIVED, Action.ACCEPT, DISPATCHER, {}, Status.ACCEPTED),
        (Status.ACCEPTED, Action.ASSIGN, DISPATCHER, {"assignee": "zhangwei"}, Status.ASSIGNED),
        (Status.ASSIGNED, Action.TAKE, ZHANGWEI, {}, Status.INVESTIGATING),
        (
            Status.INVESTIGATING,
            Action.PROGRESS,
            ZHANGWEI,
            {"note": "已现场检查"},
            Status.INVESTIGATING,
        ),
        (
            Status.INVESTIGATING,
            Action.CONCLUDE,
            ZHANGWEI,
            {"finding": "substantiated", "summary": "属实", "case_filed": True, "fine": "20000"},
            Status.CONCLUDED,
        ),
        (Status.CONCLUDED, Action.CLOSE, LEADER, {}, Status.CLOSED),
        (Status.CLOSED, Action.REOPEN, DISPATCHER, {}, Status.INVESTIGATING),
    ]
    for frm, action, actor, fields, to in path:
        change = decide(state(frm), action, actor, fields)
        assert (change.frm, change.to) == (frm, to)


@pytest.mark.parametrize("action", list(Action))
def test_finance_may_do_nothing(action):
    for status in Status:
        with pytest.raises((Forbidden, IllegalTransition)):
            decide(state(status), action, FINANCE, {})


def test_an_officer_acts_only_on_reports_assigned_to_him():
    with pytest.raises(Forbidden, match="没有分派给您"):
        decide(state(Status.ASSIGNED), Action.TAKE, OTHER_OFFICER, {})
    with pytest.raises(Forbidden):
        decide(state(Status.RECEIVED), Action.ACCEPT, ZHANGWEI, {})


def test_illegal_moves_are_refused_with_the_number():
    with pytest.raises(IllegalTransition, match="ZJG-2026-000001"):
        decide(state(Status.CLOSED), Action.ACCEPT, DISPATCHER, {})
    with pytest.raises(IllegalTransition):
        decide(state(Status.RECEIVED), Action.CLOSE, LEADER, {})


@pytest.mark.parametrize(
    ("action", "fields", "complaint"),
    [
        (Action.REJECT, {}, "reason"),
        (Action.REJECT, {"reason": "bored"}, "reason"),
        (Action.REJECT, {"reason": "other"}, "note"),
        (Action.TRANSFER, {"to": " "}, "to"),
        (Action.MERGE, {}, "duplicate_of"),
    ],
)
def test_missing_or_bad_fields_are_invalid(action, fields, complaint):
    with pytest.raises(Invalid, match=complaint):
        decide(state(Status.RECEIVED), action, DISPATCHER, fields)


def test_reject_keeps_reason_and_note():
    change = decide(
        state(Status.RECEIVED),
        Action.REJECT,
        DISPATCHER,
        {"reason": "outside_remit", "note": "属于交通部门"},
    )
    assert change.fields == {"reason": "outside_remit"} and change.note == "属于交通部门"


@pytest.mark.parametrize(
    ("fields", "ok"),
    [
        ({"days": 30, "note": "需检测"}, True),
        ({"days": 31, "note": "x"}, False),
        ({"days": 0, "note": "x"}, False),
        ({"days": "ten", "note": "x"}, False),
        ({"days": 10}, False),
    ],
)
def test_extension_is_at_most_30_days_with_a_reason(fields, ok):
    if ok:
        assert decide(state(Status.INVESTIGATING), Action.EXTEND, LEADER, fields).fields == {
            "days": 30
        }
    else:
        with pytest.raises(Invalid):
            decide(state(Status.INVESTIGATING), Action.EXTEND, LEADER, fields)


def test_extension_only_once():
    with pytest.raises(IllegalTransition, match="已延期"):
        decide(
            state(Status.INVESTIGATING, extended=True),
            Action.EXTEND,
            LEADER,
            {"days": 5, "note": "x"},
        )


@pytest.mark.parametrize(
    ("fine", "expected"),
    [
        ("15000", Decimal("15000.00")),
        (15000, Decimal("15000.00")),
        ("0.5", Decimal("0.50")),
        (1234.5, Decimal("1234.50")),
    ],
)
def test_fines_are_exact_yuan(fine, expected):
    change = decide(state(Status.CONCLUDED), Action.RECORD, DISPATCHER, {"fine": fine})
    assert change.fields["fine"] == expected


@pytest.mark.parametrize("fine", ["-1", "1.234", "abc", True, "NaN", [1]])
def test_bad_fines_are_refused(fine):
    with pytest.raises(Invalid, match="fine"):
        decide(state(Status.CONCLUDED), Action.RECORD, DISPATCHER, {"fine": fine})


def test_conclude_validates_finding_and_grade():
    with pytest.raises(Invalid, match="finding"):
        decide(
            state(Status.INVESTIGATING),
            Action.CONCLUDE,
            ZHANGWEI,
            {"finding": "maybe", "summary": "x"},
        )
    with pytest.raises(Invalid, match="grade"):
        decide(
            state(Status.INVESTIGATING),
            Action.CONCLUDE,
            ZHANGWEI,
            {"finding": "substantiated", "summary": "x", "grade": "huge"},
        )


def test_system_may_reopen_on_an_objection():
    from complaints.lifecycle import SYSTEM

    assert decide(state(Status.CLOSED), Action.REOPEN, SYSTEM, {}).to == Status.INVESTIGATING


def test_every_action_is_in_the_table():
    assert set(TRANSITIONS) == set(Action)
