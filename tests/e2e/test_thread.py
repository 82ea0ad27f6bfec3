"""The thread with the reporter over the real protocols: a dispatcher's message from the console
goes through the outbox to WeChat's API as a customer-service message; the reporter's
`回复 编号 内容` over the signed, encrypted callback is acknowledged, tells the assignee (or the
dispatchers) without his identity, appears on the console page, and is kept once however often
WeChat retries it."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from jubao.app import create_app
from jubao.background import BACKGROUND
from jubao.demo import DEMO_WORK
from tests.console.test_sign_in import CSRF, log_in
from tests.staff import StaffApi
from tests.thread_helpers import queued, stored
from tests.wechat_client import MpClient

QUESTION = "请问被堵的是几号仓库？方便的话请补充一张照片。"
ANSWER = "是3号仓库，后门也被锁了"


@pytest.fixture
async def app_client(aiohttp_client, api_settings, clock, towns):  # type: ignore[no-untyped-def]
    settings = api_settings.replace(**DEMO_WORK, mp_template_id="tpl-progress", scheduler=False)
    return await aiohttp_client(create_app(settings, clock=clock))


@pytest.fixture
async def staff(app_client, sessions, clock):  # type: ignore[no-untyped-def]
    api = StaffApi(app_client, sessions, clock)
    await api.add("wang", "dispatcher", wework_id="wang-wx")
    await api.add("zhangwei", "officer", wework_id="zhangwei")
    return api


async def send_from_console(client, number: str, text: str) -> None:  # type: ignore[no-untyped-def]
    page = await (await client.get(f"/console/reports/{number}")).text()
    response = await client.post(
        f"/console/reports/{number}/messages",
        data={"csrf_token": CSRF.search(page).group(1), "text": text},
        allow_redirects=False,
    )
    assert response.status == 303


async def test_a_staff_message_reaches_the_reporter_and_his_reply_comes_back(
    app_client, staff, side, clock, sessions, fake_api
):
    wechat = MpClient(app_client, side, clock)
    filed = await wechat.file_report("o-talk", town="塘桥镇", name="赵六", phone="13700001111")
    status, report = await staff.act(filed.number, "wang", "accept")
    assert status == 200
    officer = report["assignee"]["wework_id"]
    await app_client.app[BACKGROUND].run_once()
    await log_in(app_client, "wang")

    await send_from_console(app_client, filed.number, QUESTION)
    await app_client.app[BACKGROUND].run_once()
    sent = fake_api.last("mp_custom")
    assert sent.to == "o-talk"
    assert f"关于您的举报 {filed.number} 的工作人员留言" in sent.text and QUESTION in sent.text
    assert f"回复请发送：回复 {filed.number} 内容" in sent.text

    clock.advance(timedelta(hours=2))
    retried = wechat.signed("o-talk", "text", Content=f"回复　{filed.number}　{ANSWER}")
    first = await wechat.post(retried)
    assert first.reply == f"已收到您对 {filed.number} 的回复，工作人员会尽快查看。"
    again = await wechat.post(retried)  # WeChat retries the same MsgId
    assert again.status == 200 and again.reply == first.reply
    assert await stored(sessions, filed.number) == [("staff", QUESTION), ("reporter", ANSWER)]
    assert len(await queued(sessions, "reporter-reply:")) == 1

    await app_client.app[BACKGROUND].run_once()
    told = fake_api.last("work_app")
    assert told.to == officer and filed.number in told.text and "举报人回复" in told.text
    body = json.dumps(told.body, ensure_ascii=False)
    for secret in ("赵六", "13700001111", "o-talk", ANSWER):
        assert secret not in body

    page = await (await app_client.get(f"/console/reports/{filed.number}")).text()
    thread = page.split("<h2>与举报人沟通")[1].split("</section>")[0]
    assert QUESTION in thread and ANSWER in thread and "举报人" in thread
    assert "赵六" not in page and "13700001111" not in page


async def test_without_an_assignee_the_dispatchers_hear_of_the_reply(
    app_client, staff, side, clock, sessions
):
    wechat = MpClient(app_client, side, clock)
    filed = await wechat.file_report("o-early")
    await wechat.say("o-early", f"回复 {filed.number} 我还有一段视频")
    [told] = await queued(sessions, "reporter-reply:")
    assert told.channel == "work_app" and filed.number in told.text
    assert "我还有一段视频" not in told.text


async def test_a_reply_from_anyone_else_or_to_an_unknown_number_is_refused_alike(
    app_client, staff, side, clock, sessions
):
    wechat = MpClient(app_client, side, clock)
    filed = await wechat.file_report("o-owner")
    unknown = filed.number[:-6] + "999999"
    other = await wechat.say("o-stranger", f"回复 {filed.number} 我来冒充")
    missing = await wechat.say("o-stranger", f"回复 {unknown} 我来冒充")
    assert other == f"没有找到您提交的这件举报：{filed.number}。回复只能由举报人本人发送。"
    assert missing == other.replace(filed.number, unknown)
    assert await stored(sessions, filed.number) == []
    assert await queued(sessions, "reporter-reply:") == []


async def test_inside_a_dialogue_a_reply_is_an_answer_not_a_command(
    app_client, staff, side, clock, sessions
):
    wechat = MpClient(app_client, side, clock)
    filed = await wechat.file_report("o-busy")
    await wechat.say("o-busy", "举报")
    asked = await wechat.say("o-busy", f"回复 {filed.number} 好的")
    assert "已收到您对" not in asked and "举报类型" in asked  # the category question again
    assert await stored(sessions, filed.number) == []
    await wechat.say("o-busy", "取消")
    assert "回复 编号 内容" in await wechat.say("o-busy", "帮助")


async def test_after_48_hours_the_message_goes_as_a_template_message(
    app_client, staff, side, clock, sessions, fake_api
):
    wechat = MpClient(app_client, side, clock)
    filed = await wechat.file_report("o-quiet")
    clock.advance(timedelta(hours=49))
    await log_in(app_client, "wang")
    await send_from_console(app_client, filed.number, QUESTION)
    [message] = await queued(sessions, "staff-message:")
    assert message.channel == "mp_template"
    await app_client.app[BACKGROUND].run_once()
    sent = fake_api.last("mp_template")
    assert sent.to == "o-quiet" and QUESTION in sent.text and filed.number in sent.text
