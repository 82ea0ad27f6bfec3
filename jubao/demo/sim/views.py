"""The simulator's routes under /sim/: the page, its state, the event stream and the demo
clock (sending is in sending.py). Mounted by `demo_app` only."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime

import aiohttp
from aiohttp import web

from jubao.demo.clock_control import advance, clock_status
from jubao.demo.fake_api import FakeWeChat
from jubao.demo.sim.callbacks import Callbacks
from jubao.demo.sim.feed import ChatEvent, Feed
from jubao.demo.sim.outbound import events_of
from jubao.demo.sim.samples import PICTURES, PLACES, VOICE
from jubao.demo.sim.sending import new_citizen, send_as_citizen, send_as_officer
from jubao.demo.sim.web_io import SIMULATOR, STATIC, Simulator, json_reply, read_body, refuse
from jubao.keys import CLOCK, SETTINGS

KEEP_ALIVE_SECONDS = 15.0
OFFICIAL_ACCOUNT = "张家港应急管理"
GROUP = "举报分派群"


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
    app.router.add_post("/sim/clock", move_clock)
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


async def state(request: web.Request) -> web.Response:
    simulator, settings = request.app[SIMULATOR], request.app[SETTINGS]
    return json_reply(
        {
            "account": OFFICIAL_ACCOUNT,
            "group": GROUP,
            "timezone": settings.timezone,
            "clock": await _clock(request.app),
            "citizens": [{"openid": c.openid, "nickname": c.nickname} for c in simulator.citizens],
            "officers": simulator.officers,
            "pictures": [{"name": p.name, "label": p.label} for p in PICTURES],
            "voice": {"name": VOICE.name, "label": VOICE.label},
            "places": [{"label": p.label} for p in PLACES],
            "last": simulator.feed.events[-1].seq if simulator.feed.events else 0,
        }
    )


async def _clock(app: web.Application) -> dict[str, object]:
    """The clock as the page shows it: its time, how far it was moved, the next deadline."""
    status = await clock_status(app)
    return {
        "now": _iso(status.now),
        "offset_days": round(status.offset.total_seconds() / 86400, 1),
        "next": status.next_text,
    }


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


CLOCK_NOTES = {"day": "时间快进 1 天", "week": "时间快进 1 周", "deadline": "时间快进到下一个期限"}


async def move_clock(request: web.Request) -> web.Response:
    """Body: {"step": "day" | "week" | "deadline"}: move the demo clock, then sweep, run the
    reward clocks and deliver (jubao/demo/clock_control.py); the note goes into every chat
    first, so what falls due arrives after it."""
    simulator, body = request.app[SIMULATOR], await read_body(request)
    step = body.get("step")
    if not isinstance(step, str) or step not in CLOCK_NOTES:
        raise refuse("step 应为 day、week 或 deadline")
    now = request.app[CLOCK].now()
    simulator.feed.publish(ChatEvent("clock", "", "service", "clock", CLOCK_NOTES[step], now))
    move = await advance(request.app, step)
    shown = {**await _clock(request.app), "summary": move.summary}
    simulator.feed.publish(
        ChatEvent("clock", "", "service", "clock-summary", move.summary, move.now, extra=shown)
    )
    return json_reply({**shown, "reminders_sent": move.reminders_sent, "delivered": move.delivered})


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
