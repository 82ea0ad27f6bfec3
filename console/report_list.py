"""The console's report list (`/console/reports`): the API's filters plus enterprise, urgency,
channel and a text search, the nearest current deadline first, 50 a page; and its downloads
(`/console/reports.csv`, `/console/reports.xlsx`): every matching report, never the reporter's
identity. Officers see and export only their scope."""

from __future__ import annotations

from datetime import datetime
from math import ceil
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.api import filters_from
from complaints.current_deadline import current_deadline, days_left
from complaints.deadlines import last_day
from complaints.queries import PAGE_SIZE, Row
from complaints.registry_models import Town
from complaints.reminders import CLOCKS
from complaints.report_filters import Filters
from complaints.report_list import all_reports, list_reports
from complaints.vocabulary import CATEGORY_LABELS, CHANNEL_LABELS, STATUS_LABELS
from console.exports import csv_download, xlsx_download
from console.pages import current, holder, page, signed_or_login
from console.report_scope import reports_scope
from jubao.keys import CLOCK, SESSIONS, SETTINGS
from jubao.middlewares import ApiError
from jubao.roles import TAKE_CALLS

EXPORT_HEADER = (
    "编号",
    "接收时间",
    "类别",
    "镇（区）",
    "企业",
    "状态",
    "当前期限",
    "紧急",
    "来源",
    "举报内容摘要",
)
SUMMARY_CHARS = 80


def item(row: Row, now: datetime, tz: ZoneInfo) -> dict[str, object]:
    """One row of the list as the page shows it."""
    report, running = row.report, current_deadline(row.report)
    deadline = None
    if running is not None:
        deadline = {
            "clock": CLOCKS[running.clock].label,
            "day": last_day(running.deadline, tz),
            "days": days_left(running.deadline, now, tz),
            "late": running.deadline < now,
        }
    return {
        "number": report.number,
        "category": CATEGORY_LABELS[report.category],
        "town": row.town,
        "enterprise": row.enterprise.name if row.enterprise else "",
        "status": STATUS_LABELS[report.status],
        "deadline": deadline,
        "urgent": report.urgent,
        "channel": CHANNEL_LABELS.get(report.channel, report.channel),
        "received": report.received_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
    }


def _link(filters: Filters, path: str = "/console/reports", **changes: object) -> str:
    query = urlencode(filters.query(**changes))
    return f"{path}?{query}" if query else path


async def _town_names(session: AsyncSession) -> list[str]:
    return list(await session.scalars(select(Town.name).order_by(Town.position, Town.id)))


async def list_view(request: web.Request) -> web.Response:
    now, tz = request.app[CLOCK].now(), request.app[SETTINGS].tz
    message, filters = "", Filters()
    try:
        filters = filters_from(request)
    except ApiError as error:
        message = error.message
    rows: list[Row] = []
    total, towns = 0, []
    async with request.app[SESSIONS].begin() as session:  # the sign-in check's too
        found = await holder(request, session)
        if found is not None:
            scope = await reports_scope(session, found[0])
            towns = await _town_names(session)
            if not message:
                rows, total = await list_reports(session, scope, filters, now)
    staff, csrf = signed_or_login(found)
    pages = max(1, ceil(total / PAGE_SIZE))
    response = page(
        request,
        "reports.html",
        staff,
        csrf,
        message=message,
        items=[item(row, now, tz) for row in rows],
        total=total,
        filters=filters,
        pages=pages,
        previous=_link(filters, page=filters.page - 1) if filters.page > 1 else None,
        next=_link(filters, page=filters.page + 1) if filters.page < pages else None,
        csv=_link(filters, "/console/reports.csv", page=1),
        xlsx=_link(filters, "/console/reports.xlsx", page=1),
        statuses=STATUS_LABELS,
        categories=CATEGORY_LABELS,
        channels=CHANNEL_LABELS,
        towns=towns,
        takes_calls=staff.role in TAKE_CALLS,
    )
    if message:
        response.set_status(422)
    return response


def export_row(row: Row, tz: ZoneInfo) -> list[object]:
    """A report as a line of the download: what the list shows, and the start of the text."""
    report, running = row.report, current_deadline(row.report)
    summary = " ".join(report.description.split())
    if len(summary) > SUMMARY_CHARS:
        summary = summary[: SUMMARY_CHARS - 1] + "…"
    return [
        report.number,
        report.received_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
        CATEGORY_LABELS[report.category],
        row.town,
        row.enterprise.name if row.enterprise else "",
        STATUS_LABELS[report.status],
        f"{CLOCKS[running.clock].label} {last_day(running.deadline, tz)}" if running else "",
        "是" if report.urgent else "否",
        CHANNEL_LABELS.get(report.channel, report.channel),
        summary,
    ]


async def _export_rows(request: web.Request) -> tuple[list[list[object]], str]:
    staff, _ = await current(request)
    try:
        filters = filters_from(request)
    except ApiError as error:
        raise web.HTTPUnprocessableEntity(text=error.message) from None
    now, tz = request.app[CLOCK].now(), request.app[SETTINGS].tz
    async with request.app[SESSIONS]() as session:
        rows = await all_reports(session, await reports_scope(session, staff), filters, now)
    return [export_row(row, tz) for row in rows], f"举报一览-{now.astimezone(tz):%Y%m%d}"


async def csv_view(request: web.Request) -> web.Response:
    rows, name = await _export_rows(request)
    return csv_download(f"{name}.csv", EXPORT_HEADER, rows)


async def xlsx_view(request: web.Request) -> web.Response:
    rows, name = await _export_rows(request)
    return xlsx_download(f"{name}.xlsx", "举报一览", EXPORT_HEADER, rows)
