"""A refusal on a console page (403, 404, 422 with a message) as a page of the console, not
aiohttp's bare text."""

from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web
from aiohttp.typedefs import Handler

SHOWN = frozenset({403, 404, 422})
TITLES = {403: "无权访问", 404: "没有找到", 422: "无法处理"}


@web.middleware
async def error_pages(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPException as error:
        if not request.path.startswith("/console") or error.status not in SHOWN:
            raise
        context = {"title": TITLES[error.status], "message": error.text or ""}
        return aiohttp_jinja2.render_template("error.html", request, context, status=error.status)
