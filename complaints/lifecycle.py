"""The report lifecycle (SPEC §7) as a table and one pure function.

`decide(state, action, actor, fields)` checks who may do what from where, validates the action's
fields and returns the Change to apply; it does no I/O and raises Forbidden, IllegalTransition
or Invalid with a message a person can read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from complaints.deadlines import DEFAULT_RULES
from jubao.inputs import BadInput, integer
from jubao.roles import Role


class Status(StrEnum):
    RECEIVED = "received"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    TRANSFERRED = "transferred"
    MERGED = "merged"
    ASSIGNED = "assigned"
    INVESTIGATING = "investigating"
    CONCLUDED = "concluded"
    CLOSED = "closed"


OPEN = frozenset(
    {Status.RECEIVED, Status.ACCEPTED, Status.ASSIGNED, Status.INVESTIGATING, Status.CONCLUDED}
)


class Action(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"
    TRANSFER = "transfer"
    MERGE = "merge"
    ASSIGN = "assign"
    TAKE = "take"
    RETURN = "return"
    PROGRESS = "progress"
    CONCLUDE = "conclude"
    RECORD = "record"
    CLOSE = "close"
    EXTEND = "extend"
    REOPEN = "reopen"


@dataclass(frozen=True)
class Transition:
    frm: frozenset[Status]
    to: Status | None  # None: the status stays
    roles: frozenset[Role]
    needs: frozenset[str] = frozenset()
    assignee_acts: bool = False  # the assigned officer may do it (and no other officer)


def _t(
    frm: set[Status],
    to: Status | None,
    roles: set[Role],
    needs: set[str] = frozenset(),  # type: ignore[assignment]
    assignee: bool = False,
) -> Transition:
    return Transition(frozenset(frm), to, frozenset(roles), frozenset(needs), assignee)


D, L = Role.DISPATCHER, Role.LEADER
S = Status
TRANSITIONS: dict[Action, Transition] = {
    Action.ACCEPT: _t({S.RECEIVED}, S.ACCEPTED, {D}),
    Action.REJECT: _t({S.RECEIVED}, S.REJECTED, {D}, {"reason"}),
    Action.TRANSFER: _t({S.RECEIVED, S.ACCEPTED}, S.TRANSFERRED, {D}, {"to"}),
    Action.MERGE: _t({S.RECEIVED, S.ACCEPTED}, S.MERGED, {D}, {"duplicate_of"}),
    Action.ASSIGN: _t({S.ACCEPTED, S.ASSIGNED}, S.ASSIGNED, {D}, {"assignee"}),
    Action.TAKE: _t({S.ASSIGNED}, S.INVESTIGATING, set(), assignee=True),
    Action.RETURN: _t({S.ASSIGNED, S.INVESTIGATING}, S.ACCEPTED, set(), {"note"}, assignee=True),
    Action.PROGRESS: _t({S.INVESTIGATING}, None, set(), {"note"}, assignee=True),
    Action.CONCLUDE: _t(
        {S.INVESTIGATING}, S.CONCLUDED, set(), {"finding", "summary"}, assignee=True
    ),
    Action.RECORD: _t({S.CONCLUDED}, None, {D}, assignee=True),
    Action.CLOSE: _t({S.CONCLUDED}, S.CLOSED, {L}),
    Action.EXTEND: _t(set(OPEN), None, {L}, {"days", "note"}),
    Action.REOPEN: _t({S.CLOSED}, S.INVESTIGATING, {D}),
}

REJECT_REASONS: dict[str, str] = {
    "duplicate": "同一事项已受理",
    "no_facts": "无明确举报对象或事实",
    "not_complaint": "属于建议、信息公开、复议或诉讼事项",
    "outside_remit": "不属于本局职责范围",
    "other": "其他",
}
FINDINGS = {"substantiated": "属实", "unsubstantiated": "不属实"}
GRADES = ("一般", "较大", "重大", "特别重大")
CASE_FIELDS = ("case_filed", "case_number", "fine", "criminal_referral", "deaths", "grade")
MAX_EXTENSION_DAYS = DEFAULT_RULES["extension_max"].count  # unless the registry says


class LifecycleError(Exception):
    code = "invalid"


class Forbidden(LifecycleError):
    code = "forbidden"


class IllegalTransition(LifecycleError):
    code = "illegal_transition"


class Invalid(LifecycleError):
    code = "invalid"


@dataclass(frozen=True)
class ReportState:
    number: str
    status: Status
    assignee: str | None = None  # wework_id of the assigned officer
    extended: bool = False


@dataclass(frozen=True)
class Actor:
    name: str  # username, wework_id, "reporter" or "system"
    role: Role | None  # None for the system
    wework_id: str | None = None


SYSTEM = Actor("system", None)


@dataclass(frozen=True)
class Change:
    action: Action
    frm: Status
    to: Status
    note: str = ""
    fields: Mapping[str, object] = field(default_factory=dict)


def decide(
    state: ReportState,
    action: Action,
    actor: Actor,
    fields: Mapping[str, object],
    *,
    extension_max: int = MAX_EXTENSION_DAYS,
) -> Change:
    transition = TRANSITIONS[action]
    _authorise(state, action, transition, actor)
    if state.status not in transition.frm:
        raise IllegalTransition(f"{state.number} 当前状态不能执行「{action.value}」操作")
    if action == Action.EXTEND and state.extended:
        raise IllegalTransition(f"{state.number} 已延期一次，不能再次延期")
    clean = _validate(action, transition, fields, extension_max)
    return Change(
        action, state.status, transition.to or state.status, str(clean.pop("note", "")), clean
    )


def allowed_actions(state: ReportState, actor: Actor) -> list[Action]:
    """The actions `actor` may take on the report as it stands (the console's buttons)."""
    found = []
    for action, transition in TRANSITIONS.items():
        if state.status not in transition.frm or (action == Action.EXTEND and state.extended):
            continue
        try:
            _authorise(state, action, transition, actor)
        except Forbidden:
            continue
        found.append(action)
    return found


def _authorise(state: ReportState, action: Action, transition: Transition, actor: Actor) -> None:
    if actor.role is None:  # the system acts on behalf of the rules (objections, routing)
        return
    if actor.role in transition.roles:
        return
    if transition.assignee_acts and actor.role == Role.OFFICER:
        if actor.wework_id and actor.wework_id == state.assignee:
            return
        raise Forbidden(f"{state.number} 没有分派给您")
    raise Forbidden(f"您的角色不能执行「{action.value}」操作")


def _validate(
    action: Action, transition: Transition, fields: Mapping[str, object], extension_max: int
) -> dict[str, object]:
    missing = sorted(name for name in transition.needs if _blank(fields.get(name)))
    if missing:
        raise Invalid(f"缺少字段：{', '.join(missing)}")
    clean: dict[str, object] = {}
    note = fields.get("note")
    if note is not None:
        clean["note"] = _text(note, "note", 2000)
    if action == Action.REJECT:
        reason = str(fields["reason"])
        if reason not in REJECT_REASONS:
            raise Invalid(f"reason 应为 {', '.join(REJECT_REASONS)} 之一")
        if reason == "other" and _blank(note):
            raise Invalid("reason 为 other 时须在 note 中说明理由")
        clean["reason"] = reason
    if action == Action.TRANSFER:
        clean["to"] = _text(fields["to"], "to", 200)
    if action == Action.MERGE:
        clean["duplicate_of"] = _text(fields["duplicate_of"], "duplicate_of", 32)
    if action == Action.ASSIGN:
        clean["assignee"] = _text(fields["assignee"], "assignee", 64)
    if action == Action.EXTEND:
        days = _integer(fields["days"], "days")
        if not 1 <= days <= extension_max:
            raise Invalid(f"days 应在 1 到 {extension_max} 之间")
        clean["days"] = days
    if action == Action.CONCLUDE:
        finding = str(fields["finding"])
        if finding not in FINDINGS:
            raise Invalid("finding 应为 substantiated 或 unsubstantiated")
        clean["finding"] = finding
        clean["summary"] = _text(fields["summary"], "summary", 2000)
    if action in (Action.CONCLUDE, Action.RECORD):
        clean.update(case_fields(fields))
        if action == Action.RECORD and not any(name in clean for name in CASE_FIELDS):
            raise Invalid(f"至少需要一个字段：{', '.join(CASE_FIELDS)}")
    return clean


def case_fields(fields: Mapping[str, object]) -> dict[str, object]:
    """Case filed, case number, fine (yuan, Decimal), criminal referral, deaths, grade."""
    clean: dict[str, object] = {}
    for name in ("case_filed", "criminal_referral"):
        if name in fields and fields[name] is not None:
            if not isinstance(fields[name], bool):
                raise Invalid(f"{name} 应为 true 或 false")
            clean[name] = fields[name]
    if not _blank(fields.get("case_number")):
        clean["case_number"] = _text(fields["case_number"], "case_number", 64)
    if fields.get("fine") is not None:
        clean["fine"] = money(fields["fine"], "fine")
    if fields.get("deaths") is not None:
        clean["deaths"] = _integer(fields["deaths"], "deaths", high=MAX_DEATHS)
    if not _blank(fields.get("grade")):
        if fields["grade"] not in GRADES:
            raise Invalid(f"grade 应为 {'|'.join(GRADES)} 之一")
        clean["grade"] = fields["grade"]
    return clean


MAX_YUAN = Decimal("9999999999.99")  # what a NUMERIC(12, 2) column holds
MAX_DEATHS = 100_000  # beyond any accident; the column is a 32-bit INTEGER


def money(value: object, name: str) -> Decimal:
    """Yuan with two decimals from a string or a number, finite, 0 to MAX_YUAN; never a float
    internally."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise Invalid(f"{name} 应为金额（元）")
    if isinstance(value, str) and len(value) > 40:
        raise Invalid(f"{name} 应为金额（元）")
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):  # ValueError: an int of over 4,300 digits
        raise Invalid(f"{name} 应为金额（元）") from None
    if not amount.is_finite() or not 0 <= amount <= MAX_YUAN:
        raise Invalid(f"{name} 应为 0 到 {MAX_YUAN} 元之间的金额")
    if amount != amount.quantize(Decimal("0.01")):
        raise Invalid(f"{name} 最多两位小数")
    return amount.quantize(Decimal("0.01"))


def _integer(value: object, name: str, *, high: int = 2**31 - 1) -> int:
    """A whole number from 0 to `high` (a 32-bit INTEGER column's largest by default)."""
    try:
        return integer(value, name, low=0, high=high)
    except BadInput as error:
        raise Invalid(str(error)) from None


def _text(value: object, name: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Invalid(f"{name} 应为非空文字")
    if len(value) > limit:
        raise Invalid(f"{name} 不能超过 {limit} 字")
    return value.strip()


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
