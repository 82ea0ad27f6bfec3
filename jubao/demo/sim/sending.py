"""Sending as a citizen (to /wechat/mp) or an officer (to /wechat/work) from the simulator: the
user's bubble into the feed, the signed callback over HTTP, the passive reply (or the refusal)
into the feed after it."""

from __future__ import annotations

import secrets
from typing import Any

from aiohttp import web

from jubao.demo.citizens import Citizen
from jubao.demo.sim.callbacks import Delivery
from jubao.demo.sim.feed import ChatEvent
from jubao.demo.sim.samples import PICTURES, PLACES, VOICE
from jubao.demo.sim.web_io import (
    SIMULATOR,
    STATIC,
    Simulator,
    json_reply,
    read_body,
    refuse,
    text_field,
)
from jubao.keys import CLOCK


async def new_citizen(request: web.Request) -> web.Response:
    body = await read_body(request)
    nickname = text_field(body, "nickname", limit=20).strip()
    citizen = Citizen(f"o-sim-{secrets.token_hex(6)}", nickname)
    request.app[SIMULATOR].citizens.append(citizen)
    return json_reply({"openid": citizen.openid, "nickname": citizen.nickname})


def _origin(request: web.Request) -> str:
    return str(request.url.origin())


async def send_as_citizen(request: web.Request) -> web.Response:
    """Body: {"openid", "type": text|menu|image|voice|location, and "text" | "key" | "index"}."""
    simulator, body = request.app[SIMULATOR], await read_body(request)
    openid = text_field(body, "openid", limit=64)
    if openid not in {c.openid for c in simulator.citizens}:
        raise refuse("没有这位市民", 404)
    kind, now = body.get("type"), request.app[CLOCK].now()
    callbacks = simulator.callbacks
    assert callbacks is not None
    origin = _origin(request)
    if kind == "text":
        text = text_field(body, "text")
        shown = ChatEvent("citizen", openid, "user", "text", text, now)
        send = callbacks.citizen(origin, openid, "text", Content=text)
    elif kind == "menu":
        key = {"REPORT": "举报", "QUERY": "查询", "CLAIM": "领奖"}.get(str(body.get("key")))
        if key is None:
            raise refuse("菜单只有 举报、查询、领奖")
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
        raise refuse("type 应为 text、menu、image、voice 或 location")
    simulator.feed.publish(shown)
    delivery = await send
    _show_answer(simulator, "citizen", openid, delivery, request)
    return json_reply({"status": delivery.status, "reply": delivery.reply})


def _pick(choices: tuple[Any, ...], body: dict[str, object]) -> Any:
    index = body.get("index")
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(choices):
        raise refuse(f"index 应为 0–{len(choices) - 1}")
    return choices[index]


def _media(simulator: Simulator, name: str, content_type: str) -> str:
    """A fresh temporary media id on the fake API for one of the bundled files (WeChat gives
    every upload its own), so the service can download it as evidence."""
    media_id = f"sim-{secrets.token_hex(8)}"
    simulator.fake.add_media(media_id, (STATIC / name).read_bytes(), content_type)
    return media_id


async def send_as_officer(request: web.Request) -> web.Response:
    """Body: {"user": wework_id, "text"}: an officer writes to the app, 1:1."""
    simulator, body = request.app[SIMULATOR], await read_body(request)
    user = text_field(body, "user", limit=64)
    if user not in {o["wework_id"] for o in simulator.officers}:
        raise refuse("没有这位执法人员", 404)
    text, now = text_field(body, "text"), request.app[CLOCK].now()
    callbacks = simulator.callbacks
    assert callbacks is not None
    simulator.feed.publish(ChatEvent("officer", user, "user", "text", text, now))
    delivery = await callbacks.officer(_origin(request), user, text)
    _show_answer(simulator, "officer", user, delivery, request)
    return json_reply({"status": delivery.status, "reply": delivery.reply})


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
