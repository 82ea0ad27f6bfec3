"""The simulator's feed and what it makes of the fake WeChat API's records: pure, no server."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from jubao.demo.fake_api import Sent
from jubao.demo.sim import feed as feed_module
from jubao.demo.sim.feed import ChatEvent, Feed
from jubao.demo.sim.outbound import events_of

AT = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


def sent(channel: str, to: str, body: dict) -> Sent:
    return Sent(channel, to, "", body, AT)


def test_each_api_call_lands_in_the_chat_of_whom_it_is_for() -> None:
    custom = events_of(sent("mp_custom", "o-1", {"msgtype": "text", "text": {"content": "已受理"}}))
    assert [(e.pane, e.party, e.kind, e.text) for e in custom] == [
        ("citizen", "o-1", "text", "已受理")
    ]
    template = events_of(
        sent("mp_template", "o-1", {"touser": "o-1", "template_id": "t", "url": "http://x/r",
             "data": {"first": {"value": "进展"}, "keyword1": {"value": "ZJG-2026-000001"}}})
    )  # fmt: skip
    assert template[0].kind == "card" and template[0].text == "进展\nZJG-2026-000001"
    assert template[0].url == "http://x/r" and template[0].api.endswith("template/send")
    both = events_of(
        sent("work_app", "a|b", {"touser": "a|b", "msgtype": "text", "text": {"content": "提醒"}})
    )
    assert [(e.pane, e.party) for e in both] == [("officer", "a"), ("officer", "b")]
    card = events_of(
        sent("work_app", "a", {"touser": "a", "msgtype": "textcard",
             "textcard": {"title": "新分派", "description": "<div>塘桥镇</div>", "url": "u"}})
    )[0]  # fmt: skip
    assert (card.kind, card.title, card.text, card.url) == ("card", "新分派", "塘桥镇", "u")
    for channel in ("work_appchat", "work_webhook"):
        group = events_of(
            sent(channel, "c", {"msgtype": "markdown", "markdown": {"content": "卡"}})
        )
        assert [(e.pane, e.kind, e.text) for e in group] == [("group", "markdown", "卡")]
    assert events_of(sent("mp_media", "o-1", {})) == []


def test_the_feed_numbers_events_keeps_the_latest_and_wakes_a_waiter(monkeypatch) -> None:
    monkeypatch.setattr(feed_module, "MAX_EVENTS", 3)
    feed = Feed()

    async def story() -> None:
        waiting = asyncio.create_task(feed.wait(0, timeout=5))
        await asyncio.sleep(0)
        feed.publish(ChatEvent("citizen", "o-1", "user", "text", "一", AT))
        assert [e.text for e in await waiting] == ["一"]
        for text in ("二", "三", "四"):
            feed.publish(ChatEvent("citizen", "o-1", "user", "text", text, AT))
        assert [(e.seq, e.text) for e in feed.events] == [(2, "二"), (3, "三"), (4, "四")]
        assert [e.seq for e in feed.after(3)] == [4]
        assert await feed.wait(4, timeout=0.01) == []  # nothing new: back after the timeout
        feed.close()
        assert await feed.wait(4, timeout=5) == []  # closed: no waiting

    asyncio.run(story())
