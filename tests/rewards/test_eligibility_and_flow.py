"""Who earns a reward, and the reward's way to the payout: four eyes, reasons, payments."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from complaints.lifecycle import Actor, Forbidden, IllegalTransition, Invalid
from jubao.roles import Role
from rewards.eligibility import RewardFacts, eligibility
from rewards.flow import RewardAction, RewardState, RewardStatus, decide

D = Decimal
FACTS = RewardFacts(
    status="closed", finding="substantiated", fine=D(100000), concealed_deaths=None, grade=None,
    town="塘桥镇", case_filed=True, criminal_referral=False, anonymous=False,
    received_at=datetime(2026, 11, 1, tzinfo=UTC),
)  # fmt: skip


def test_a_substantiated_report_with_a_fine_is_eligible():
    found = eligibility(FACTS)
    assert found.eligible and found.reasons == () and found.suggested.amount == D("15000.00")
    assert not found.code_only
    assert eligibility(RewardFacts(**{**vars(FACTS), "anonymous": True})).code_only


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"status": "concluded"}, "举报尚未办结"),
        ({"finding": "unsubstantiated"}, "核查结论不是属实"),
        ({"fine": None}, "奖励规则不给予金额"),
        ({"excluded": "市应急管理局执法人员"}, "负有安全监管职责的人员：市应急管理局执法人员"),
        ({"earlier_duplicates": ("ZJG-2026-000001",)}, "优先权：ZJG-2026-000001"),
    ],
)
def test_each_reason_against_a_reward_is_named(change, reason):
    found = eligibility(RewardFacts(**{**vars(FACTS), **change}))
    assert not found.eligible and any(reason in r for r in found.reasons), found.reasons


def test_concealed_deaths_make_a_report_eligible_without_a_fine():
    facts = RewardFacts(**{**vars(FACTS), "fine": None, "concealed_deaths": 2, "grade": "较大"})
    assert eligibility(facts).suggested.amount == D("80000.00")


WANG = Actor("wang", Role.DISPATCHER)
LI = Actor("li", Role.LEADER)
ZHOU = Actor("zhou", Role.LEADER)
QIAN = Actor("qian", Role.FINANCE)
ZHANG = Actor("zhangwei", Role.OFFICER, "zhangwei")
REPORTER = Actor("reporter", None)
SYSTEM = Actor("system", None)
NUMBER = "ZJG-2026-000123"


def at(status: RewardStatus, **kw) -> RewardState:  # type: ignore[no-untyped-def]
    return RewardState(NUMBER, status, D("15000.00"), **kw)


def test_the_whole_way_with_four_eyes():
    proposed = decide(at(RewardStatus.ELIGIBLE), RewardAction.PROPOSE, WANG, {})
    assert (proposed.to, proposed.amount) == (RewardStatus.PROPOSED, D("15000.00"))
    state = at(RewardStatus.PROPOSED, amount=proposed.amount, proposed_by="wang")
    approved = decide(state, RewardAction.APPROVE, LI, {})
    assert approved.to == RewardStatus.NOTIFIED and approved.amount == D("15000.00")
    notified = at(RewardStatus.NOTIFIED, amount=D("15000.00"), proposed_by="wang")
    assert decide(notified, RewardAction.CLAIM, REPORTER, {}).to == RewardStatus.CLAIMED
    claimed = at(RewardStatus.CLAIMED, amount=D("15000.00"))
    paid = decide(claimed, RewardAction.PAY, QIAN,
                  {"method": "bank", "reference": "BK-1", "paid_on": "2026-12-20"})  # fmt: skip
    assert paid.to == RewardStatus.PAID and paid.amount == D("15000.00")
    assert paid.fields == {"method": "bank", "reference": "BK-1", "paid_on": date(2026, 12, 20)}


def test_the_proposer_never_approves_his_own_proposal():
    state = at(RewardStatus.PROPOSED, amount=D("15000.00"), proposed_by="li")
    with pytest.raises(Forbidden, match="提出人以外"):
        decide(state, RewardAction.APPROVE, LI, {})
    assert decide(state, RewardAction.APPROVE, ZHOU, {}).to == RewardStatus.NOTIFIED
    with pytest.raises(Forbidden):
        decide(state, RewardAction.APPROVE, WANG, {})  # a dispatcher cannot approve


def test_a_changed_amount_needs_a_reason():
    with pytest.raises(Invalid, match="说明理由"):
        decide(at(RewardStatus.ELIGIBLE), RewardAction.PROPOSE, WANG, {"amount": "20000"})
    entry = decide(at(RewardStatus.ELIGIBLE), RewardAction.PROPOSE, WANG,
                   {"amount": 20000, "note": "举报线索特别重要"})  # fmt: skip
    assert entry.amount == D("20000.00") and entry.note == "举报线索特别重要"
    for bad in ("-1", "0", "abc", "1.234", True):
        with pytest.raises(Invalid):
            decide(at(RewardStatus.ELIGIBLE), RewardAction.PROPOSE, WANG,
                   {"amount": bad, "note": "x"})  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "complaint"),
    [
        ({"reference": "BK-1", "paid_on": "2026-12-20"}, "method"),
        ({"method": "alipay", "reference": "BK-1", "paid_on": "2026-12-20"}, "method"),
        ({"method": "bank", "paid_on": "2026-12-20"}, "reference"),
        ({"method": "bank", "reference": " ", "paid_on": "2026-12-20"}, "reference"),
        ({"method": "bank", "reference": "BK-1"}, "paid_on"),
        ({"method": "bank", "reference": "BK-1", "paid_on": "2026-13-01"}, "paid_on"),
    ],
)
def test_a_payment_needs_method_reference_and_date(fields, complaint):
    with pytest.raises(Invalid, match=complaint):
        decide(at(RewardStatus.CLAIMED), RewardAction.PAY, QIAN, fields)


@pytest.mark.parametrize(
    ("status", "action", "actor", "error"),
    [
        (RewardStatus.CLAIMED, RewardAction.PAY, LI, Forbidden),  # finance pays
        (RewardStatus.NOTIFIED, RewardAction.PAY, QIAN, IllegalTransition),  # not claimed yet
        (RewardStatus.PAID, RewardAction.PAY, QIAN, IllegalTransition),  # never twice
        (RewardStatus.ELIGIBLE, RewardAction.PROPOSE, ZHANG, Forbidden),
        (RewardStatus.ELIGIBLE, RewardAction.PROPOSE, QIAN, Forbidden),
        (RewardStatus.INELIGIBLE, RewardAction.PROPOSE, WANG, IllegalTransition),
        (RewardStatus.ELIGIBLE, RewardAction.APPROVE, LI, IllegalTransition),
        (RewardStatus.NOTIFIED, RewardAction.CLAIM, WANG, Forbidden),  # staff never claim
        (RewardStatus.CLAIMED, RewardAction.WAIVE, SYSTEM, IllegalTransition),
        (RewardStatus.NOTIFIED, RewardAction.REFUSE, LI, IllegalTransition),
        (RewardStatus.ELIGIBLE, RewardAction.EXCLUDE, LI, Forbidden),
    ],
)
def test_wrong_roles_and_illegal_moves_are_refused(status, action, actor, error):
    with pytest.raises(error):
        decide(at(status), action, actor, {"note": "x"})


def test_refusing_and_excluding_need_a_reason():
    for action in (RewardAction.REFUSE, RewardAction.EXCLUDE):
        with pytest.raises(Invalid, match="理由"):
            decide(at(RewardStatus.ELIGIBLE), action, WANG, {})
    entry = decide(at(RewardStatus.ELIGIBLE), RewardAction.EXCLUDE, WANG, {"note": "本局执法人员"})
    assert entry.to == RewardStatus.INELIGIBLE


def test_the_window_passing_waives_a_notified_reward():
    entry = decide(at(RewardStatus.NOTIFIED, amount=D(1)), RewardAction.WAIVE, SYSTEM, {})
    assert entry.to == RewardStatus.WAIVED


def test_a_payment_cannot_be_dated_after_today():
    fields = {"method": "cash", "reference": "收据 001", "paid_on": "2026-12-08"}
    with pytest.raises(Invalid, match="不能晚于今天"):
        decide(at(RewardStatus.CLAIMED), RewardAction.PAY, QIAN, fields, today=date(2026, 12, 7))
    entry = decide(
        at(RewardStatus.CLAIMED), RewardAction.PAY, QIAN, fields, today=date(2026, 12, 8)
    )
    assert entry.fields["paid_on"] == date(2026, 12, 8)
