"""Officers work a report from the WeChat Work app over the real (encrypted) callback."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlencode

import pytest
from sqlalchemy import func, select

from jubao.app import create_app
from jubao.demo.wechat import SignedRequest
from notifications.message_log import InboundMessage
from notifications.models import OutboxMessage
from tests.factories import Reports
from tests.staff import StaffApi
from tests.wechat_client import WorkClient, next_work_msg_id

# WeChat Work's published test app (SPEC §2).
WORK = {
    "work_token": "QDG6eK",
    "work_aes_key": "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
    "work_corpid": "wx5823bf96d3bd56c7",
}


@pytest.fixture
async def desk(aiohttp_client, settings, clock, sessions, towns):  # type: ignore[no-untyped-def]
    """The app with a WeChat Work app; reports made by the domain services (tests/
    factories.py), read back through the staff API, and worked over the real callback."""
    app_settings = settings.replace(**WORK, scheduler=False)
    client = await aiohttp_client(create_app(app_settings, clock=clock))
    staff = StaffApi(client, sessions, clock)
    await staff.add("wang", "dispatcher")
    await staff.add("zhangwei", "officer", wework_id="zhangwei")
    reports = Reports(sessions, app_settings, clock)
    return reports, staff, WorkClient.of(client, app_settings, clock)


async def assigned_to_zhangwei(reports: Reports) -> str:
    """A citizen's report, accepted and assigned to zhangwei (塘桥镇), not yet taken."""
    return (await reports.advanced("assigned", by="zhangwei")).number


async def test_officer_takes_reports_progress_and_concludes(desk):
    reports, staff, work = desk
    number = await assigned_to_zhangwei(reports)

    assert number in await work.say("zhangwei", "我的")
    assert f"已接收 {number}" in await work.say("zhangwei", f"接收 {number}")
    assert (await staff.report(number, "wang"))["status"] == "investigating"
    assert "已记录" in await work.say("zhangwei", f"进展 {number} 已到现场，通道确有堆放")
    reply = await work.say("zhangwei", f"属实 {number} 消防通道堵塞，已责令整改")
    assert "属实" in reply
    report = await staff.report(number, "wang")
    assert report["status"] == "concluded" and report["finding"] == "substantiated"
    assert report["summary"] == "消防通道堵塞，已责令整改"
    assert [e["actor"] for e in report["events"]][-3:] == ["zhangwei"] * 3
    assert "没有分派给您" in await work.say("zhangwei", "我的")


async def test_not_his_report_unknown_user_and_bad_commands(desk):
    reports, staff, work = desk
    number = await assigned_to_zhangwei(reports)
    assert "没有分派给您" in await work.say("zhaomin", f"接收 {number}")
    assert (await staff.report(number, "wang"))["status"] == "assigned"
    assert "不在执法人员名单" in await work.say("stranger", "我的")
    assert "请写明举报编号" in await work.say("zhangwei", "接收")
    assert "请在编号后写明理由" in await work.say("zhangwei", f"退回 {number}")
    assert "可用指令" in await work.say("zhangwei", "你好")
    assert "没有这件举报" in await work.say("zhangwei", "接收 ZJG-2026-999999")


async def test_return_sends_it_back_for_reassignment(desk, sessions):
    reports, staff, work = desk
    await staff.add("wang2", "dispatcher", wework_id="wang-wx")
    number = await assigned_to_zhangwei(reports)
    assert "已退回" in await work.say("zhangwei", f"退回 {number} 不属于本镇辖区")
    report = await staff.report(number, "wang")
    assert report["status"] == "accepted" and report["assignee"] is None
    assert report["events"][-1]["note"] == "不属于本镇辖区"
    async with sessions() as session:
        told = (
            await session.execute(
                select(OutboxMessage.recipient, OutboxMessage.text).where(
                    OutboxMessage.key.like(f"returned:{number}:%")
                )
            )
        ).all()
    assert len(told) == 1 and told[0][0] == "wang-wx"
    assert "【退回】" in told[0][1] and "不属于本镇辖区" in told[0][1] and "重新分派" in told[0][1]


async def test_overdue_lists_only_late_reports(desk, clock):
    reports, _, work = desk
    number = await assigned_to_zhangwei(reports)
    assert "没有逾期" in await work.say("zhangwei", "逾期")
    clock.advance(timedelta(days=4))  # Friday + 1 working day ends Monday 24:00; now Tuesday
    assert number in await work.say("zhangwei", "逾期")


async def test_a_retried_command_acts_once(desk, sessions):
    reports, staff, work = desk
    number = await assigned_to_zhangwei(reports)
    signed = work.signed("zhangwei", f"进展 {number} 第一次检查")
    first, again = await work.post(signed), await work.post(signed)
    assert first == again and first[0] == 200
    report = await staff.report(number, "wang")
    assert [e["action"] for e in report["events"]].count("progress") == 0  # not taken yet
    assert "当前状态不能" in first[1]
    signed = work.signed("zhangwei", f"接收 {number}")
    assert (await work.post(signed))[1] == (await work.post(signed))[1]
    events = (await staff.report(number, "wang"))["events"]
    assert [e["action"] for e in events].count("take") == 1


async def test_url_verification(desk, clock):
    _, _, work = desk
    now = int(clock.now().timestamp())
    query = work.side.verification("1616140317555161061", timestamp=now)
    response = await work.client.get("/wechat/work", params=query)
    assert response.status == 200 and await response.text() == "1616140317555161061"
    forged = {**query, "msg_signature": "0" * 40}
    assert (await work.client.get("/wechat/work", params=forged)).status == 403
    stale = work.side.verification("x", timestamp=now - 600)
    assert (await work.client.get("/wechat/work", params=stale)).status == 403
    assert (await work.client.get("/wechat/work", params={"echostr": "x"})).status == 400


@pytest.mark.parametrize(
    "tamper",
    ["signature", "stale", "dtd", "oversized", "missing"],
)
async def test_refusals_write_nothing(desk, sessions, clock, tamper):
    _, _, work = desk
    signed = work.signed("zhangwei", "我的")
    params = {k: v[0] for k, v in parse_qs(signed.query).items()}
    body = signed.body
    expected = 403
    if tamper == "signature":
        params["msg_signature"] = "f" * 40
    elif tamper == "stale":
        params["timestamp"] = str(int(clock.now().timestamp()) - 301)
    elif tamper == "dtd":
        body, expected = b'<!DOCTYPE x [<!ENTITY a "b">]><xml><Encrypt>&a;</Encrypt></xml>', 400
    elif tamper == "oversized":
        body, expected = b"<xml>" + b"x" * (1024 * 1024) + b"</xml>", 413
    else:
        del params["nonce"]
        expected = 400
    status, _ = await work.post(SignedRequest(urlencode(params), body))
    assert status == expected
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(InboundMessage)) == 0


async def test_app_events_get_no_answer_and_write_nothing(desk, sessions, clock):
    _, _, work = desk
    now = int(clock.now().timestamp())
    xml = work.side.message("zhangwei", "event", None, now, Event="enter_agent")
    status, reply = await work.post(work.side.request(xml, timestamp=now))
    assert status == 200 and reply == ""
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(InboundMessage)) == 0


async def test_an_officer_cannot_note_or_conclude_anothers_report(desk):
    reports, staff, work = desk
    number = await assigned_to_zhangwei(reports)
    await work.say("zhangwei", f"接收 {number}")
    assert "没有分派给您" in await work.say("zhaomin", f"进展 {number} 我来看看")
    assert "没有分派给您" in await work.say("zhaomin", f"不属实 {number} 没有问题")
    report = await staff.report(number, "wang")
    assert report["status"] == "investigating" and report["finding"] is None
    assert [e["action"] for e in report["events"]].count("progress") == 0


async def test_a_picture_gets_the_text_only_answer_and_is_logged_once(desk, sessions, clock):
    _, _, work = desk
    now = int(clock.now().timestamp())
    xml = work.side.message(
        "zhangwei",
        "image",
        next_work_msg_id(),
        now,
        PicUrl="http://example.invalid/p.jpg",
        MediaId="media-1",
    )
    signed = work.side.request(xml, timestamp=now)
    first, again = await work.post(signed), await work.post(signed)
    assert first == again and first[0] == 200 and "只接受文字指令" in first[1]
    async with sessions() as session:
        logged = await session.scalar(select(func.count()).where(InboundMessage.channel == "work"))
    assert logged == 1
