"""One report's whole story so far, every hop over the real protocols: a citizen's chat, the
dispatcher's API call, the group card and the officer's app message through the fake WeChat
API, and the officer's 接收 / 进展 / 属实 in the WeChat Work app."""

from __future__ import annotations

import json

from jubao.app import create_app
from jubao.background import BACKGROUND
from jubao.demo import DEMO_WORK
from tests.staff import StaffApi
from tests.wechat_client import MpClient, WorkClient


async def test_from_the_chat_to_the_officers_finding(
    aiohttp_client, api_settings, side, clock, sessions, towns, fake_api
):
    settings = api_settings.replace(**DEMO_WORK, work_chatid="wr-group", scheduler=False)
    client = await aiohttp_client(create_app(settings, clock=clock))
    app = client.app
    wechat = MpClient(client, side, clock)
    staff = StaffApi(client, sessions, clock)
    await staff.add("wang", "dispatcher")
    work = WorkClient.of(client, settings, clock)
    fake_api.add_media("media-o-story-0", b"\xff\xd8photo", "image/jpeg")

    filed = await wechat.file_report(
        "o-story", town="塘桥镇", place="宏达化工", evidence=1, name="赵六", phone="13700001111"
    )
    status, report = await staff.act(filed.number, "wang", "accept")
    assert status == 200 and report["status"] == "assigned" and report["urgent"] is True
    officer = report["assignee"]["wework_id"]
    await app[BACKGROUND].run_once()

    card = fake_api.last("work_appchat")
    assert filed.number in card.text and "紧急" in card.text
    assert fake_api.last("work_app").to == officer
    assert "已受理" in fake_api.last("mp_custom").text
    for record in fake_api.sent("work_appchat") + fake_api.sent("work_app"):
        assert "赵六" not in record.text and "13700001111" not in record.text
        body = json.dumps(record.body, ensure_ascii=False)  # every field, not only the text
        for secret in ("赵六", "13700001111", "o-story"):
            assert secret not in body

    assert "已接收" in await work.say(officer, f"接收 {filed.number}")
    assert "已记录" in await work.say(officer, f"进展 {filed.number} 已到现场，危化品露天堆放")
    assert "属实" in await work.say(officer, f"属实 {filed.number} 危化品违规堆放，已责令整改")
    report = await staff.report(filed.number, "wang")
    assert report["status"] == "concluded" and report["finding"] == "substantiated"
    assert [e["action"] for e in report["events"]] == [
        "file",
        "accept",
        "assign",
        "take",
        "progress",
        "conclude",
    ]
