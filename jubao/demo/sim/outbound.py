"""What the service sent to WeChat's API, as the simulator shows it: which conversation each
accepted call lands in and what the person there reads. Pure: a record in, events out."""

from __future__ import annotations

import re
from typing import Any

from jubao.demo.fake_api import Sent
from jubao.demo.sim.feed import ChatEvent

# the API path each channel of the fake stands for, shown under the bubble
API_PATHS = {
    "mp_custom": "/cgi-bin/message/custom/send",
    "mp_template": "/cgi-bin/message/template/send",
    "mp_subscribe": "/cgi-bin/message/subscribe/bizsend",
    "work_app": "/cgi-bin/message/send",
    "work_appchat": "/cgi-bin/appchat/send",
    "work_webhook": "/cgi-bin/webhook/send",
}
TAGS = re.compile(r"<[^>]+>")


def events_of(sent: Sent) -> list[ChatEvent]:
    """The bubbles or cards one accepted API call makes; none for a channel not shown."""
    api = API_PATHS.get(sent.channel, "")
    body = sent.body
    if sent.channel == "mp_custom":
        return [_event("citizen", sent.to, "text", _content(body), sent, api)]
    if sent.channel in ("mp_template", "mp_subscribe"):
        title = "模板消息" if sent.channel == "mp_template" else "订阅消息"
        return [
            _event("citizen", sent.to, "card", _values(body), sent, api, title=title,
                   url=str(body.get("url") or body.get("page") or ""))
        ]  # fmt: skip
    if sent.channel == "work_app":
        events = []
        for user in str(body.get("touser", "")).split("|"):
            if user:
                events.append(_work_app(user, body, sent, api))
        return events
    if sent.channel in ("work_appchat", "work_webhook"):
        party = "group"
        return [_event("group", party, _work_kind(body), _content(body), sent, api)]
    return []


def _work_app(user: str, body: dict[str, Any], sent: Sent, api: str) -> ChatEvent:
    if body.get("msgtype") == "textcard":
        card = body.get("textcard") or {}
        return _event(
            "officer",
            user,
            "card",
            TAGS.sub("", str(card.get("description", ""))),
            sent,
            api,
            title=str(card.get("title", "")),
            url=str(card.get("url", "")),
        )
    return _event("officer", user, _work_kind(body), _content(body), sent, api)


def _work_kind(body: dict[str, Any]) -> str:
    return "markdown" if body.get("msgtype") == "markdown" else "text"


def _content(body: dict[str, Any]) -> str:
    msgtype = body.get("msgtype")
    part = body.get(msgtype) if isinstance(msgtype, str) else None
    return str(part.get("content", "")) if isinstance(part, dict) else ""


def _values(body: dict[str, Any]) -> str:
    data = body.get("data")
    if not isinstance(data, dict):
        return ""
    return "\n".join(
        str(value.get("value", "")) for value in data.values() if isinstance(value, dict)
    )


def _event(
    pane: str,
    party: str,
    kind: str,
    text: str,
    sent: Sent,
    api: str,
    *,
    title: str = "",
    url: str = "",
) -> ChatEvent:
    return ChatEvent(pane, party, "service", kind, text, sent.at, title=title, url=url, api=api)
