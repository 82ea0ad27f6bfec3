"""Intake on a caller's behalf in the console (SPEC §11 "Console"): a dispatcher registers a
hotline call, a visit, a letter or an email at /console/reports/new. The confirmation page
shows the number and the query code once (201; the code is stored only as a hash, so it can
never be shown again); a wrong field is shown on the form with 422, what was typed kept."""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web

from complaints.deadlines import last_day
from complaints.intake import take_call, town_names
from complaints.intake_rules import InvalidIntake
from complaints.intake_submissions import kept_token, new_token
from complaints.vocabulary import CATEGORY_LABELS, CHANNEL_LABELS, INTAKE_CHANNELS
from console.pages import check_csrf, current, page
from jubao.auth import Staff
from jubao.background import BACKGROUND
from jubao.keys import CLOCK, SESSIONS, SETTINGS, VAULT
from jubao.roles import TAKE_CALLS

FIELDS = ("category", "town", "place", "details", "description", "channel", "name", "phone")
REFUSED = "只有信访办可以登记来电来访。"


async def _dispatcher(request: web.Request) -> tuple[Staff, str]:
    staff, csrf = await current(request)
    if staff.role not in TAKE_CALLS:
        raise web.HTTPForbidden(text=REFUSED)
    return staff, csrf


async def _form(
    request: web.Request,
    staff: Staff,
    csrf: str,
    values: Mapping[str, str],
    message: str = "",
    status: int = 200,
) -> web.Response:
    async with request.app[SESSIONS]() as session:
        towns = await town_names(session)
    response = page(
        request, "report_new.html", staff, csrf, values=values, message=message, towns=towns,
        categories=CATEGORY_LABELS,
        channels={channel: CHANNEL_LABELS[channel] for channel in INTAKE_CHANNELS},
    )  # fmt: skip
    response.set_status(status)
    return response


async def new_view(request: web.Request) -> web.Response:
    staff, csrf = await _dispatcher(request)
    values = {name: "" for name in FIELDS} | {"channel": "phone", "category": "hazard"}
    return await _form(request, staff, csrf, values | {"form_token": new_token()})


async def new_post(request: web.Request) -> web.Response:
    staff, csrf = await _dispatcher(request)
    form = await check_csrf(request, csrf)
    values = {name: str(form.get(name, "")) for name in FIELDS}
    token = str(form.get("form_token", "")) or None  # kept when the form comes back with 422
    settings, now = request.app[SETTINGS], request.app[CLOCK].now()
    try:
        async with request.app[SESSIONS].begin() as session:
            filed = await take_call(
                session, values, staff.username, vault=request.app[VAULT], settings=settings,
                now=now, form_token=token,
            )  # fmt: skip
    except InvalidIntake as error:
        return await _form(
            request, staff, csrf, values | {"form_token": kept_token(token)}, str(error), 422
        )
    request.app[BACKGROUND].soon()
    response = page(
        request, "report_filed.html", staff, csrf, number=filed.number, code=filed.code,
        accept_by=last_day(filed.accept_by, settings.tz), again=filed.again,
        channel=CHANNEL_LABELS[values["channel"]], named=bool(values["name"]),
    )  # fmt: skip
    response.set_status(200 if filed.again else 201)
    response.headers["Cache-Control"] = "no-store"  # the code is shown this once
    return response
