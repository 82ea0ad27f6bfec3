"""The console's reward pages (SPEC §8, §11 "Rewards"): the rewards by status, and a report's
reward with its suggested amount and rule, its ledger and the forms the user's role allows,
posted to /console/rewards/{number}/actions with the API's field names. The four-eyes rule is
shown, not only enforced: the proposer sees who must approve instead of an approve button. The
payee's details are for finance, on a request that gives a reason, audited, never cached."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.actions import staff_actor
from complaints.api import STATUS_OF
from complaints.deadlines import last_day
from complaints.lifecycle import Forbidden, LifecycleError
from complaints.models import Report
from complaints.registry_models import Town
from complaints.vocabulary import CATEGORY_LABELS
from console.pages import check_csrf, current, page
from console.report_pages import fields_of
from jubao.auth import Staff
from jubao.background import BACKGROUND
from jubao.config import Settings
from jubao.inputs import BadInput, page_number
from jubao.keys import CLOCK, SESSIONS, SETTINGS, VAULT
from jubao.roles import READ_REPORTS, READ_REWARDS, Role
from rewards.api import reward_json
from rewards.clocks import open_closed
from rewards.flow import ACTION_LABELS, METHODS, MOVES, RewardAction
from rewards.ledger import NoReward, Payee, act, closed_report, open_reward
from rewards.models import Reward
from rewards.payee import reveal_payee
from rewards.queries import PAGE_SIZE, reward_rows, status_counts

STATUS_LABELS = {
    "eligible": "可申报",
    "proposed": "已申报待审批",
    "notified": "已批准待领取",
    "claimed": "已领取待支付",
    "paid": "已支付",
    "waived": "已放弃",
    "refused": "不予奖励",
    "ineligible": "不符合条件",
}
HEADINGS = {
    "approve": "审批",
    "pay": "登记发放",
    "propose": "申报奖励",
    "refuse": "不予奖励",
    "exclude": "排除举报人（负有监管职责）",
}
FOUR_EYES = "您是申报人，须由另一位领导审批"
# The forms in the order a user looks for them: the step the reward waits for first.
STAFF_ACTIONS = (
    RewardAction.APPROVE, RewardAction.PAY, RewardAction.PROPOSE, RewardAction.REFUSE,
    RewardAction.EXCLUDE,
)  # fmt: skip
WHERE = {"national": "国家标准", "city": "本市规则"}
OUTCOME_WORDS = {
    "substantiated": "查证属实",
    "case_filed": "立案查处",
    "criminal_referral": "移送司法",
}
RULE_FORMS = (
    (re.compile(r"violation ([\d.]+)%"), "罚款额的 {0}%"),
    (re.compile(r"concealed (\S*) ([\d.]*)/death"), "瞒报{0}事故，每死亡一人 {1} 元"),
    (re.compile(r"fixed ([\d.]+) for (\S+)"), "{1}，定额 {0} 元"),
)


@dataclass(frozen=True)
class Forms:
    actions: tuple[str, ...]  # the forms shown, in the flow's order
    own_proposal: bool  # a leader looking at his own proposal: no approve button, the sentence


def forms_for(status: str, staff: Staff, proposed_by: str | None) -> Forms:
    """Pure: the actions `staff` may take on a reward in `status` that `proposed_by` proposed."""
    shown, own = [], False
    for action in STAFF_ACTIONS:
        sources, _, roles = MOVES[action]
        if status not in sources or roles is None or staff.role not in roles:
            continue
        if action == RewardAction.APPROVE and staff.username == proposed_by:
            own = True
            continue
        shown.append(action.value)
    return Forms(tuple(shown), own)


def rule_words(rule: str | None) -> str:
    """Pure: a rule as RewardRule.describe() names it, in the words staff read."""
    if not rule:
        return ""
    what, _, where = rule.partition(" (")
    where = where.removesuffix(")")
    for pattern, words in RULE_FORMS:
        if found := pattern.fullmatch(what):
            parts = list(found.groups())
            if words.startswith("{1}，定额"):
                parts[1] = "、".join(OUTCOME_WORDS.get(o, o) for o in parts[1].split("+"))
            return f"{words.format(*parts)}（{WHERE.get(where, where)}）"
    return rule


def _reader(staff: Staff) -> None:
    if staff.role not in READ_REWARDS:
        raise web.HTTPForbidden(text="您的角色不能查看奖励。")


def _day(moment: datetime | None, tz) -> str:  # type: ignore[no-untyped-def]
    return moment.astimezone(tz).strftime("%Y-%m-%d") if moment else ""


def _local(rfc3339: object, tz) -> str:  # type: ignore[no-untyped-def]
    """An answer's RFC 3339 time (reward_json), as staff read it: local, to the minute."""
    if not isinstance(rfc3339, str):
        return ""
    return datetime.fromisoformat(rfc3339).astimezone(tz).strftime("%Y-%m-%d %H:%M")


async def list_view(request: web.Request) -> web.Response:
    staff, csrf = await current(request)
    _reader(staff)
    status = request.query.get("status") or None
    if status is not None and status not in STATUS_LABELS:
        raise web.HTTPUnprocessableEntity(text=f"没有这种奖励状态：{status}")
    try:
        number = str(page_number(request.query.get("page")))
    except BadInput as error:
        raise web.HTTPUnprocessableEntity(text=str(error)) from None
    settings, now = request.app[SETTINGS], request.app[CLOCK].now()
    async with request.app[SESSIONS].begin() as session:  # as the clocks do: open new ones
        await open_closed(session, settings=settings, now=now)
        counts = await status_counts(session)
        rows, total = await reward_rows(session, status, int(number))
    tz = settings.tz
    items = [
        {
            "number": row.number,
            "category": CATEGORY_LABELS[row.category],
            "status": row.status,
            "status_label": STATUS_LABELS[row.status],
            "amount": row.amount,
            "suggested": row.suggested,
            "proposed_by": row.proposed_by or "",
            "approved_by": row.approved_by or "",
            "closed": _day(row.closed_at, tz),
            "proposed": _day(row.proposed_at, tz),
            "approved": _day(row.notified_at, tz),
            "collect_by": _last_day(row.collect_by, tz),
            "claimed": _day(row.claimed_at, tz),
            "paid": _day(row.paid_at, tz),
        }
        for row in rows
    ]
    return page(
        request, "rewards.html", staff, csrf, items=items, total=total, status=status,
        counts=counts, labels=STATUS_LABELS, page_number=int(number),
        pages=max(1, -(-total // PAGE_SIZE)),
    )  # fmt: skip


async def reward_view(request: web.Request) -> web.Response:
    staff, csrf = await current(request)
    _reader(staff)
    return await render_reward(request, staff, csrf)


@dataclass(frozen=True)
class Found:
    report: Report
    reward: Reward
    answer: dict[str, object]
    town: str


async def found_reward(
    session: AsyncSession, number: str, settings: Settings, now: datetime
) -> Found:
    """The closed report's reward, opened on its first read, and what its page shows."""
    try:
        report = await closed_report(session, number)
    except NoReward:
        raise web.HTTPNotFound(text=f"没有这件已办结的举报：{number}") from None
    reward = await open_reward(session, report, settings=settings, now=now)
    answer = await reward_json(session, report, reward)
    town = await session.scalar(select(Town.name).where(Town.id == report.town_id))
    return Found(report, reward, answer, town or "")


async def render_reward(
    request: web.Request,
    staff: Staff,
    csrf: str,
    message: str = "",
    status: int = 200,
    payee: Payee | None = None,
    found: Found | None = None,
) -> web.Response:
    """The reward page, with a refusal's `message` and status, or the payee just revealed;
    read in its own transaction unless the caller's has `found` it."""
    settings, now = request.app[SETTINGS], request.app[CLOCK].now()
    if found is None:
        async with request.app[SESSIONS].begin() as session:  # the first read opens the reward
            found = await found_reward(session, request.match_info["number"], settings, now)
    report, reward, answer, town = found.report, found.reward, found.answer, found.town
    claimed = reward.payee_name_enc is not None
    tz = settings.tz
    entries = [
        entry | {
            "at": _local(entry["at"], tz),
            "label": ACTION_LABELS[RewardAction(entry["action"])],
            "actor": {"reporter": "举报人", "system": "系统"}.get(entry["actor"], entry["actor"]),
            "method": METHODS.get(entry["method"] or "", ""),
        }
        for entry in answer["entries"]  # type: ignore[attr-defined]
    ]  # fmt: skip
    response = page(
        request, "reward.html", staff, csrf, message=message, payee=payee, reward=answer,
        report=report, town=town, category=CATEGORY_LABELS[report.category],
        status_label=STATUS_LABELS[reward.status], entries=entries,
        forms=forms_for(reward.status, staff, reward.proposed_by), methods=METHODS,
        labels=ACTION_LABELS, headings=HEADINGS, closed=_local(_iso(report.closed_at), tz),
        decide_by=_last_day(reward.decide_by, tz), collect_by=_last_day(reward.collect_by, tz),
        rule=rule_words(reward.rule),
        today=now.astimezone(tz).date().isoformat(), reads_report=staff.role in READ_REPORTS,
        sees_payee=staff.role == Role.FINANCE and claimed,
    )  # fmt: skip
    response.set_status(status)
    return response


def _last_day(moment: datetime | None, tz) -> str:  # type: ignore[no-untyped-def]
    return last_day(moment, tz) if moment else ""


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


async def action_post(request: web.Request) -> web.Response:
    staff, csrf = await current(request)
    _reader(staff)
    form = await check_csrf(request, csrf)
    number = request.match_info["number"]
    fields: Mapping[str, object] = fields_of({k: str(v) for k, v in form.items()})
    action = str(fields.get("action", ""))
    settings, now = request.app[SETTINGS], request.app[CLOCK].now()
    try:
        async with request.app[SESSIONS].begin() as session:
            if action == RewardAction.APPROVE and staff.role == Role.LEADER:
                report = await closed_report(session, number)
                reward = await open_reward(session, report, settings=settings, now=now)
                if reward.proposed_by == staff.username:
                    raise Forbidden(FOUR_EYES)
            await act(
                session, number, action, fields, staff_actor(staff), settings=settings,
                vault=request.app[VAULT], now=now,
            )  # fmt: skip
    except LifecycleError as error:
        return await render_reward(request, staff, csrf, str(error), STATUS_OF[error.code])
    except NoReward:
        raise web.HTTPNotFound(text=f"没有这件已办结的举报：{number}") from None
    request.app[BACKGROUND].soon()
    raise web.HTTPSeeOther(f"/console/rewards/{number}")


async def payee_post(request: web.Request) -> web.Response:
    """The payee's name, resident ID, bank and account, on this response only, for finance
    giving a reason; audited like the API's POST /api/v1/rewards/{number}/payee."""
    staff, csrf = await current(request)
    _reader(staff)
    form = await check_csrf(request, csrf)
    if staff.role != Role.FINANCE:
        return await render_reward(request, staff, csrf, "只有财务人员可以查看领奖人信息", 403)
    reason = str(form.get("reason", "")).strip()
    if not reason:
        return await render_reward(request, staff, csrf, "查看领奖人信息须说明理由", 422)
    number, settings = request.match_info["number"], request.app[SETTINGS]
    now = request.app[CLOCK].now()
    async with request.app[SESSIONS].begin() as session:
        found = await found_reward(session, number, settings, now)
        payee = await reveal_payee(
            session, number, found.reward, actor=staff.username, reason=reason,
            vault=request.app[VAULT], now=now,
        )  # fmt: skip
    if payee is None:
        message = "该奖励尚未领取，没有领奖人信息"
        return await render_reward(request, staff, csrf, message, 404, found=found)
    response = await render_reward(request, staff, csrf, payee=payee, found=found)
    response.headers["Cache-Control"] = "no-store"
    return response
