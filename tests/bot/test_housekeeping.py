"""Stored replies are erased after 10 minutes; idle dialogues after 24 hours."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.housekeeping import purge
from bot.models import Dialogue
from bot.store import CoreStore
from notifications.message_log import InboundMessage


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


async def test_on_sqlite_the_purge_and_the_retry_lookup_read_only_their_partial_indexes(
    sessions, clock
):
    """The plans of the statements `purge` and the retry's reply lookup really run (traced on
    the sqlite3 connection, values bound), not of copies of them."""
    async with sessions.begin() as session:
        if session.bind.dialect.name != "sqlite":
            pytest.skip("query plans are SQLite's here")
        connection = await session.connection()
        raw = (await connection.get_raw_connection()).driver_connection.sqlite
        traced: list[str] = []
        raw.set_trace_callback(traced.append)
        try:
            await purge(session, clock.now())
            await CoreStore(connection).logged_reply("mp", 1, None)
        finally:
            raw.set_trace_callback(None)
        erase = next(sql for sql in traced if sql.startswith("UPDATE inbound_messages"))
        lookup = next(sql for sql in traced if "reply_enc" in sql and sql.startswith("SELECT"))
        plans = [
            " ".join(row[-1] for row in raw.execute(f"EXPLAIN QUERY PLAN {sql}"))
            for sql in (erase, lookup)
        ]
    assert "ix_inbound_messages_reply_kept" in plans[0], plans[0]
    assert "uq_inbound_messages_channel_msg_id" in plans[1], plans[1]
