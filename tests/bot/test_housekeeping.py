"""Stored replies are erased after 10 minutes; idle dialogues after 24 hours."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.housekeeping import purge
from bot.models import Dialogue, InboundMessage


async def test_purge_forgets_old_replies_and_idle_dialogues(wechat, sessions, clock):
    await wechat.say("o-keep", "举报")
    signed = wechat.signed("o-keep", "text", Content="1")
    first = await wechat.post(signed)

    clock.advance(timedelta(minutes=11))
    async with sessions.begin() as session:
        assert await purge(session, clock.now()) == (2, 0)
    async with sessions() as session:
        kept = await session.scalar(
            select(func.count()).where(InboundMessage.reply_enc.is_not(None))
        )
    assert kept == 0 and "镇（区）" in first.reply

    clock.advance(timedelta(hours=24))
    async with sessions.begin() as session:
        assert await purge(session, clock.now()) == (0, 1)
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Dialogue)) == 0
