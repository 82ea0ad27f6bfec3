"""The staff JSON API for reports (SPEC §5): list, read, act, reveal the reporter."""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.actions import act, staff_actor
from complaints.lifecycle import LifecycleError
from complaints.queries import PAGE_SIZE, OutOfScope, Row, find_report, scope_for
from complaints.queries import timeline as report_timeline
from complaints.report_filters import Filters
from complaints.report_list import list_reports
from complaints.vocabulary import CATEGORIES, CHANNEL_LABELS, STATUS_LABELS
from jubao import audit
from jubao.auth import Staff, bearer_staff, bearer_token
from jubao.background import BACKGROUND
from jubao.inputs import BadInput, page_number
from jubao.keys import CLOCK, SESSIONS, SETTINGS, VAULT
from jubao.middlewares import ApiError, json_object, json_response
from jubao.roles import REVEAL_IDENTITY

STATUS_OF = {"forbidden": 403, "illegal_transition": 409, "invalid": 422}  # LifecycleError.code


def rfc3339(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def summary_json(row: Row) -> dict[str, object]:
    report = row.report
    return {
        "number": report.number,
        "status": report.status,
        "category": report.category,
        "channel": report.channel,
        "town": row.town,
        "enterprise": (
            {
                "name": row.enterprise.name,
                "code": row.enterprise.code,
                "blacklisted": row.enterprise.blacklisted,
            }
            if row.enterprise
            else None
        ),
        "urgent": report.urgent,
        "received_at": rfc3339(report.received_at),
        "assignee": (
            {"wework_id": row.assignee.wework_id, "name": row.assignee.name}
            if row.assignee
            else None
        ),
        "deadlines": {
            "accept_by": rfc3339(report.accept_by),
            "ack_by": rfc3339(report.ack_by),
            "handle_by": rfc3339(report.handle_by),
        },
    }


def detail_json(row: Row, events: list) -> dict[str, object]:  # type: ignore[type-arg]
    report = row.report
    return {
        **summary_json(row),
        "place": report.place,
        "details": report.details,
        "description": report.description,
        "anonymous": report.anonymous,
        "routed_by": report.routed_by,
        "finding": report.finding,
        "summary": report.summary,
        "case_filed": report.case_filed,
        "case_number": report.case_number,
        "fine": f"{report.fine:.2f}" if report.fine is not None else None,
        "criminal_referral": report.criminal_referral,
        "grade": report.grade,
        "events": [
            {
                "action": e.action,
                "at": rfc3339(e.at),
                "actor": e.actor,
                "note": e.note,
                "from": e.from_status or None,  # filing comes from nothing
                "to": e.to_status,
            }
            for e in events
        ],
    }


def _choice(request: web.Request, name: str, allowed: object) -> str | None:
    value = request.query.get(name) or None
    if value is not None and value not in allowed:  # type: ignore[operator]
        raise ApiError(422, "invalid", f"{name} 的取值无效：{value}")
    return value


def _text(request: web.Request, name: str) -> str | None:
    return request.query.get(name, "").strip() or None


def filters_from(request: web.Request) -> Filters:
    """The list's filters from the query string; 422 `invalid` for a value that is not one."""
    overdue = _choice(request, "overdue", ("true", "false"))
    urgent = _choice(request, "urgent", ("true", "false", "1", "0"))  # like overdue, or 1/0
    try:
        page = page_number(request.query.get("page"))
    except BadInput as error:
        raise ApiError(422, "invalid", str(error)) from None
    return Filters(
        status=_choice(request, "status", STATUS_LABELS),
        town=_text(request, "town"),
        category=_choice(request, "category", CATEGORIES),
        overdue=None if overdue is None else overdue == "true",
        enterprise=_text(request, "enterprise"),
        urgent=None if urgent is None else urgent in ("true", "1"),
        channel=_choice(request, "channel", CHANNEL_LABELS),
        q=_text(request, "q"),
        page=page,
    )


async def _scope(session, staff: Staff):  # type: ignore[no-untyped-def]
    scope = await scope_for(session, staff)
    if scope is None:
        raise ApiError(403, "forbidden", "您的角色不能查看举报")
    return scope


async def list_view(request: web.Request) -> web.Response:
    token, filters = bearer_token(request), filters_from(request)
    async with request.app[SESSIONS]() as session:
        scope = await _scope(session, await bearer_staff(session, token))
        rows, total = await list_reports(session, scope, filters, request.app[CLOCK].now())
    return json_response(
        {
            "items": [summary_json(row) for row in rows],
            "page": filters.page,
            "page_size": PAGE_SIZE,
            "total": total,
        }
    )


async def _visible(session: AsyncSession, staff: Staff, number: str) -> Row:
    """The report if the staff member may read it; 404 alike when it is unknown or out of
    his scope (which would otherwise tell that it exists)."""
    try:
        return await find_report(session, await _scope(session, staff), number)
    except OutOfScope:
        raise ApiError(404, "not_found", f"没有这件举报：{number}") from None


async def _detail(session: AsyncSession, staff: Staff, number: str) -> dict[str, object]:
    row = await _visible(session, staff, number)
    return detail_json(row, await report_timeline(session, row.report.id))


async def detail_view(request: web.Request) -> web.Response:
    token = bearer_token(request)
    async with request.app[SESSIONS]() as session:
        staff = await bearer_staff(session, token)
        detail = await _detail(session, staff, request.match_info["number"])
    return json_response(detail)


async def action_view(request: web.Request) -> web.Response:
    """The action and the report as it then is, in one transaction (the body is read before
    it begins: on SQLite a transaction holds the process's turn)."""
    token, number = bearer_token(request), request.match_info["number"]
    body = await json_object(request)
    try:
        async with request.app[SESSIONS].begin() as session:
            staff = await bearer_staff(session, token)
            await _visible(session, staff, number)
            await act(
                session,
                number,
                str(body.get("action", "")),
                body,
                staff_actor(staff),
                settings=request.app[SETTINGS],
                vault=request.app[VAULT],
                now=request.app[CLOCK].now(),
            )
            detail = await _detail(session, staff, number)
    except LifecycleError as error:
        raise ApiError(STATUS_OF[error.code], error.code, str(error)) from None
    request.app[BACKGROUND].soon()  # committed: send what the action queued
    return json_response(detail)


async def reveal_view(request: web.Request) -> web.Response:
    """A named reporter's identity, for a dispatcher or leader giving a reason; audited."""
    token, number = bearer_token(request), request.match_info["number"]
    body = await json_object(request)
    reason = body.get("reason")
    vault = request.app[VAULT]
    async with request.app[SESSIONS].begin() as session:
        staff = await bearer_staff(session, token)
        if staff.role not in REVEAL_IDENTITY:
            raise ApiError(403, "forbidden", "您的角色不能查看举报人身份")
        if not isinstance(reason, str) or not reason.strip():
            raise ApiError(422, "invalid", "查看举报人身份须说明理由（reason）")
        report = (await _visible(session, staff, number)).report
        await audit.append(
            session,
            actor=staff.username,
            action="reveal",
            subject=number,
            detail={"reason": reason.strip()},
            at=request.app[CLOCK].now(),
        )
        name = vault.decrypt(report.reporter_name_enc) if report.reporter_name_enc else None
        phone = vault.decrypt(report.reporter_phone_enc) if report.reporter_phone_enc else None
    return json_response(
        {"number": number, "anonymous": report.anonymous, "name": name, "phone": phone}
    )


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/api/v1/reports", list_view)
    app.router.add_get("/api/v1/reports/{number}", detail_view)
    app.router.add_post("/api/v1/reports/{number}/actions", action_view)
    app.router.add_post("/api/v1/reports/{number}/reveal", reveal_view)
