"""The simulator's routes under /sim/: the page, its state, sending as a citizen or an officer,
the event stream, and the demo clock. Mounted by `demo_app` only."""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from jubao.demo.citizens import DEMO_CITIZENS, Citizen
from jubao.demo.fake_api import FakeWeChat
from jubao.demo.sim.callbacks import Callbacks, Delivery
from jubao.demo.sim.feed import ChatEvent, Feed
from jubao.demo.sim.outbound import events_of
from jubao.demo.sim.samples import PICTURES, PLACES, VOICE
from jubao.keys import CLOCK, SETTINGS

STATIC = Path(__file__).parent / "static"
KEEP_ALIVE_SECONDS = 15.0
MAX_TEXT = 2_000
OFFICIAL_ACCOUNT = "张家港应急管理"
GROUP = "举报分派群"


@dataclass
class Simulator:
    feed: Feed
    fake: FakeWeChat
    officers: list[dict[str, str]]
    citizens: list[Citizen] = field(default_factory=lambda: list(DEMO_CITIZENS))
    callbacks: Callbacks | None = None


SIMULATOR = web.AppKey("simulator", Simulator)


def mount(app: web.Application, fake: FakeWeChat, officers: list[dict[str, str]]) -> None:
    """Add the simulator to the demo app; what the fake accepts goes into its feed."""
    simulator = Simulator(Feed(), fake, officers)
    app[SIMULATOR] = simulator
    fake.listeners.append(lambda sent: [simulator.feed.publish(e) for e in events_of(sent)])
    app.cleanup_ctx.append(_http)
    app.on_shutdown.append(_close_feed)
    app.router.add_get("/sim", _to_slash)
    app.router.add_get("/sim/", page)
    app.router.add_get("/sim/state", state)
    app.router.add_post("/sim/citizens", new_citizen)
    app.router.add_post("/sim/mp", send_as_citizen)
    app.router.add_post("/sim/work", send_as_officer)
    app.router.add_get("/sim/events", events)
    app.router.add_static("/sim/static", STATIC, name="sim-static")


async def _http(app: web.Application) -> AsyncIterator[None]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
        app[SIMULATOR].callbacks = Callbacks(app[SETTINGS], app[CLOCK], http)
        yield


async def _close_feed(app: web.Application) -> None:
    app[SIMULATOR].feed.close()


async def _to_slash(request: web.Request) -> web.Response:
    raise web.HTTPFound("/sim/")


async def page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})


def _json(data: object, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda v: json.dumps(v, ensure_ascii=False))


def _refuse(message: str, status: int = 422) -> web.HTTPException:
    """A refusal as the API gives it: {"error", "message"}, 404 or 422."""
    body = json.dumps(
        {"error": "not_found" if status == 404 else "invalid", "message": message},
        ensure_ascii=False,
    )
    kind = web.HTTPNotFound if status == 404 else web.HTTPUnprocessableEntity
    return kind(text=body, content_type="application/json")


async def state(request: web.Request) -> web.Response:
    simulator, settings = request.app[SIMULATOR], request.app[SETTINGS]
    return _json(
        {
            "account": OFFICIAL_ACCOUNT,
            "group": GROUP,
            "timezone": settings.timezone,
            "clock": _clock(request.app),
            "citizens": [{"openid": c.openid, "nickname": c.nickname} for c in simulator.citizens],
            "officers": simulator.officers,
            "pictures": [{"name": p.name, "label": p.label} for p in PICTURES],
            "voice": {"name": VOICE.name, "label": VOICE.label},
            "places": [{"label": p.label} for p in PLACES],
            "last": simulator.feed.events[-1].seq if simulator.feed.events else 0,
        }
    )


def _clock(app: web.Application) -> dict[str, object]:
    clock = app[CLOCK]
    return {
        "now": clock.now().isoformat().replace("+00:00", "Z"),
        "offset_days": round(clock.offset.total_seconds() / 86400, 1),
        "next": "",
    }


async def _body(request: web.Request) -> dict[str, object]:
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError):
        raise _refuse("请求体应为 JSON 对象") from None
    if not isinstance(body, dict):
        raise _refuse("请求体应为 JSON 对象")
    return body


def _text(body: dict[str, object], key: str, *, limit: int = MAX_TEXT) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _refuse(f"缺少 {key}")
    if len(value) > limit:
        raise _refuse(f"{key} 过长（最多 {limit} 字）")
    return value


async def new_citizen(request: web.Request) -> web.Response:
    body = await _body(request)
    nickname = _text(body, "nickname", limit=20).strip()
    citizen = Citizen(f"o-sim-{secrets.token_hex(6)}", nickname)
    request.app[SIMULATOR].citizens.append(citizen)
    return _json({"openid": citizen.openid, "nickname": citizen.nickname})


def _origin(request: web.Request) -> str:
    return str(request.url.origin())


async def send_as_citizen(request: web.Request) -> web.Response:
    """Body: {"openid", "type": text|menu|image|voice|location, and "text" | "key" | "index"}."""
    simulator, body = request.app[SIMULATOR], await _body(request)
    openid = _text(body, "openid", limit=64)
    if openid not in {c.openid for c in simulator.citizens}:
        raise _refuse("没有这位市民", 404)
    kind, now = body.get("type"), request.app[CLOCK].now()
    callbacks = simulator.callbacks
    assert callbacks is not None
    origin = _origin(request)
    if kind == "text":
        text = _text(body, "text")
        shown = ChatEvent("citizen", openid, "user", "text", text, now)
        send = callbacks.citizen(origin, openid, "text", Content=text)
    elif kind == "menu":
        key = {"REPORT": "举报", "QUERY": "查询", "CLAIM": "领奖"}.get(str(body.get("key")))
        if key is None:
            raise _refuse("菜单只有 举报、查询、领奖")
        shown = ChatEvent("citizen", openid, "user", "menu", key, now)
        send = callbacks.citizen(origin, openid, "event", Event="CLICK", EventKey=body["key"])
    elif kind == "image":
        picture = _pick(PICTURES, body)
        media_id = _media(simulator, picture.name, picture.content_type)
        url = f"/sim/static/{picture.name}"
        shown = ChatEvent("citizen", openid, "user", "image", picture.label, now, url=url)
        send = callbacks.citizen(origin, openid, "image", PicUrl=f"{origin}{url}", MediaId=media_id)
    elif kind == "voice":
        media_id = _media(simulator, VOICE.name, VOICE.content_type)
        url = f"/sim/static/{VOICE.name}"
        shown = ChatEvent("citizen", openid, "user", "voice", VOICE.label, now, url=url)
        send = callbacks.citizen(origin, openid, "voice", MediaId=media_id, Format="amr")
    elif kind == "location":
        place = _pick(PLACES, body)
        shown = ChatEvent("citizen", openid, "user", "location", place.label, now)
        send = callbacks.citizen(
            origin, openid, "location", Location_X=str(place.latitude),
            Location_Y=str(place.longitude), Scale=15, Label=place.label,
        )  # fmt: skip
    else:
        raise _refuse("type 应为 text、menu、image、voice 或 location")
    simulator.feed.publish(shown)
    delivery = await send
    _show_answer(simulator, "citizen", openid, delivery, request)
    return _json({"status": delivery.status, "reply": delivery.reply})


def _pick(choices: tuple[Any, ...], body: dict[str, object]) -> Any:
    index = body.get("index")
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(choices):
        raise _refuse(f"index 应为 0–{len(choices) - 1}")
    return choices[index]


def _media(simulator: Simulator, name: str, content_type: str) -> str:
    """A fresh temporary media id on the fake API for one of the bundled files (WeChat gives
    every upload its own), so the service can download it as evidence."""
    media_id = f"sim-{secrets.token_hex(8)}"
    simulator.fake.add_media(media_id, (STATIC / name).read_bytes(), content_type)
    return media_id


async def send_as_officer(request: web.Request) -> web.Response:
    """Body: {"user": wework_id, "text"}: an officer writes to the app, 1:1."""
    simulator, body = request.app[SIMULATOR], await _body(request)
    user = _text(body, "user", limit=64)
    if user not in {o["wework_id"] for o in simulator.officers}:
        raise _refuse("没有这位执法人员", 404)
    text, now = _text(body, "text"), request.app[CLOCK].now()
    callbacks = simulator.callbacks
    assert callbacks is not None
    simulator.feed.publish(ChatEvent("officer", user, "user", "text", text, now))
    delivery = await callbacks.officer(_origin(request), user, text)
    _show_answer(simulator, "officer", user, delivery, request)
    return _json({"status": delivery.status, "reply": delivery.reply})


def _show_answer(
    simulator: Simulator, pane: str, party: str, delivery: Delivery, request: web.Request
) -> None:
    now = request.app[CLOCK].now()
    if delivery.status != 200:
        text = f"回调被拒绝：HTTP {delivery.status} {delivery.error}".strip()
        simulator.feed.publish(ChatEvent(pane, party, "service", "refusal", text, now))
    elif delivery.reply:
        event = ChatEvent(pane, party, "service", "text", delivery.reply, now, api="被动回复")
        simulator.feed.publish(event)


async def events(request: web.Request) -> web.StreamResponse:
    """Server-Sent Events: every chat event after Last-Event-ID (or ?after=), then as they come."""
    feed = request.app[SIMULATOR].feed
    raw = request.headers.get("Last-Event-ID") or request.query.get("after") or "0"
    last = int(raw) if raw.isdigit() and len(raw) < 12 else 0
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store"}
    )
    await response.prepare(request)
    try:
        while not feed.closed:
            batch = await feed.wait(last, KEEP_ALIVE_SECONDS)
            if not batch:
                await response.write(b": keep-alive\n\n")
                continue
            for event in batch:
                data = json.dumps(event.as_json(), ensure_ascii=False)
                await response.write(f"id: {event.seq}\ndata: {data}\n\n".encode())
                last = event.seq
    except (ConnectionResetError, ConnectionError):
        pass
    return response
