"""POST /api/v1/reports: a dispatcher registers a caller's report (SPEC §11 "Console"), with
the console form's keys as JSON; 201 and the report as GET /api/v1/reports/{number} shows it,
with the query code added this once. With an `Idempotency-Key` header (16–64 letters, digits,
`-` or `_`, a UUID say) the same request sent again files nothing: 200 and the report it filed,
its `query_code` within 10 minutes of filing and `null` after (complaints/intake_submissions)."""

from __future__ import annotations

from aiohttp import web

from complaints.api import detail_json
from complaints.intake import take_call
from complaints.intake_rules import InvalidIntake
from complaints.queries import Scope, find_report, timeline
from jubao.auth import bearer_staff, bearer_token
from jubao.background import BACKGROUND
from jubao.keys import CLOCK, SESSIONS, SETTINGS, VAULT
from jubao.middlewares import ApiError, json_object, json_response
from jubao.roles import TAKE_CALLS


async def create_view(request: web.Request) -> web.Response:
    token = bearer_token(request)
    body = await json_object(request)  # before the transaction (SQLite: it holds the turn)
    async with request.app[SESSIONS].begin() as session:
        staff = await bearer_staff(session, token)
        if staff.role not in TAKE_CALLS:
            raise ApiError(403, "forbidden", "只有信访办可以登记来电来访")
        try:
            filed = await take_call(
                session,
                body,
                staff.username,
                vault=request.app[VAULT],
                settings=request.app[SETTINGS],
                now=request.app[CLOCK].now(),
                form_token=request.headers.get("Idempotency-Key"),
            )
        except InvalidIntake as error:
            raise ApiError(422, "invalid", str(error)) from None
        row = await find_report(session, Scope(None), filed.number)
        detail = detail_json(row, await timeline(session, row.report.id))
    request.app[BACKGROUND].soon()
    code = filed.code or None  # "" only when a request sent again comes after 10 minutes
    return json_response({**detail, "query_code": code}, status=200 if filed.again else 201)


def setup_routes(app: web.Application) -> None:
    app.router.add_post("/api/v1/reports", create_view)
