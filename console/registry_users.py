"""The registry's users tab: every staff account (role, town, WeChat Work id, second factor)
and a form adding one through the same service as `jubao user add`, audited."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from aiohttp import web

from complaints import registry_queries as queries
from complaints.staff_accounts import add_staff
from console.pages import ROLE_LABELS, check_csrf
from console.registry_pages import admin, registry_page, role_choices
from jubao import audit
from jubao.auth import AccountError, Staff
from jubao.keys import CLOCK, SESSIONS
from jubao.roles import Role

ROLE_ORDER = {role.value: index for index, role in enumerate(Role)}  # dispatcher first, admin last
FIELDS = ("username", "role", "town", "wework_id")  # the form's, with `password`
NO_SCOPE = (
    "该执法人员既未选择镇（区），也未关联登记文件中的执法人员（企业微信账号），暂时看不到任何举报。"
)


async def render_users(
    request: web.Request,
    staff: Staff,
    csrf: str,
    *,
    message: str = "",
    status: int = 200,
    typed: Mapping[str, str] | None = None,
) -> web.Response:
    async with request.app[SESSIONS]() as session:
        users = await queries.users(session)
        towns = [town.name for town, _ in await queries.towns(session)]
    added = request.query.get("added", "")
    rows = [
        {
            "username": user.username,
            "role": ROLE_LABELS.get(user.role, user.role),
            "town": user.town or "",
            "wework_id": user.wework_id or "",
            "totp": user.totp_secret_enc is not None,
        }
        for user in sorted(users, key=lambda user: (ROLE_ORDER.get(user.role, 99), user.username))
    ]
    response = registry_page(
        request, staff, csrf, "users", "registry_users.html",
        users=rows, towns=towns, roles=role_choices(), message=message,
        typed=dict(typed or {}), added=added if added in {u.username for u in users} else "",
        no_scope=NO_SCOPE if request.query.get("unscoped") else "",
    )  # fmt: skip
    response.set_status(status)
    return response


async def users_view(request: web.Request) -> web.Response:
    staff, csrf = await admin(request)
    return await render_users(request, staff, csrf)


async def user_post(request: web.Request) -> web.Response:
    staff, csrf = await admin(request)
    form = await check_csrf(request, csrf)
    typed = {name: str(form.get(name, "")).strip() for name in FIELDS}
    password = str(form.get("password", ""))
    now = request.app[CLOCK].now()
    try:
        async with request.app[SESSIONS].begin() as session:
            account = await add_staff(
                session,
                typed["username"],
                typed["role"],
                password,
                town=typed["town"] or None,
                wework_id=typed["wework_id"] or None,
                now=now,
            )
            detail = {key: typed[key] for key in ("role", "town", "wework_id") if typed[key]}
            await audit.append(session, actor=staff.username, action="user_add",
                               subject=account.user.username, detail=detail, at=now)  # fmt: skip
    except AccountError as error:
        return await render_users(
            request, staff, csrf, message=error.chinese, status=422, typed=typed
        )
    query = {"added": account.user.username} | ({"unscoped": "1"} if account.warnings else {})
    raise web.HTTPSeeOther(f"/console/registry/users?{urlencode(query)}")
