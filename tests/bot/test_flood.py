"""A citizen who floods the Official Account (issue 14, item 5): 30 messages a minute per
openid, the 31st answered politely once, then silence; a WeChat retry is answered as before and
never counted; the count is shared by every web process on the database; and whatever he
sends, the staff get one assignment card per report and a bounded number of messages."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.flood import LIMIT, TOO_MANY, reply_over
from bot.models import Dialogue
from jubao.app import create_app
from notifications.channels import Channel
from notifications.models import OutboxMessage
from tests.wechat_client import MpClient


def test_past_the_limit_one_polite_answer_then_silence():
    assert [reply_over(n, 3) for n in (1, 3, 4, 5, 40)] == [None, None, TOO_MANY, "", ""]


async def dialogues(sessions) -> int:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        return await session.scalar(select(func.count()).select_from(Dialogue))


async def test_thirty_a_minute_then_one_polite_answer_then_silence(wechat, sessions, clock):
    early = wechat.signed("o-flood", "text", Content="你好")
    first = await wechat.post(early)
    for _ in range(LIMIT - 1):
        assert (await wechat.say("o-flood", "你好")) == first.reply
    polite = wechat.signed("o-flood", "text", Content="你好")
    assert (await wechat.post(polite)).reply == TOO_MANY
    report = await wechat.post(wechat.signed("o-flood", "text", Content="举报"))
    assert report.status == 200 and report.body == "success"  # silence
    assert await dialogues(sessions) == 0  # the silenced 举报 started nothing
    # WeChat's retries: answered as the first delivery was, and not counted.
    assert (await wechat.post(polite)).reply == TOO_MANY
    assert (await wechat.post(early)).reply == first.reply
    assert "请选择举报类型" in await wechat.say("o-other", "举报")  # others are not held
    clock.advance(timedelta(minutes=1))
    assert "请选择举报类型" in await wechat.say("o-flood", "举报")


async def test_a_retry_within_the_limit_is_not_counted(wechat, clock):
    once = wechat.signed("o-retry", "text", Content="你好")
    answer = (await wechat.post(once)).reply
    for _ in range(LIMIT * 2):  # sixty deliveries of one message: one message
        assert (await wechat.post(once)).reply == answer
    for _ in range(LIMIT - 1):
        assert (await wechat.say("o-retry", "你好")) == answer
    assert await wechat.say("o-retry", "你好") == TOO_MANY


async def test_every_web_process_counts_into_the_same_minute(
    wechat, aiohttp_client, settings, side, clock
):
    other = MpClient(await aiohttp_client(create_app(settings, clock=clock)), side, clock)
    for n in range(LIMIT):
        await (wechat if n % 2 else other).say("o-two", "你好")
    assert await other.say("o-two", "你好") == TOO_MANY
    assert await wechat.say("o-two", "你好") == ""


async def outbox(sessions, channel: Channel, like: str) -> int:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        return await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.channel == channel, OutboxMessage.key.like(like))
        )


async def test_whatever_the_citizen_sends_the_staff_hear_a_bounded_amount(
    wechat, staff, sessions, clock
):
    filed = await wechat.file_report("o-loud", town="塘桥镇")
    status, _ = await staff.act(filed.number, "wang", "accept")
    assert status == 200
    assert await outbox(sessions, Channel.WORK_GROUP, "%") == 1  # the assignment card
    officer_before = await outbox(sessions, Channel.WORK_APP, "%")
    for minute in range(3):  # within the rate limit: every message is handled
        for n in range(9):
            await wechat.say("o-loud", f"回复 {filed.number} 第{minute}-{n}次回复")
        await wechat.say("o-loud", f"催办 {filed.number}")
        await wechat.say("o-loud", f"补充 {filed.number}")
        await wechat.say("o-loud", "照片在路上")
        await wechat.say("o-loud", "完成")
        clock.advance(timedelta(minutes=1))
    assert await outbox(sessions, Channel.WORK_GROUP, "%") == 1  # still one card
    # The 27 replies tell the officer once (this hour); urging is once a day at most.
    assert await outbox(sessions, Channel.WORK_APP, "reporter-reply:%") == 1
    assert await outbox(sessions, Channel.WORK_APP, "%") - officer_before <= 2
