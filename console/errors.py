"""A refusal on a console page (403, 404, 422 with a message) as a page of the console, not
aiohttp's bare text; an unexpected error as a console page that says only that (the traceback
goes to the log, never to the page)."""

from __future__ import annotations

import logging

import aiohttp_jinja2
from aiohttp import web
from aiohttp.typedefs import Handler

from console.pages import SIGNED_IN, bar
from jubao.inputs import BadInput, clean, clean_all
from jubao.outage import is_outage

log = logging.getLogger(__name__)

SHOWN = frozenset({403, 404, 422})
TITLES = {403: "无权访问", 404: "没有找到", 422: "无法处理", 500: "系统错误"}
FAILED = "系统出现错误，请稍后重试；如果一再出现，请联系系统管理员。"


@web.middleware
async def error_pages(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPException as error:
        if not request.path.startswith("/console") or error.status not in SHOWN:
            raise
        return _error_page(request, error.status, error.text or "")
    except Exception as error:
        if not request.path.startswith("/console") or is_outage(error):
            raise  # the database away: jubao.outage answers 503
        log.exception("console request failed: %s %s", request.method, request.path)
        return _error_page(request, 500, FAILED)


@web.middleware
async def clean_requests(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Inside error_pages: a console path or query holding a NUL byte (or a lone surrogate) is
    a 422 page before any handler reads it (PostgreSQL refuses NUL in text)."""
    if request.path.startswith("/console"):
        try:
            clean(request.path, "路径")
            clean_all(request.query.items())
        except BadInput as error:
            raise web.HTTPUnprocessableEntity(text=str(error)) from None
    return await handler(request)


def _error_page(request: web.Request, status: int, message: str) -> web.Response:
    """The refusal as a console page; with the bar (links, logout) when the page had found
    who is signed in before refusing."""
    context: dict[str, object] = {"title": TITLES[status], "message": message}
    if SIGNED_IN in request:
        context |= bar(*request[SIGNED_IN])
    return aiohttp_jinja2.render_template("error.html", request, context, status=status)
