"""What a console user may read of the reports (SPEC §11): a role that reads none (finance,
admin) is refused with 403; a report outside the user's scope is not found (404), answered
exactly like a report that does not exist."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.queries import OutOfScope, Row, Scope, find_report, scope_for
from jubao.auth import Staff

NOT_HANDLED = "您的角色不办理举报。"


async def reports_scope(session: AsyncSession, staff: Staff) -> Scope:
    scope = await scope_for(session, staff)
    if scope is None:
        raise web.HTTPForbidden(text=NOT_HANDLED)
    return scope


async def visible_report(session: AsyncSession, staff: Staff, number: str) -> Row:
    try:
        return await find_report(session, await reports_scope(session, staff), number)
    except OutOfScope:
        raise web.HTTPNotFound(text=f"没有这件举报：{number}") from None
