"""A reward's way from `eligible` to `paid` as a pure state machine (SPEC §8, §11 "Rewards").

    eligible ──propose──▶ proposed ──approve──▶ notified ──claim──▶ claimed ──pay──▶ paid
       │ ▲                   │  (a leader who is not       │ (60 days, then waived)
       │ └──────propose──────┤   the proposer)             └──waive──▶ waived
       └──refuse / exclude───┴──▶ refused / ineligible

`decide(state, action, actor, fields)` checks who may do what from where and returns the ledger
entry to append: every change of money or status is a new entry, never an edit. Approval
notifies at once: its entry moves the reward to `notified` and the caller queues the notice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from complaints.lifecycle import Actor, Forbidden, IllegalTransition, Invalid, money
from jubao.roles import Role


class RewardStatus(StrEnum):
    INELIGIBLE = "ineligible"
    ELIGIBLE = "eligible"
    PROPOSED = "proposed"
    NOTIFIED = "notified"
    CLAIMED = "claimed"
    PAID = "paid"
    REFUSED = "refused"
    WAIVED = "waived"


class RewardAction(StrEnum):
    PROPOSE = "propose"
    APPROVE = "approve"
    REFUSE = "refuse"
    EXCLUDE = "exclude"  # the reporter has supervision duties: never eligible
    CLAIM = "claim"
    PAY = "pay"
    WAIVE = "waive"


S, A = RewardStatus, RewardAction
DECIDERS = frozenset({Role.DISPATCHER, Role.LEADER})
MOVES: dict[RewardAction, tuple[frozenset[RewardStatus], RewardStatus, frozenset[Role] | None]] = {
    # action: (from, to, roles; None: the reporter or the system, never staff)
    A.PROPOSE: (frozenset({S.ELIGIBLE, S.PROPOSED}), S.PROPOSED, DECIDERS),
    A.APPROVE: (frozenset({S.PROPOSED}), S.NOTIFIED, frozenset({Role.LEADER})),
    A.REFUSE: (frozenset({S.ELIGIBLE, S.PROPOSED}), S.REFUSED, DECIDERS),
    A.EXCLUDE: (frozenset({S.ELIGIBLE, S.PROPOSED}), S.INELIGIBLE, frozenset({Role.DISPATCHER})),
    A.CLAIM: (frozenset({S.NOTIFIED}), S.CLAIMED, None),
    A.PAY: (frozenset({S.CLAIMED}), S.PAID, frozenset({Role.FINANCE})),
    A.WAIVE: (frozenset({S.NOTIFIED}), S.WAIVED, None),
}
METHODS = {"bank": "银行转账", "wechat": "微信支付", "cash": "现金"}
ACTION_LABELS = {
    A.PROPOSE: "提出奖励建议",
    A.APPROVE: "批准奖励",
    A.REFUSE: "不予奖励",
    A.EXCLUDE: "排除举报人",
    A.CLAIM: "领奖",
    A.PAY: "发放奖金",
    A.WAIVE: "逾期未领",
}


@dataclass(frozen=True)
class RewardState:
    number: str
    status: RewardStatus
    suggested: Decimal | None  # what the rules give
    amount: Decimal | None = None  # the amount proposed (and, once approved, to be paid)
    proposed_by: str | None = None


@dataclass(frozen=True)
class Entry:
    """The ledger entry a decision appends."""

    action: RewardAction
    frm: RewardStatus
    to: RewardStatus
    amount: Decimal | None = None
    note: str = ""
    fields: Mapping[str, object] = field(default_factory=dict)  # pay: method, reference, paid_on


def authorise(action: RewardAction, actor: Actor) -> None:
    """Raises Forbidden when `actor` may never take `action`, whatever the reward's state."""
    roles = MOVES[action][2]
    if roles is None:
        if actor.role is not None:
            raise Forbidden(f"「{ACTION_LABELS[action]}」由举报人或系统完成")
    elif actor.role not in roles:
        raise Forbidden(f"您的角色不能执行「{ACTION_LABELS[action]}」操作")


def decide(
    state: RewardState,
    action: RewardAction,
    actor: Actor,
    fields: Mapping[str, object],
    *,
    today: date | None = None,
) -> Entry:
    """The entry `action` appends; `today` (local) bounds a payment's date."""
    sources, to, _ = MOVES[action]
    authorise(action, actor)
    if state.status not in sources:
        raise IllegalTransition(f"{state.number} 的奖励当前状态不能执行「{ACTION_LABELS[action]}」")
    note = _text(fields.get("note"), "note", required=False)
    if action == A.PROPOSE:
        return _propose(state, note, fields)
    if action == A.APPROVE:
        if actor.name == state.proposed_by:
            raise Forbidden("奖励建议须由提出人以外的领导批准")
        return Entry(action, state.status, to, state.amount, note)
    if action in (A.REFUSE, A.EXCLUDE):
        return Entry(action, state.status, to, None, _text(fields.get("note"), "note"))
    if action == A.PAY:
        return Entry(action, state.status, to, state.amount, note, _payment(fields, today))
    return Entry(action, state.status, to, state.amount, note)


def _propose(state: RewardState, note: str, fields: Mapping[str, object]) -> Entry:
    if "amount" in fields and fields["amount"] is not None:
        amount = money(fields["amount"], "amount")
    elif state.suggested is not None:
        amount = state.suggested
    else:
        raise Invalid("amount 应为金额（元）")
    if amount <= 0:
        raise Invalid("amount 应大于 0")
    if amount != state.suggested and not note:
        raise Invalid("调整奖励金额须在 note 中说明理由")
    return Entry(A.PROPOSE, state.status, S.PROPOSED, amount, note)


def _payment(fields: Mapping[str, object], today: date | None) -> dict[str, object]:
    method = fields.get("method")
    if method not in METHODS:
        raise Invalid(f"method 应为 {'|'.join(METHODS)} 之一")
    reference = fields.get("reference")
    if not isinstance(reference, str) or not reference.strip() or len(reference) > 128:
        raise Invalid("reference 应为付款凭证号（1–128字）")
    reference = reference.strip()
    raw = fields.get("paid_on")
    try:
        paid_on = date.fromisoformat(str(raw)) if raw is not None else None
    except ValueError:
        paid_on = None
    if paid_on is None:
        raise Invalid("paid_on 应为日期（YYYY-MM-DD）")
    if today is not None and paid_on > today:
        raise Invalid("paid_on 不能晚于今天")
    return {"method": method, "reference": reference, "paid_on": paid_on}


def _text(value: object, name: str, *, required: bool = True, limit: int = 500) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise Invalid(f"{name} 应为非空文字（说明理由）")
        return ""
    if not isinstance(value, str):
        raise Invalid(f"{name} 应为文字")
    if len(value) > limit:
        raise Invalid(f"{name} 不能超过 {limit} 字")
    return value.strip()
