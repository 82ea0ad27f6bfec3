"""The dialogue over HTTP: events, media, idle dialogues, plaintext mode, concurrency, logs."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from sqlalchemy import func, select

from complaints.models import Evidence, Report
from jubao.app import create_app
from jubao.demo.wechat import OfficialAccountSide
from notifications.message_log import InboundMessage
from tests.wechat_client import MpClient


async def test_menu_click_starts_and_event_retry_is_recognised(wechat, sessions):
    signed = wechat.signed("o-menu", "event", Event="CLICK", EventKey="REPORT")
    first = await wechat.post(signed)
    again = await wechat.post(signed)
    assert "举报须知" in first.reply and again.reply == first.reply
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(InboundMessage)) == 1


async def test_subscribe_is_welcomed_and_unsubscribe_gets_no_reply(wechat):
    assert "感谢关注" in await wechat.send("o-new", "event", Event="subscribe")
    response = await wechat.post(wechat.signed("o-new", "event", Event="unsubscribe"))
    assert response.status == 200 and response.body == "success"


async def test_unexpected_message_type_repeats_the_question(wechat):
    await wechat.say("o-link", "举报")
    reply = await wechat.send("o-link", "link", Title="t", Description="d", Url="http://x")
    assert "请选择举报类型" in reply


async def test_location_names_the_town_and_is_kept_as_evidence(wechat, sessions):
    await wechat.say("o-loc", "举报")
    await wechat.say("o-loc", "1")
    reply = await wechat.send(
        "o-loc",
        "location",
        Location_X="31.87",
        Location_Y="120.55",
        Scale="15",
        Label="江苏省苏州市张家港市塘桥镇南京路18号",
    )
    assert "单位名称和地址" in reply
    await wechat.say("o-loc", "宏达化工")
    await wechat.say("o-loc", "车间二楼的安全出口被锁死，消防通道堆满货物。")
    await wechat.send("o-loc", "voice", MediaId="voice-1", Format="amr", Recognition="")
    await wechat.send("o-loc", "video", MediaId="video-1", ThumbMediaId="thumb-1")
    await wechat.say("o-loc", "完成")
    await wechat.say("o-loc", "2")
    reply = await wechat.say("o-loc", "1")
    assert "举报编号" in reply
    async with sessions() as session:
        kinds = (await session.scalars(select(Evidence.kind).order_by(Evidence.id))).all()
    assert kinds == ["location", "voice", "video"]


async def test_dialogue_idle_for_a_day_is_dropped(wechat, clock):
    await wechat.say("o-idle", "举报")
    await wechat.say("o-idle", "1")
    clock.advance(timedelta(hours=24, minutes=1))
    reply = await wechat.say("o-idle", "塘桥镇")
    assert "超过24小时未完成" in reply
    assert "请选择举报类型" in await wechat.say("o-idle", "举报")


async def test_cancel_keeps_nothing(wechat, sessions):
    await wechat.say("o-cancel", "举报")
    await wechat.say("o-cancel", "1")
    assert "已取消" in await wechat.say("o-cancel", "取消")
    assert "无需取消" in await wechat.say("o-cancel", "取消")
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Report)) == 0


async def test_plaintext_mode(aiohttp_client, settings, clock, towns):
    plain = settings.replace(mp_aes_key="")
    client = await aiohttp_client(create_app(plain, clock=clock))
    side = OfficialAccountSide(plain.mp_token, plain.mp_appid, "")
    citizen = MpClient(client, side, clock)
    filed = await citizen.file_report("o-plain")
    assert filed.number == "ZJG-2026-000001"


async def test_fifty_citizens_at_once_get_unique_gapless_numbers(wechat):
    filed = await asyncio.gather(*(wechat.file_report(f"o-crowd-{n}") for n in range(50)))
    numbers = sorted(f.number for f in filed)
    assert numbers == [f"ZJG-2026-{n:06d}" for n in range(1, 51)]


async def test_identity_never_reaches_the_logs(wechat, caplog):
    caplog.set_level(logging.DEBUG)
    filed = await wechat.file_report("o-secret-openid", name="王秘密", phone="13912345678")
    await wechat.say("o-secret-openid", f"查询 {filed.number} {filed.code}")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "/wechat/mp" in logged  # the access log did run
    for secret in ("o-secret-openid", "王秘密", "13912345678", filed.code.replace(" ", "")):
        assert secret not in logged
