"""The thread with the reporter in the staff JSON API (SPEC §11 "Console"):
`GET /api/v1/reports/{number}/messages` lists the staff's messages, the reporter's replies and,
for the staff who read the report, the internal notes; `POST` with `{"text"}` sends a message
to the reporter through the bot (`{"text", "kind": "note"}` keeps a note instead)."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.actions import staff_actor
from complaints.api import STATUS_OF, rfc3339
from complaints.lifecycle import LifecycleError
from complaints.models import ReportMessage
from complaints.queries import OutOfScope, Row, find_report, scope_for
from complaints.thread import messages, write
from complaints.thread_rules import Kind
from jubao.auth import Staff, bearer_staff, bearer_token
from jubao.background import BACKGROUND
from jubao.keys import CLOCK, SESSIONS, SETTINGS, VAULT
from jubao.middlewares import ApiError, json_object, json_response

WRITTEN = {"staff": Kind.STAFF, "note": Kind.NOTE}  # what a POST's `kind` may be


def message_json(message: ReportMessage) -> dict[str, object]:
    return {
        "kind": message.kind,
        "author": message.author,
        "at": rfc3339(message.at),
        "text": message.text,
    }


async def _visible(session: AsyncSession, staff: Staff, number: str) -> Row:
    """The report if the staff member may read it; 404 alike when unknown or out of scope."""
    scope = await scope_for(session, staff)
    if scope is None:
        raise ApiError(403, "forbidden", "您的角色不能查看举报")
    try:
        return await find_report(session, scope, number)
    except OutOfScope:
        raise ApiError(404, "not_found", f"没有这件举报：{number}") from None


async def list_view(request: web.Request) -> web.Response:
    token = bearer_token(request)
    async with request.app[SESSIONS]() as session:
        staff = await bearer_staff(session, token)
        row = await _visible(session, staff, request.match_info["number"])
        items = [message_json(m) for m in await messages(session, row.report.id)]
    return json_response({"items": items, "total": len(items)})


async def post_view(request: web.Request) -> web.Response:
    token, number = bearer_token(request), request.match_info["number"]
    body = await json_object(request)  # read before the transaction begins (see complaints.api)
    kind = WRITTEN.get(str(body.get("kind", "staff")))
    if kind is None:
        raise ApiError(422, "invalid", "kind 应为 staff 或 note")
    try:
        async with request.app[SESSIONS].begin() as session:
            staff = await bearer_staff(session, token)
            row = await _visible(session, staff, number)
            message = await write(
                session,
                row.report,
                kind,
                body.get("text"),
                staff_actor(staff),
                settings=request.app[SETTINGS],
                vault=request.app[VAULT],
                now=request.app[CLOCK].now(),
            )
            written = message_json(message)
    except LifecycleError as error:
        raise ApiError(STATUS_OF[error.code], error.code, str(error)) from None
    if kind == Kind.STAFF:
        request.app[BACKGROUND].soon()  # committed: send it now
    return json_response(written, status=201)


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/api/v1/reports/{number}/messages", list_view)
    app.router.add_post("/api/v1/reports/{number}/messages", post_view)
