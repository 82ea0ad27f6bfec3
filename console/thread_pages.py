"""The report page's forms for the thread with the reporter and for internal notes (SPEC §11
"Console"): `POST /console/reports/{number}/messages` sends `text` to the reporter through the
bot, `POST /console/reports/{number}/notes` keeps `text` for staff only. Success redirects to
the report; a refusal shows its message there with its 4xx status."""

from __future__ import annotations

from aiohttp import web

from complaints.actions import staff_actor
from complaints.api import STATUS_OF
from complaints.lifecycle import LifecycleError
from complaints.thread import write
from complaints.thread_rules import Kind
from console.pages import check_csrf, current
from console.report_pages import render_report
from console.report_scope import visible_report
from jubao.background import BACKGROUND
from jubao.keys import CLOCK, SESSIONS, SETTINGS, VAULT


async def message_post(request: web.Request) -> web.Response:
    return await _post(request, Kind.STAFF)


async def note_post(request: web.Request) -> web.Response:
    return await _post(request, Kind.NOTE)


async def _post(request: web.Request, kind: Kind) -> web.Response:
    staff, csrf = await current(request)
    form = await check_csrf(request, csrf)
    number = request.match_info["number"]
    try:
        async with request.app[SESSIONS].begin() as session:
            row = await visible_report(session, staff, number)
            await write(
                session,
                row.report,
                kind,
                form.get("text", ""),
                staff_actor(staff),
                settings=request.app[SETTINGS],
                vault=request.app[VAULT],
                now=request.app[CLOCK].now(),
            )
    except LifecycleError as error:
        return await render_report(request, staff, csrf, str(error), STATUS_OF[error.code])
    if kind == Kind.STAFF:
        request.app[BACKGROUND].soon()  # committed: send it now
    raise web.HTTPSeeOther(f"/console/reports/{number}")
