"""The console's first pages: sign in, sign out, the dashboard. Each request is one
transaction; redirects are raised after it."""

from __future__ import annotations

import secrets
from datetime import timedelta
from zoneinfo import ZoneInfo

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.dashboard_queries import (
    Intake,
    Pressed,
    intake_between,
    month_bounds,
    pressed_reports,
)
from complaints.deadlines import last_day
from complaints.queries import deadline_board, scope_for, status_counts
from complaints.reminders import CLOCKS
from complaints.vocabulary import CATEGORY_LABELS, STATUS_LABELS
from console.charts import bar_chart
from console.sign_in import sign_in, sign_out, signed_in
from jubao.auth import Staff
from jubao.inputs import BadInput, clean_all
from jubao.keys import CLOCK, SESSIONS, SETTINGS, VAULT
from jubao.rate_limits import client_address, hit, hits
from jubao.roles import READ_REPORTS, READ_STATS

COOKIE = "jubao_session"
LOGIN_CSRF = "jubao_login_csrf"  # before there is a session: the form's token matches a cookie
ROLE_LABELS = {
    "dispatcher": "信访办",
    "officer": "执法人员",
    "leader": "分管领导",
    "finance": "财务",
    "auditor": "审计",
    "admin": "系统管理员",
}
BAD_LOGIN = "用户名或密码错误"
# Failed logins per client address (any usernames) before the address must wait; the
# per-username lock of console/sign_in.py is the other half.
LOGIN_LIMIT = 30
LOGIN_WINDOW = timedelta(minutes=15)
TOO_MANY_LOGINS = "登录失败次数过多，请15分钟后再试。"


def _cookie_options(request: web.Request) -> dict[str, object]:
    https = request.app[SETTINGS].public_url.startswith("https://")
    return {"httponly": True, "samesite": "Lax", "secure": https, "path": "/console"}


async def current(request: web.Request) -> tuple[Staff, str]:
    """Who is signed in, and the session's CSRF token; else to the login page."""
    async with request.app[SESSIONS].begin() as session:
        found = await holder(request, session)
    return signed_or_login(found)


# The request's (staff, csrf), for a refusal's page bar.
SIGNED_IN = web.RequestKey("console.signed_in", tuple[Staff, str])


async def holder(request: web.Request, session: AsyncSession) -> tuple[Staff, str] | None:
    """Who holds the request's cookie, in the page's own transaction (one per request): the
    caller reads the page in it too, and after it sends a None to the login page. Kept on the
    request, so that a refusal raised later (403, 404) is a page with the console's bar."""
    found = await signed_in(
        session,
        request.cookies.get(COOKIE),
        request.app[CLOCK].now(),
        key=request.app[SETTINGS].secret_key,
    )
    if found is not None:
        request[SIGNED_IN] = found
    return found


def signed_or_login(found: tuple[Staff, str] | None) -> tuple[Staff, str]:
    if found is None:
        raise web.HTTPSeeOther("/console/login")
    return found


async def check_csrf(request: web.Request, expected: str) -> web.MultiDictProxy:
    form = await request.post()
    given = form.get("csrf_token")
    if not isinstance(given, str) or not secrets.compare_digest(given, expected):
        raise web.HTTPForbidden(text="表单已失效，请刷新页面后重试。")
    try:  # every console form passes here: nothing unstorable reaches a handler
        clean_all((name, value) for name, value in form.items() if isinstance(value, str))
    except BadInput as error:
        raise web.HTTPUnprocessableEntity(text=str(error)) from None
    return form


async def login_page(
    request: web.Request, message: str = "", status: int = 200, username: str = ""
) -> web.Response:
    token = request.cookies.get(LOGIN_CSRF) or secrets.token_urlsafe(32)
    context = {"csrf_token": token, "message": message, "username": username}
    response = aiohttp_jinja2.render_template("login.html", request, context, status=status)
    response.set_cookie(LOGIN_CSRF, token, **_cookie_options(request))  # type: ignore[arg-type]
    return response


async def login_view(request: web.Request) -> web.Response:
    return await login_page(request)


async def login_post(request: web.Request) -> web.Response:
    form = await check_csrf(request, request.cookies.get(LOGIN_CSRF) or secrets.token_hex(8))
    username, password = str(form.get("username", "")).strip(), str(form.get("password", ""))
    code, now = str(form.get("totp", "")), request.app[CLOCK].now()
    address = client_address(request, request.app[SETTINGS].trusted_proxies)
    async with request.app[SESSIONS].begin() as session:
        if await hits(session, "login", address, now, LOGIN_WINDOW) >= LOGIN_LIMIT:
            return await login_page(request, TOO_MANY_LOGINS, status=429, username=username)
        signed = await sign_in(
            session, username, password, now, totp=code, vault=request.app[VAULT],
            key=request.app[SETTINGS].secret_key,
        )  # fmt: skip
        if signed is None:
            await hit(session, "login", address, now, LOGIN_WINDOW)
    if signed is None:
        return await login_page(request, BAD_LOGIN, status=401, username=username)
    response = web.HTTPSeeOther("/console/")
    response.set_cookie(COOKIE, signed[0], **_cookie_options(request))  # type: ignore[arg-type]
    response.del_cookie(LOGIN_CSRF, path="/console")
    raise response


async def logout_post(request: web.Request) -> web.Response:
    _, csrf = await current(request)
    await check_csrf(request, csrf)
    async with request.app[SESSIONS].begin() as session:
        await sign_out(session, request.cookies.get(COOKIE), key=request.app[SETTINGS].secret_key)
    response = web.HTTPSeeOther("/console/login")
    response.del_cookie(COOKIE, path="/console")
    raise response


def page(request: web.Request, template: str, staff: Staff, csrf: str, **context: object):  # type: ignore[no-untyped-def]
    return aiohttp_jinja2.render_template(template, request, bar(staff, csrf) | context)


def bar(staff: Staff, csrf: str) -> dict[str, object]:
    """What base.html's bar needs: the signed-in user's links and the logout form."""
    return {
        "staff": staff,
        "role_label": ROLE_LABELS[staff.role],
        "csrf_token": csrf,
        "reads_reports": staff.role in READ_REPORTS,
        "reads_stats": staff.role in READ_STATS,
    }


async def dashboard_view(request: web.Request) -> web.Response:
    now, tz = request.app[CLOCK].now(), request.app[SETTINGS].tz
    counts, board, intake, pressed = None, [], None, []
    async with request.app[SESSIONS].begin() as session:
        found = await holder(request, session)
        scope = await scope_for(session, found[0]) if found else None
        if scope is not None:
            counts = await status_counts(session, scope, now)
            board = await deadline_board(session, scope, now + timedelta(days=7))
            intake = await intake_between(session, scope, *month_bounds(now, tz))
            pressed = await pressed_reports(session, scope)
    staff, csrf = signed_or_login(found)
    statuses = [(STATUS_LABELS[s], counts.get(s, 0)) for s in STATUS_LABELS] if counts else []
    today = now.astimezone(tz).date()
    rows = []
    for row in board:
        day = last_day(row.deadline, tz)
        local = (row.deadline - timedelta(microseconds=1)).astimezone(tz).date()
        rows.append({
            "number": row.number, "clock": CLOCKS[row.clock].label, "day": day,
            "town": row.town, "urgent": row.urgent, "late": row.deadline <= now,
            "days": (local - today).days,
        })  # fmt: skip
    return page(
        request,
        "dashboard.html",
        staff,
        csrf,
        statuses=statuses,
        overdue=counts["overdue"] if counts else None,
        late=[r for r in rows if r["late"]],
        soon=[r for r in rows if not r["late"]],
        month=f"{today.year}年{today.month}月",
        charts=month_charts(intake) if intake else None,
        pressed=[pressed_row(p, tz) for p in pressed],
    )


def pressed_row(pressed: Pressed, tz: ZoneInfo) -> dict[str, object]:
    return {
        "number": pressed.number,
        "town": pressed.town,
        "status": STATUS_LABELS[pressed.status],
        "kind": "督办" if pressed.supervised else "催办",
        "times": pressed.times,
        "at": pressed.last_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
    }


def month_charts(intake: Intake) -> dict[str, object]:
    """This month's intake as two bar charts: by category and by town."""
    categories = [(CATEGORY_LABELS[key], count) for key, count in intake.by_category]
    return {
        "category": bar_chart(categories, "本月受理 · 按类别"),
        "town": bar_chart(intake.by_town, "本月受理 · 按镇（区）"),
        "total": sum(count for _, count in intake.by_category),
    }
