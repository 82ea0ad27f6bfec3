"""WeChat's customer-service windows, as a citizen would notice them: a notice reaches him in
the chat while he may be answered there, and as a template message once he may not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from notifications.channels import Channel
from notifications.citizen_window import MESSAGE, QUICK, citizen_channel, opens_window
from notifications.models import OutboxMessage

NOW = datetime(2026, 11, 27, 2, tzinfo=UTC)
WORKSHOP = "塘桥镇东街一家无名五金加工作坊"


@pytest.mark.parametrize(
    ("last", "sent", "expected"),
    [
        (NOW - timedelta(hours=1), 0, Channel.MP_CUSTOM),
        (NOW - timedelta(hours=47, minutes=59), 4, Channel.MP_CUSTOM),
        (NOW - timedelta(hours=1), 5, Channel.MP_TEMPLATE),
        (NOW - timedelta(hours=48), 0, Channel.MP_TEMPLATE),
        (None, 0, Channel.MP_TEMPLATE),
    ],
)
def test_five_messages_within_48_hours_of_his_message(last, sent, expected):
    assert citizen_channel([(MESSAGE, last, sent)], NOW) == expected


@pytest.mark.parametrize(
    ("clicked", "sent", "expected"),
    [
        (NOW - timedelta(seconds=59), 2, Channel.MP_CUSTOM),
        (NOW - timedelta(seconds=59), 3, Channel.MP_TEMPLATE),
        (NOW - timedelta(seconds=60), 0, Channel.MP_TEMPLATE),
    ],
)
def test_three_messages_within_a_minute_of_a_click_follow_or_scan(clicked, sent, expected):
    long_ago = NOW - timedelta(days=3)
    assert citizen_channel([(MESSAGE, long_ago, 0), (QUICK, clicked, sent)], NOW) == expected


@pytest.mark.parametrize(
    ("kind", "event", "opens"),
    [
        ("text", "", True),
        ("image", "", True),
        ("location", "", True),  # a location he sent
        ("event", "click", True),
        ("event", "subscribe", True),
        ("event", "scan", True),
        ("event", "location", False),  # the automatic location report
        ("event", "view", False),
        ("event", "templatesendjobfinish", False),
        ("event", "masssendjobfinish", False),
        ("event", "subscribe_msg_popup_event", False),
        ("event", "unsubscribe", False),
    ],
)
def test_which_messages_open_a_window(kind, event, opens):
    assert opens_window(kind, event) is opens


async def reporter_channels(sessions) -> list[str]:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage.channel)
            .where(OutboxMessage.key.like("reporter:%"))
            .order_by(OutboxMessage.id)
        )
    return list(rows)


async def test_events_he_did_not_make_open_no_window(wechat, staff, sessions, clock):
    filed = await wechat.file_report("o-events", town="塘桥镇", place=WORKSHOP)
    clock.advance(timedelta(hours=49))
    for fields in (
        {"Event": "LOCATION", "Latitude": "31.9", "Longitude": "120.5", "Precision": "30"},
        {"Event": "VIEW", "EventKey": "https://example.org/guide"},
        {"Event": "TEMPLATESENDJOBFINISH", "Status": "success"},
        {"Event": "subscribe_msg_popup_event"},
    ):
        await wechat.send("o-events", "event", **fields)
        clock.advance(timedelta(seconds=1))
    await staff.act(filed.number, "wang", "accept")
    assert await reporter_channels(sessions) == ["mp_template"]


async def test_a_menu_click_opens_a_minute_for_three_messages(wechat, staff, sessions, clock):
    first = await wechat.file_report("o-click", town="塘桥镇", place=WORKSHOP)
    second = await wechat.file_report("o-click", town="塘桥镇", place="塘桥镇西街仓库")
    clock.advance(timedelta(hours=49))
    await wechat.send("o-click", "event", Event="CLICK", EventKey="HELP")
    await staff.act(first.number, "wang", "accept")
    await staff.act(second.number, "wang", "accept")
    await staff.act(first.number, "li", "extend", days=10, note="需要补充检测")
    await staff.act(second.number, "li", "extend", days=10, note="需要补充检测")  # the fourth
    assert await reporter_channels(sessions) == ["mp_custom"] * 3 + ["mp_template"]


async def test_a_click_minute_ends_after_sixty_seconds(wechat, staff, sessions, clock):
    filed = await wechat.file_report("o-slow", town="塘桥镇", place=WORKSHOP)
    clock.advance(timedelta(hours=49))
    await wechat.send("o-slow", "event", Event="CLICK", EventKey="HELP")
    clock.advance(timedelta(seconds=60))
    await staff.act(filed.number, "wang", "accept")
    assert await reporter_channels(sessions) == ["mp_template"]
