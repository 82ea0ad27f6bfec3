"""The simulator in the app: its state under one key, and its JSON in and out (refusals as the
API gives them: {"error", "message"})."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from jubao.demo.citizens import DEMO_CITIZENS, Citizen
from jubao.demo.fake_api import FakeWeChat
from jubao.demo.sim.callbacks import Callbacks
from jubao.demo.sim.feed import Feed

STATIC = Path(__file__).parent / "static"
MAX_TEXT = 2_000


@dataclass
class Simulator:
    feed: Feed
    fake: FakeWeChat
    officers: list[dict[str, str]]
    citizens: list[Citizen] = field(default_factory=lambda: list(DEMO_CITIZENS))
    callbacks: Callbacks | None = None


SIMULATOR = web.AppKey("simulator", Simulator)


def json_reply(data: object, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda v: json.dumps(v, ensure_ascii=False))


def refuse(message: str, status: int = 422) -> web.HTTPException:
    """A refusal as the API gives it: {"error", "message"}, 404 or 422."""
    body = json.dumps(
        {"error": "not_found" if status == 404 else "invalid", "message": message},
        ensure_ascii=False,
    )
    kind = web.HTTPNotFound if status == 404 else web.HTTPUnprocessableEntity
    return kind(text=body, content_type="application/json")


async def read_body(request: web.Request) -> dict[str, object]:
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError):
        raise refuse("请求体应为 JSON 对象") from None
    if not isinstance(body, dict):
        raise refuse("请求体应为 JSON 对象")
    return body


def text_field(body: dict[str, object], key: str, *, limit: int = MAX_TEXT) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise refuse(f"缺少 {key}")
    if len(value) > limit:
        raise refuse(f"{key} 过长（最多 {limit} 字）")
    return value
