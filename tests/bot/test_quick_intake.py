"""Dialogue-only answers run on the driver's own connection, on SQLite and PostgreSQL alike
(bot/intake.py: QuickIntake): exactly once, the same replies, and everything else still goes the
session way."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
from sqlalchemy import func, select

from bot import citizen_message
from bot.intake import INTAKE
from jubao.sqlite import driver
from notifications.message_log import InboundMessage

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
    await at_place_question(wechat, "o-own")
    signed = wechat.signed("o-own", "text", Content=PLACE)
    first = await wechat.post(signed)
    again = await wechat.post(signed)
    assert first.status == again.status == 200
    assert first.reply == again.reply and "具体情况" in first.reply
    assert await logged(sessions) == 4
    # One step, not two: the description question is still the current one.
    assert "证据" in await wechat.say("o-own", "车间没有通风，工人不戴口罩打磨金属件。")
    if database_url.startswith("sqlite"):  # the answers above went on the own connection
        assert wechat.client.app[INTAKE].transactions.connection is not None


async def test_simultaneous_deliveries_of_a_plain_answer_act_once(wechat, sessions):
    await at_place_question(wechat, "o-own2")
    signed = wechat.signed("o-own2", "text", Content=PLACE)
    replies = await asyncio.gather(*(wechat.post(signed) for _ in range(3)))
    assert len({r.reply for r in replies}) == 1 and "具体情况" in replies[0].reply
    assert await logged(sessions) == 4


async def test_a_whole_report_mixes_dialogue_only_and_session_steps(
    wechat, database_url, monkeypatch
):
    """Only the message that files goes the session way; every answer before it is
    dialogue-only, taken on the quick path."""
    by_session: list[str] = []
    handle = citizen_message.handle

    async def counted(session, envelope, **kwargs):  # type: ignore[no-untyped-def]
        by_session.append(envelope.inbound.text)
        return await handle(session, envelope, **kwargs)

    monkeypatch.setattr(citizen_message, "handle", counted)
    filed = await wechat.file_report("o-own3", town="塘桥镇", place=PLACE)
    assert filed.number.startswith("ZJG-2026-")
    second = await wechat.file_report("o-own3", town="塘桥镇", place=PLACE)
    assert second.number != filed.number
    assert by_session == ["1", "1"]  # the two confirmations, nothing else


async def test_a_citizens_messages_are_decided_in_the_order_they_came(
    wechat, sessions, database_url
):
    """提交 needs the session path and 取消 is dialogue-only: sent in that order while the
    database is busy, the report is filed and the cancel finds nothing left to cancel."""
    if not database_url.startswith("sqlite"):
        pytest.skip("turns exist on SQLite only")
    from complaints.models import Report
    from jubao.keys import SESSIONS

    for text in ("举报", "1", "塘桥镇", PLACE, "车间没有通风，工人不戴口罩打磨金属件。", "完成"):
        await wechat.say("o-order", text)
    assert "提交" in await wechat.say("o-order", "2")  # anonymous: the summary to confirm
    turns = wechat.client.app[SESSIONS].turns
    await turns.acquire()  # another request holds the database
    submit = asyncio.create_task(wechat.say("o-order", "1"))
    await asyncio.sleep(0.05)
    cancel = asyncio.create_task(wechat.say("o-order", "取消"))
    await asyncio.sleep(0.05)
    turns.release()
    submitted, cancelled = await asyncio.gather(submit, cancel)
    assert "举报编号" in submitted and "没有正在填写" in cancelled
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Report)) == 1


async def test_a_failed_commit_loses_nothing_and_the_retry_is_answered(
    wechat, sessions, database_url, monkeypatch
):
    """The disk fails as a dialogue-only answer commits: WeChat gets an error, nothing is kept, and
    its retry is handled afresh on a clean transaction."""
    if not database_url.startswith("sqlite"):
        pytest.skip("the own connection exists on SQLite only")
    await at_place_question(wechat, "o-disk")
    own = wechat.client.app[INTAKE].transactions
    real_commit = driver.InlineConnection.commit
    failures = [sqlite3.OperationalError("database or disk is full")]

    async def commit(self: driver.InlineConnection) -> None:
        if self is own.connection and failures:
            raise failures.pop()
        await real_commit(self)

    monkeypatch.setattr(driver.InlineConnection, "commit", commit)
    before = await logged(sessions)
    signed = wechat.signed("o-disk", "text", Content=PLACE)
    first = await wechat.post(signed)
    assert first.status == 500 and await logged(sessions) == before
    again = await wechat.post(signed)  # WeChat's retry
    assert again.status == 200 and "具体情况" in again.reply
    assert await logged(sessions) == before + 1
