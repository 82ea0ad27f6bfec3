"""The registry's enterprises tab: 50 a page, searched by name or credit code, counted by colour
code; and the upload of the bureau's list (CSV or XLSX), imported exactly as
`jubao registry import-enterprises` does, its summary and bad rows shown on the page."""

from __future__ import annotations

import secrets

from aiohttp import BodyPartReader, web

from complaints import registry_queries as queries
from complaints.enterprise_import import ImportSummary, import_enterprises
from complaints.enterprise_rows import ImportFileError
from console.registry_labels import COLOURS
from console.registry_pages import admin, registry_page
from jubao import audit
from jubao.auth import Staff
from jubao.inputs import BadInput, page_number
from jubao.keys import CLOCK, SESSIONS

MAX_UPLOAD = 20 * 1024 * 1024  # a list of 3,685 enterprises is some 400 KB as CSV
SHOWN_ERRORS = 200  # more are counted, not listed


def _page_number(text: str) -> int:
    """The page asked for; the first for anything that is not one (the tab is browsed)."""
    try:
        return page_number(text or None)
    except BadInput:
        return 1


async def render_enterprises(
    request: web.Request,
    staff: Staff,
    csrf: str,
    *,
    summary: ImportSummary | None = None,
    message: str = "",
    status: int = 200,
) -> web.Response:
    search = request.query.get("q", "").strip()[:64]
    number = _page_number(request.query.get("page", ""))
    async with request.app[SESSIONS]() as session:
        found = await queries.enterprise_page(session, search, number)
    pages = max(1, -(-found.total // queries.PER_PAGE))
    rows = [
        {
            "name": enterprise.name,
            "credit_code": enterprise.credit_code or "",
            "town": town or "",
            "address": enterprise.address,
            "code": enterprise.code,
            "colour": COLOURS.get(enterprise.code, enterprise.code),
            "blacklisted": enterprise.blacklisted,
        }
        for enterprise, town in found.rows
    ]
    counts = [(code, label, found.by_colour.get(code, 0)) for code, label in COLOURS.items()]
    response = registry_page(
        request, staff, csrf, "enterprises", "registry_enterprises.html",
        rows=rows, total=found.total, all_count=sum(found.by_colour.values()),
        counts=counts, blacklisted=found.blacklisted, search=search, page_number=number,
        pages=pages, summary=summary, message=message,
        errors=summary.errors[:SHOWN_ERRORS] if summary else (),
        hidden_errors=max(0, len(summary.errors) - SHOWN_ERRORS) if summary else 0,
    )  # fmt: skip
    response.set_status(status)
    return response


async def enterprises_view(request: web.Request) -> web.Response:
    staff, csrf = await admin(request)
    return await render_enterprises(request, staff, csrf)


async def _read_upload(request: web.Request) -> tuple[str, bytes]:
    """The multipart form's csrf_token and file, the file at most MAX_UPLOAD bytes (the app's
    1 MB body limit is for callbacks; this form reads its parts as a stream)."""
    token, content = "", b""
    try:
        reader = await request.multipart()
    except (AssertionError, ValueError):  # not a multipart body
        return "", b""
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            continue
        if part.name == "csrf_token":
            token = (await part.read(decode=True)).decode("utf-8", "replace")
        elif part.name == "file":
            chunks, size = [], 0
            while chunk := await part.read_chunk():
                size += len(chunk)
                if size > MAX_UPLOAD:
                    raise web.HTTPRequestEntityTooLarge(MAX_UPLOAD, size)
                chunks.append(chunk)
            content = b"".join(chunks)
    return token, content


async def import_post(request: web.Request) -> web.Response:
    staff, csrf = await admin(request)
    try:
        token, content = await _read_upload(request)
    except web.HTTPRequestEntityTooLarge:
        return await render_enterprises(
            request, staff, csrf, message="文件超过 20 MB，未导入。", status=422
        )
    if not token or not secrets.compare_digest(token, csrf):
        raise web.HTTPForbidden(text="表单已失效，请刷新页面后重试。")
    if not content:
        return await render_enterprises(
            request, staff, csrf, message="请选择要上传的企业名录文件（XLSX 或 CSV）。", status=422
        )
    now = request.app[CLOCK].now()
    try:
        async with request.app[SESSIONS].begin() as session:
            summary = await import_enterprises(session, content)
            detail = {
                "created": summary.created,
                "updated": summary.updated,
                "unchanged": summary.unchanged,
                "failed_rows": summary.failed_rows,
            }
            await audit.append(session, actor=staff.username, action="enterprises_import",
                               subject="enterprises", detail=detail, at=now)  # fmt: skip
    except ImportFileError as error:
        return await render_enterprises(
            request, staff, csrf, message=f"{error}；未导入任何企业。", status=422
        )
    return await render_enterprises(
        request, staff, csrf, summary=summary, status=422 if summary.errors else 200
    )
