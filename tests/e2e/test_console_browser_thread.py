"""The thread with an anonymous reporter, in Chromium: a dispatcher writes in the report page's
「与举报人沟通」 form, the message leaves through the outbox to (fake) WeChat as a
customer-service message; the citizen answers `回复 编号 内容` over the real signed, encrypted
callback, and the reloaded page shows his answer marked 举报人, never his name.

The app here talks to the fake WeChat API (tests/fake_wechat.py), so this module's `client`
is the app built on `api_settings`; `page` and `staff` (tests/conftest.py) use it."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from jubao.app import create_app
from jubao.background import BACKGROUND
from jubao.demo import DEMO_WORK
from jubao.logs import PathOnlyAccessLogger
from tests.e2e.browser import form_of, login, submit
from tests.wechat_client import MpClient

QUESTION = "请问被堵的是几号仓库？方便的话请补充一张照片。"
ANSWER = "是3号仓库，后门也被锁了"


@pytest.fixture
async def client(aiohttp_client, api_settings, clock, towns):  # type: ignore[no-untyped-def]
    settings = api_settings.replace(**DEMO_WORK, mp_template_id="tpl-progress", scheduler=False)
    return await aiohttp_client(
        create_app(settings, clock=clock),
        server_kwargs={"access_log_class": PathOnlyAccessLogger},
    )


async def test_a_staff_message_reaches_the_reporter_and_his_reply_comes_back(
    page, client, staff, side, clock, fake_api, screenshot
):
    wechat = MpClient(client, side, clock)
    filed = await wechat.file_report("o-talk", town="塘桥镇", name="赵六", phone="13700001111")
    await login(page, "wang")
    await page.goto(f"/console/reports/{filed.number}")
    thread = page.locator("#thread")
    await expect(thread.get_by_text("尚无留言。")).to_be_visible()

    write = form_of(page, "发送留言")
    await write.get_by_label("给举报人留言").fill(QUESTION)
    sent = await submit(write.get_by_role("button", name="发送留言"))
    assert sent.status == 200 and sent.url.endswith(f"/console/reports/{filed.number}")
    await expect(thread.locator(".message.staff")).to_contain_text(QUESTION)
    await expect(thread.locator(".message.staff .meta")).to_contain_text("wang · 工作人员")

    await client.app[BACKGROUND].run_once()  # the outbox delivers it
    delivered = fake_api.last("mp_custom")
    assert delivered.to == "o-talk" and QUESTION in delivered.text
    assert f"回复请发送：回复 {filed.number} 内容" in delivered.text

    answer = await wechat.say("o-talk", f"回复 {filed.number} {ANSWER}")
    assert answer == f"已收到您对 {filed.number} 的回复，工作人员会尽快查看。"
    await page.reload()
    reply = thread.locator(".message.reporter")
    await expect(reply).to_contain_text(ANSWER)
    await expect(reply.locator(".meta .tag")).to_have_text("举报人")
    await expect(thread.locator(".message")).to_have_count(2)  # his answer after the question
    await expect(thread.locator(".message").last).to_contain_text(ANSWER)
    for secret in ("赵六", "13700001111", "o-talk"):
        await expect(page.get_by_text(secret)).to_have_count(0)
    await screenshot("thread")
