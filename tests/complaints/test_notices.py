"""What the group, the officer and the reporter hear, through the outbox to WeChat's API."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from jubao.app import create_app
from jubao.background import BACKGROUND
from notifications.models import OutboxMessage
from tests.staff import StaffApi


@pytest.fixture
async def world(aiohttp_client, api_settings, clock, sessions, reports, fake_api):  # type: ignore[no-untyped-def]
    """The app talking to the fake WeChat API, with the group posted by appchat; reports
    filed by the citizens (tests/factories.py) and acted on by the staff over the API."""
    settings = api_settings.replace(work_chatid="wrjubao-group", scheduler=False)
    client = await aiohttp_client(create_app(settings, clock=clock))
    staff = StaffApi(client, sessions, clock)
    await staff.add("wang", "dispatcher")
    await staff.add("li", "leader")
    return reports, staff, client.app, fake_api


async def deliver(app) -> None:  # type: ignore[no-untyped-def]
    await app[BACKGROUND].run_once()


async def test_assignment_reaches_group_and_officer_without_the_reporters_identity(world):
    reports, staff, app, fake = world
    filed = await reports.filed(openid="o-secret-citizen", name="王秘密", phone="13912345678")
    status, report = await staff.act(filed.number, "wang", "accept")
    assert status == 200
    await deliver(app)

    card = fake.last("work_appchat")
    assert filed.number in card.text and "塘桥镇综合执法局" in card.text
    assert "/console/reports/" + filed.number in card.text
    officer_message = fake.last("work_app")
    assert officer_message.to == report["assignee"]["wework_id"]
    assert f"接收 {filed.number}" in officer_message.text
    told = fake.last("mp_custom")
    assert told.to == "o-secret-citizen" and "已受理" in told.text
    for record in fake.sent("work_appchat") + fake.sent("work_app"):
        for secret in ("王秘密", "13912345678", "o-secret-citizen"):
            assert secret not in str(record.body)


async def test_the_web_process_delivers_right_after_the_commit(world):
    reports, staff, _app, fake = world
    filed = await reports.filed(openid="o-1")
    await staff.act(filed.number, "wang", "reject", reason="no_facts", note="地址不详")
    for _ in range(100):
        if fake.sent("mp_custom"):
            break
        await asyncio.sleep(0.02)
    told = fake.last("mp_custom")
    assert (
        "不予受理" in told.text and "无明确举报对象或事实" in told.text and "地址不详" in told.text
    )


async def test_transfer_tells_the_reporter_where(world):
    reports, staff, app, fake = world
    filed = await reports.filed(openid="o-2")
    await staff.act(filed.number, "wang", "transfer", to="市住房和城乡建设局")
    await deliver(app)
    assert "市住房和城乡建设局" in fake.last("mp_custom").text


async def test_with_30_percent_failures_every_message_arrives_exactly_once(world, clock, sessions):
    reports, staff, app, fake = world
    numbers = [(await reports.filed(openid=f"o-many-{n}")).number for n in range(8)]
    fake.fail(0.3, seed=7, kinds=("busy", "http500"))
    for number in numbers:
        await staff.act(number, "wang", "accept")
    for _ in range(30):
        await deliver(app)
        clock.advance(timedelta(minutes=5))
    fake.fail(0)
    await deliver(app)

    for number in numbers:
        assert sum(number in r.text for r in fake.sent("work_appchat")) == 1
        assert sum(number in r.text for r in fake.sent("work_app")) == 1
        assert sum(number in r.text for r in fake.sent("mp_custom")) == 1
    async with sessions() as session:
        pending = await session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status != "sent")
        )
    assert pending == 0
