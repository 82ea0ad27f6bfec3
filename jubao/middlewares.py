"""Middlewares: JSON errors for the API ({"error": CODE, "message": TEXT}, SPEC §5/§11)."""

from __future__ import annotations

import json
import logging

from aiohttp import web
from aiohttp.typedefs import Handler

from jubao.inputs import BadInput, clean, clean_all, parse_json

log = logging.getLogger(__name__)

HTTP_CODES = {
    400: "invalid",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "invalid",
    409: "illegal_transition",
    413: "invalid",
    422: "invalid",
}


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _utf8_json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False)  # Chinese as UTF-8, not \\u escapes


def json_response(data: object, *, status: int = 200) -> web.Response:
    """A JSON response in UTF-8 (aiohttp's default escapes every Chinese character)."""
    return web.json_response(data, status=status, dumps=_utf8_json)


async def json_object(request: web.Request) -> dict[str, object]:
    """The request's body, which must be a JSON object within jubao.inputs' bounds (depth,
    number length, clean text); 422 otherwise."""
    try:
        body = parse_json(await request.read())
    except BadInput as error:
        raise ApiError(422, "invalid", f"请求体应为 JSON 对象：{error}") from None
    if not isinstance(body, dict):
        raise ApiError(422, "invalid", "请求体应为 JSON 对象")
    return body


def error_response(status: int, code: str, message: str) -> web.Response:
    return json_response({"error": code, "message": message}, status=status)


@web.middleware
async def json_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not request.path.startswith("/api/"):
        return await handler(request)
    try:
        clean(request.path, "路径")
        clean_all(request.query.items())
        return await handler(request)
    except BadInput as error:
        return error_response(422, "invalid", str(error))
    except ApiError as error:
        return error_response(error.status, error.code, error.message)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        return error_response(error.status, HTTP_CODES.get(error.status, "invalid"), error.reason)
    except Exception:
        log.exception("API request failed: %s %s", request.method, request.path)
        return error_response(500, "internal", "服务器内部错误")
