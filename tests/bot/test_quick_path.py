"""Plain dialogue answers on SQLite take the quick path (bot/quick_path.py): exactly once, the
same replies, and everything else still goes the ordinary way."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.models import InboundMessage
from bot.quick_path import QUICK_PATH

PLACE = "塘桥镇东街一家无名五金加工作坊"


async def at_place_question(wechat, openid: str) -> None:  # type: ignore[no-untyped-def]
    await wechat.say(openid, "举报")
    await wechat.say(openid, "1")
    assert "单位名称和地址" in await wechat.say(openid, "塘桥镇")


async def logged(sessions) -> int:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        return await session.scalar(select(func.count()).select_from(InboundMessage))


async def test_a_retried_plain_answer_gets_the_stored_reply_and_changes_nothing(
    wechat, sessions, database_url
):
    await at_place_question(wechat, "o-quick")
    signed = wechat.signed("o-quick", "text", Content=PLACE)
    first = await wechat.post(signed)
    again = await wechat.post(signed)
    assert first.status == again.status == 200
    assert first.reply == again.reply and "具体情况" in first.reply
    assert await logged(sessions) == 4
    # One step, not two: the description question is still the current one.
    assert "证据" in await wechat.say("o-quick", "车间没有通风，工人不戴口罩打磨金属件。")
    if database_url.startswith("sqlite"):  # the answers above went the quick way
        assert wechat.client.app[QUICK_PATH].connection is not None


async def test_simultaneous_deliveries_of_a_plain_answer_act_once(wechat, sessions):
    await at_place_question(wechat, "o-quick2")
    signed = wechat.signed("o-quick2", "text", Content=PLACE)
    replies = await asyncio.gather(*(wechat.post(signed) for _ in range(3)))
    assert len({r.reply for r in replies}) == 1 and "具体情况" in replies[0].reply
    assert await logged(sessions) == 4


async def test_a_whole_report_mixes_quick_and_ordinary_steps(wechat, sessions):
    filed = await wechat.file_report("o-quick3", town="塘桥镇", place=PLACE)
    assert filed.number.startswith("ZJG-2026-")
    second = await wechat.file_report("o-quick3", town="塘桥镇", place=PLACE)
    assert second.number != filed.number
