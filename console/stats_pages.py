"""The statistics page (`/console/stats?year=Y[&quarter=Q]`) and its downloads (`stats.csv`,
`stats.xlsx`, same parameters): the sentence, the table behind it and charts, for dispatchers,
leaders, auditors and admins. The figures are rewards.statistics', as the API and CLI give."""

from __future__ import annotations

import re
from decimal import Decimal
from urllib.parse import urlencode

from aiohttp import web

from complaints.statistics import (
    CSV_HEADER,
    QUARTER_LABELS,
    SENTENCE_ORDER,
    BadPeriod,
    Period,
    flat_rows,
    period_of,
    sections,
    table,
)
from complaints.vocabulary import CATEGORY_LABELS, CHANNEL_LABELS
from console import charts
from console.exports import XLSX_TYPE, csv_download, download, xlsx_book_bytes
from console.pages import current, page
from jubao.auth import Staff
from jubao.keys import CLOCK, SESSIONS, SETTINGS
from jubao.roles import READ_STATS
from rewards.statistics import period_statistics

MONEY = re.compile(r"\d+\.\d\d")
WIDE = 1060  # px: a chart across the page (a half-width card holds the default 520)


async def _reader(request: web.Request) -> tuple[Staff, str]:
    staff, csrf = await current(request)
    if staff.role not in READ_STATS:
        raise web.HTTPForbidden(text="您的角色不能查看统计。")
    return staff, csrf


def _period(request: web.Request) -> Period:
    """The period asked for; this year when none is (raises BadPeriod on a bad one)."""
    year = request.query.get("year")
    if year is None:
        return Period(request.app[CLOCK].now().astimezone(request.app[SETTINGS].tz).year)
    return period_of(year, request.query.get("quarter"))


async def _figures(request: web.Request, period: Period) -> dict[str, object]:
    async with request.app[SESSIONS]() as session:
        return await period_statistics(
            session, period, request.app[SETTINGS].tz, request.app[CLOCK].now()
        )


def _charts(period: Period, figures: dict[str, object]) -> dict[str, object]:
    by_town: dict[str, int] = figures["by_town"]  # type: ignore[assignment]
    by_channel: dict[str, int] = figures["by_channel"]  # type: ignore[assignment]
    by_month: dict[str, int] = figures["by_month"]  # type: ignore[assignment]
    categories = [(CATEGORY_LABELS[key], int(figures[key])) for key in SENTENCE_ORDER]  # type: ignore[call-overload]
    found = {
        "category": charts.bar_chart(categories, "按类别"),
        "town": charts.bar_chart(list(by_town.items()), "按镇（区）", width=WIDE),
        "channel": charts.bar_chart(
            [(CHANNEL_LABELS[key], count) for key, count in by_channel.items()], "按渠道"
        ),
    }
    if period.quarter is None:
        months = [(f"{int(key[5:])}月", count) for key, count in by_month.items()]
        found["month"] = charts.column_chart(months, "按月份", width=WIDE)
    return found


def _query(period: Period) -> str:
    return urlencode(
        {"year": period.year, **({"quarter": period.quarter} if period.quarter else {})}
    )


async def stats_view(request: web.Request) -> web.Response:
    staff, csrf = await _reader(request)
    this_year = request.app[CLOCK].now().astimezone(request.app[SETTINGS].tz).year
    context: dict[str, object] = {
        "years": list(range(this_year, this_year - 8, -1)),
        "quarters": QUARTER_LABELS,
        "message": "",
    }
    try:
        period = _period(request)
    except BadPeriod as error:
        context |= {"message": str(error), "period": Period(this_year), "figures": None}
        response = page(request, "stats.html", staff, csrf, **context)
        response.set_status(422)
        return response
    if period.year not in context["years"]:  # type: ignore[operator]
        context["years"] = sorted({*context["years"], period.year}, reverse=True)  # type: ignore[misc]
    figures = await _figures(request, period)
    by_town: dict[str, int] = figures["by_town"]  # type: ignore[assignment]
    by_channel: dict[str, int] = figures["by_channel"]  # type: ignore[assignment]
    return page(
        request,
        "stats.html",
        staff,
        csrf,
        **context,
        period=period,
        figures=figures,
        rows=table(figures),
        towns=list(by_town.items()),
        channels=[(CHANNEL_LABELS[key], count) for key, count in by_channel.items()],
        charts=_charts(period, figures),
        query=_query(period),
    )


async def _download_period(request: web.Request) -> Period:
    await _reader(request)
    try:
        return _period(request)
    except BadPeriod as error:
        raise web.HTTPUnprocessableEntity(text=str(error)) from None


async def stats_csv(request: web.Request) -> web.Response:
    period = await _download_period(request)
    figures = await _figures(request, period)
    return csv_download(f"举报统计-{period.slug}.csv", CSV_HEADER, flat_rows(period, figures))


def workbook(period: Period, figures: dict[str, object]) -> bytes:
    """The sentence and the table on the first sheet; each breakdown on a sheet of its own."""
    (title, rows), *breakdowns = sections(figures)
    first = [
        (f"{period.label}安全生产举报统计",),
        (figures["sentence"],),
        (),
        ("项目", "数值"),
        *map(_cells, rows),
    ]
    return xlsx_book_bytes(
        [(title, first), *((name, [("项目", "数值"), *items]) for name, items in breakdowns)]
    )


def _cells(row: tuple[str, object]) -> tuple[str, object]:
    """Amounts ("92250.00") as numbers, so Excel sums them; the rest as they are."""
    label, value = row
    if isinstance(value, str) and MONEY.fullmatch(value):
        return label, Decimal(value)
    return label, value


async def stats_xlsx(request: web.Request) -> web.Response:
    period = await _download_period(request)
    body = workbook(period, await _figures(request, period))
    return download(body, f"举报统计-{period.slug}.xlsx", XLSX_TYPE)


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/console/stats", stats_view)
    app.router.add_get("/console/stats.csv", stats_csv)
    app.router.add_get("/console/stats.xlsx", stats_xlsx)
