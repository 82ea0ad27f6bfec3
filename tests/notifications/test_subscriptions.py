"""Subscribe messages (订阅通知): after the 48-hour window a reporter who accepted our template
in WeChat's popup gets progress as a subscribe message; one who did not, or withdrew it, gets
the template message."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jubao.app import create_app
from jubao.background import BACKGROUND
from notifications.subscriptions import choices_of
from tests.staff import StaffApi
from tests.wechat_client import MpClient

WORKSHOP = "塘桥镇东街一家无名五金加工作坊"
SUBSCRIBE_TEMPLATE = "SUB-TPL-progress"


def popup(*choices: tuple[str, str]) -> str:
    entries = "".join(
        f"<List><TemplateId><![CDATA[{template}]]></TemplateId>"
        f"<SubscribeStatusString><![CDATA[{status}]]></SubscribeStatusString>"
        "<PopupScene>0</PopupScene></List>"
        for template, status in choices
    )
    return entries


@pytest.fixture
async def world(aiohttp_client, api_settings, side, clock, sessions, towns, fake_api):  # type: ignore[no-untyped-def]
    settings = api_settings.replace(
        mp_subscribe_template_id=SUBSCRIBE_TEMPLATE, mp_template_id="TPL-progress"
    )
    client = await aiohttp_client(create_app(settings, clock=clock))
    staff = StaffApi(client, sessions, clock)
    await staff.add("wang", "dispatcher")
    await staff.add("li", "leader")
    return MpClient(client, side, clock), staff, client.app, fake_api


async def choose(wechat: MpClient, openid: str, event: str, *choices: tuple[str, str]) -> None:
    tag = (
        "SubscribeMsgPopupEvent"
        if event == "subscribe_msg_popup_event"
        else ("SubscribeMsgChangeEvent")
    )
    xml = wechat.side.message(openid, "event", None, wechat.now(), Event=event)
    xml = xml.replace("</xml>", f"<{tag}>{popup(*choices)}</{tag}></xml>")
    response = await wechat.post(wechat.side.request(xml, timestamp=wechat.now()))
    assert response.status == 200 and response.reply == ""


def test_one_choice_or_many_are_read():
    one = {"List": {"TemplateId": "A", "SubscribeStatusString": "accept"}}
    many = {"List": [{"TemplateId": "A", "SubscribeStatusString": "accept"},
                     {"TemplateId": "B", "SubscribeStatusString": "reject"}]}  # fmt: skip
    assert choices_of(one) == (("A", "accept"),)
    assert choices_of(many) == (("A", "accept"), ("B", "reject"))
    assert choices_of(None) == () and choices_of({"List": "x"}) == ()


async def test_filing_offers_the_subscription_and_an_accepted_one_is_used(world, clock):
    wechat, staff, app, fake = world
    filed = await wechat.file_report("o-sub", town="塘桥镇", place=WORKSHOP)
    assert "订阅通知" in filed.reply
    await choose(wechat, "o-sub", "subscribe_msg_popup_event",
                 ("OTHER-TPL", "reject"), (SUBSCRIBE_TEMPLATE, "accept"))  # fmt: skip
    clock.advance(timedelta(hours=49))
    await staff.act(filed.number, "wang", "accept")
    await app[BACKGROUND].run_once()
    sent = fake.last("mp_subscribe")
    assert sent.to == "o-sub" and sent.body["template_id"] == SUBSCRIBE_TEMPLATE
    data = {key: value["value"] for key, value in sent.body["data"].items()}
    assert data["character_string1"] == filed.number and data["thing2"] == "举报已受理"
    assert all(len(value) <= 20 for key, value in data.items() if key.startswith("thing"))
    assert fake.sent("mp_template") == []


async def test_a_withdrawn_subscription_falls_back_to_the_template(world, clock):
    wechat, staff, app, fake = world
    filed = await wechat.file_report("o-gone", town="塘桥镇", place=WORKSHOP)
    await choose(wechat, "o-gone", "subscribe_msg_popup_event", (SUBSCRIBE_TEMPLATE, "accept"))
    clock.advance(timedelta(hours=49))
    fake.withdrawn.add("o-gone")  # he turned it off in WeChat before we heard of it
    await staff.act(filed.number, "wang", "accept")
    await app[BACKGROUND].run_once()
    assert fake.sent("mp_subscribe") == []
    assert fake.last("mp_template").to == "o-gone"


async def test_a_change_event_withdrawing_it_is_honoured(world, clock):
    wechat, staff, app, fake = world
    filed = await wechat.file_report("o-change", town="塘桥镇", place=WORKSHOP)
    await choose(wechat, "o-change", "subscribe_msg_popup_event", (SUBSCRIBE_TEMPLATE, "accept"))
    await choose(wechat, "o-change", "subscribe_msg_change_event", (SUBSCRIBE_TEMPLATE, "reject"))
    clock.advance(timedelta(hours=49))
    await staff.act(filed.number, "wang", "accept")
    await app[BACKGROUND].run_once()
    assert fake.sent("mp_subscribe") == [] and fake.last("mp_template").to == "o-change"


async def test_a_popup_mid_dialogue_keeps_the_dialogue(world):
    wechat, _, _, _ = world
    await wechat.say("o-mid", "举报")
    await choose(wechat, "o-mid", "subscribe_msg_popup_event", (SUBSCRIBE_TEMPLATE, "accept"))
    asked_town = await wechat.say("o-mid", "1")  # the category: the dialogue went on
    assert "塘桥镇" in asked_town and "杨舍镇" in asked_town
