"""The console's report pages: a report with its timeline,
deadlines and the forms of the actions the user may take (SPEC §11: fields named as the API's,
posted to /console/reports/{number}/actions; success redirects to the report, a refusal shows
its message there with a 4xx status)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.actions import act, staff_actor
from complaints.api import STATUS_OF
from complaints.deadlines import last_day
from complaints.evidence_files import evidence_of
from complaints.lifecycle import (
    FINDINGS,
    REJECT_REASONS,
    Action,
    LifecycleError,
    ReportState,
    Status,
    allowed_actions,
)
from complaints.queries import timeline
from complaints.vocabulary import CATEGORY_LABELS, CHANNEL_LABELS, STATUS_LABELS
from console.evidence_pages import evidence_items
from console.pages import check_csrf, current, page
from console.report_scope import visible_report
from console.thread_view import thread_context
from jubao import audit
from jubao.auth import Staff
from jubao.background import BACKGROUND
from jubao.keys import CLOCK, SESSIONS, SETTINGS, VAULT
from jubao.roles import REVEAL_IDENTITY

ACTION_LABELS = {
    "accept": "受理",
    "reject": "不予受理",
    "transfer": "转办",
    "merge": "合并",
    "assign": "分派",
    "take": "接收",
    "return": "退回",
    "progress": "记录进展",
    "conclude": "核查结论",
    "record": "登记查处",
    "close": "办结",
    "extend": "延期",
    "reopen": "重新核查",
}
EVENT_LABELS = ACTION_LABELS | {
    "file": "提交举报",
    "supplement": "补充材料",
    "rate": "评价",
    "urge": "催办",
    "supervise": "督办",
}
CHECKBOXES = ("case_filed", "criminal_referral")
HANDLING = ("accepted", "assigned", "investigating")


# The report page's forms, the step that moves the report on first (it gets the strong
# button), the ways off the main line after it.
FORM_ORDER = [
    Action.ACCEPT, Action.ASSIGN, Action.TAKE, Action.CONCLUDE, Action.RECORD, Action.CLOSE,
    Action.PROGRESS, Action.EXTEND, Action.REOPEN, Action.REJECT, Action.TRANSFER, Action.MERGE,
    Action.RETURN,
]  # fmt: skip


async def _report_context(
    session: AsyncSession, staff: Staff, number: str, tz: object, now: datetime
) -> dict[str, object]:
    row = await visible_report(session, staff, number)
    report = row.report
    state = ReportState(
        number,
        Status(report.status),
        row.assignee.wework_id if row.assignee else None,
        report.extension_days is not None,
    )
    actor = staff_actor(staff)
    running = {
        "受理期限": report.accept_by if report.status == "received" else None,
        "分派确认期限": report.ack_by if report.status == "assigned" else None,
        "办结期限": report.handle_by if report.status in HANDLING else None,
    }
    deadlines = [
        (label, last_day(moment, tz), moment < now)  # type: ignore[arg-type]
        for label, moment in running.items()
        if moment is not None
    ]
    return {
        "report": report,
        "row": row,
        "status_label": STATUS_LABELS[report.status],
        "category_label": CATEGORY_LABELS[report.category],
        "channel_label": CHANNEL_LABELS.get(report.channel, report.channel),
        "evidence": evidence_items(number, await evidence_of(session, report.id), tz),  # type: ignore[arg-type]
        "events": [
            {
                "at": event.at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),  # type: ignore[arg-type]
                "actor": {"reporter": "举报人", "system": "系统"}.get(event.actor, event.actor),
                "action": EVENT_LABELS.get(event.action, event.action),
                "note": event.note,
                "to": STATUS_LABELS.get(event.to_status, ""),
            }
            for event in await timeline(session, report.id)
        ],
        "received": report.received_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),  # type: ignore[arg-type]
        "actions": [
            (a.value, ACTION_LABELS[a.value])
            for a in sorted(allowed_actions(state, actor), key=FORM_ORDER.index)
        ],
        "deadlines": deadlines,
        "reasons": REJECT_REASONS,
        "findings": FINDINGS,
        "action_labels": ACTION_LABELS,
        "tz": tz,
        "may_reveal": staff.role in REVEAL_IDENTITY and not report.anonymous,
        **await thread_context(session, report, staff, tz),  # type: ignore[arg-type]
    }


async def report_view(request: web.Request) -> web.Response:
    staff, csrf = await current(request)
    return await render_report(request, staff, csrf)


async def render_report(
    request: web.Request,
    staff: Staff,
    csrf: str,
    message: str = "",
    status: int = 200,
    identity: Mapping[str, str] | None = None,
    context: Mapping[str, object] | None = None,
) -> web.Response:
    """The report page for a signed-in user, with a refusal's `message` and its status; read
    in its own session unless the caller's transaction has read its `context`."""
    settings, now = request.app[SETTINGS], request.app[CLOCK].now()
    if context is None:
        async with request.app[SESSIONS]() as session:
            context = await _report_context(
                session, staff, request.match_info["number"], settings.tz, now
            )
    response = page(
        request, "report.html", staff, csrf, message=message, identity=identity, **context
    )
    response.set_status(status)
    return response


def fields_of(form: Mapping[str, str]) -> dict[str, object]:
    """The form's fields as the API takes them: blanks dropped, checkboxes as booleans."""
    fields: dict[str, object] = {k: v for k, v in form.items() if k != "csrf_token" and v != ""}
    for name in CHECKBOXES:
        if name in fields:
            fields[name] = True
    return fields


async def action_post(request: web.Request) -> web.Response:
    staff, csrf = await current(request)
    form = await check_csrf(request, csrf)
    number = request.match_info["number"]
    fields = fields_of({k: str(v) for k, v in form.items()})
    try:
        async with request.app[SESSIONS].begin() as session:
            await visible_report(session, staff, number)
            await act(
                session,
                number,
                str(fields.get("action", "")),
                fields,
                staff_actor(staff),
                settings=request.app[SETTINGS],
                vault=request.app[VAULT],
                now=request.app[CLOCK].now(),
            )
    except LifecycleError as error:
        return await render_report(request, staff, csrf, str(error), STATUS_OF[error.code])
    request.app[BACKGROUND].soon()
    raise web.HTTPSeeOther(f"/console/reports/{number}")


async def reveal_post(request: web.Request) -> web.Response:
    """A named reporter's name and phone, shown once on the report page to a dispatcher or a
    leader who gives a reason; audited like the API's reveal."""
    staff, csrf = await current(request)
    form = await check_csrf(request, csrf)
    number, reason = request.match_info["number"], str(form.get("reason", "")).strip()
    if staff.role not in REVEAL_IDENTITY:
        return await render_report(request, staff, csrf, "您的角色不能查看举报人身份", 403)
    if not reason:
        return await render_report(request, staff, csrf, "查看举报人身份须说明理由", 422)
    vault, now, tz = request.app[VAULT], request.app[CLOCK].now(), request.app[SETTINGS].tz
    async with request.app[SESSIONS].begin() as session:
        row = await visible_report(session, staff, number)
        report, identity = row.report, None
        if not report.anonymous:  # nothing to reveal, nothing to audit
            await audit.append(session, actor=staff.username, action="reveal", subject=number,
                               detail={"reason": reason}, at=now)  # fmt: skip
            identity = {
                "name": vault.decrypt(report.reporter_name_enc) if report.reporter_name_enc else "",
                "phone": vault.decrypt(report.reporter_phone_enc)
                if report.reporter_phone_enc
                else "",
            }
        context = await _report_context(session, staff, number, tz, now)
    if identity is None:
        message = "匿名举报，没有可查看的举报人身份"
        return await render_report(request, staff, csrf, message, context=context)
    response = await render_report(request, staff, csrf, identity=identity, context=context)
    response.headers["Cache-Control"] = "no-store"
    return response
