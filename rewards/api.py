"""The staff JSON API for rewards (SPEC §5, §11): read one, act on it, list them, and — for
finance, with a reason, audited — see the payee. The payee's details are in no other answer."""

from __future__ import annotations

from dataclasses import asdict

from aiohttp import web
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.actions import staff_actor
from complaints.api import STATUS_OF, rfc3339
from complaints.lifecycle import LifecycleError
from complaints.models import Report
from jubao.auth import Staff, bearer_staff, bearer_token
from jubao.background import BACKGROUND
from jubao.inputs import page_number
from jubao.keys import CLOCK, SESSIONS, SETTINGS, VAULT
from jubao.middlewares import ApiError, json_object, json_response
from jubao.roles import READ_REWARDS, Role
from rewards.flow import RewardStatus
from rewards.ledger import NoReward, act, closed_report, judge, open_reward
from rewards.models import Reward, RewardEntry
from rewards.payee import reveal_payee

PAGE_SIZE = 50


def _yuan(amount: object) -> str | None:
    return None if amount is None else f"{amount:.2f}"


def _reader(staff: Staff) -> None:
    if staff.role not in READ_REWARDS:
        raise ApiError(403, "forbidden", "您的角色不能查看奖励")


async def reward_json(session: AsyncSession, report: Report, reward: Reward) -> dict[str, object]:
    judged = await judge(session, report, reward.excluded)
    entries = await session.scalars(
        select(RewardEntry).where(RewardEntry.reward_id == reward.id).order_by(RewardEntry.id)
    )
    return {
        "number": report.number,
        "status": reward.status,
        "eligible": judged.eligible,
        "reasons": list(judged.reasons),
        "suggested_amount": _yuan(reward.suggested),
        "rule": reward.rule,
        "amount": _yuan(reward.amount),
        "proposed_by": reward.proposed_by,
        "anonymous": report.anonymous,
        "decide_by": rfc3339(reward.decide_by),
        "notified_at": rfc3339(reward.notified_at),
        "collect_by": rfc3339(reward.collect_by),
        "claimed": reward.claimed_at is not None,
        "paid_at": rfc3339(reward.paid_at),
        "entries": [
            {
                "action": e.action,
                "at": rfc3339(e.at),
                "actor": e.actor,
                "from": e.from_status,
                "to": e.to_status,
                "amount": _yuan(e.amount),
                "method": e.method,
                "reference": e.reference,
                "paid_on": e.paid_on.isoformat() if e.paid_on else None,
                "note": e.note,
            }
            for e in entries
        ],
    }


async def _reward(request: web.Request, session: AsyncSession, number: str):  # type: ignore[no-untyped-def]
    try:
        report = await closed_report(session, number)
    except NoReward:
        raise ApiError(404, "not_found", f"没有这件已办结的举报：{number}") from None
    reward = await open_reward(
        session, report, settings=request.app[SETTINGS], now=request.app[CLOCK].now()
    )
    return report, reward


async def detail_view(request: web.Request) -> web.Response:
    token, number = bearer_token(request), request.match_info["number"]
    async with request.app[SESSIONS].begin() as session:  # the first read opens the reward
        _reader(await bearer_staff(session, token))
        report, reward = await _reward(request, session, number)
        body = await reward_json(session, report, reward)
    return json_response(body)


async def action_view(request: web.Request) -> web.Response:
    token, number = bearer_token(request), request.match_info["number"]
    body = await json_object(request)
    try:
        async with request.app[SESSIONS].begin() as session:
            staff = await bearer_staff(session, token)
            _reader(staff)
            reward, _ = await act(
                session,
                number,
                str(body.get("action", "")),
                body,
                staff_actor(staff),
                settings=request.app[SETTINGS],
                vault=request.app[VAULT],
                now=request.app[CLOCK].now(),
            )
            report = await closed_report(session, number)
            answer = await reward_json(session, report, reward)
    except LifecycleError as error:
        raise ApiError(STATUS_OF[error.code], error.code, str(error)) from None
    except NoReward:
        raise ApiError(404, "not_found", f"没有这件已办结的举报：{number}") from None
    request.app[BACKGROUND].soon()
    return json_response(answer)


async def list_view(request: web.Request) -> web.Response:
    token = bearer_token(request)
    status = request.query.get("status") or None
    if status is not None and status not in RewardStatus.__members__.values():
        raise ApiError(422, "invalid", f"status 的取值无效：{status}")
    page = page_number(request.query.get("page"))  # BadInput: json_errors answers 422
    async with request.app[SESSIONS]() as session:
        _reader(await bearer_staff(session, token))
        query = select(Reward, Report.number).join(Report, Report.id == Reward.report_id)
        if status is not None:
            query = query.where(Reward.status == status)
        total = await session.scalar(select(func.count()).select_from(query.subquery()))
        rows = await session.execute(
            query.order_by(Reward.id).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
        )
        items = [
            {
                "number": number,
                "status": reward.status,
                "suggested_amount": _yuan(reward.suggested),
                "amount": _yuan(reward.amount),
                "collect_by": rfc3339(reward.collect_by),
                "claimed": reward.claimed_at is not None,
            }
            for reward, number in rows
        ]
    return json_response({"items": items, "page": page, "page_size": PAGE_SIZE, "total": total})


async def payee_view(request: web.Request) -> web.Response:
    """The payee's details for finance, who must give a reason; audited."""
    token, number = bearer_token(request), request.match_info["number"]
    body = await json_object(request)
    reason = body.get("reason")
    vault = request.app[VAULT]
    async with request.app[SESSIONS].begin() as session:
        staff = await bearer_staff(session, token)
        if staff.role != Role.FINANCE:
            raise ApiError(403, "forbidden", "只有财务人员可以查看领奖人信息")
        if not isinstance(reason, str) or not reason.strip():
            raise ApiError(422, "invalid", "查看领奖人信息须说明理由（reason）")
        _, reward = await _reward(request, session, number)
        payee = await reveal_payee(
            session, number, reward, actor=staff.username, reason=reason.strip(), vault=vault,
            now=request.app[CLOCK].now(),
        )  # fmt: skip
        if payee is None:
            raise ApiError(404, "not_found", f"{number} 的奖励尚未领取")
    return json_response({"number": number, **asdict(payee)})


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/api/v1/rewards", list_view)
    app.router.add_get("/api/v1/rewards/{number}", detail_view)
    app.router.add_post("/api/v1/rewards/{number}/actions", action_view)
    app.router.add_post("/api/v1/rewards/{number}/payee", payee_view)
