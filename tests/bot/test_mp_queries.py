"""查询: one's own reports, any report with its code, and the locks on guessing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from complaints.models import Report


async def test_query_lists_own_reports_only(wechat):
    mine = await wechat.file_report("o-owner")
    other = await wechat.file_report("o-stranger")
    listing = await wechat.say("o-owner", "查询")
    assert mine.number in listing and "已接收" in listing
    assert other.number not in listing
    assert "还没有提交过举报" in await wechat.say("o-nobody", "查询")


async def test_anyone_with_the_code_sees_the_report(wechat):
    filed = await wechat.file_report("o-owner", town="金港镇")
    answer = await wechat.say("o-friend", f"查询 {filed.number} {filed.code}")
    assert f"举报编号：{filed.number}" in answer
    assert "金港镇" in answer and "已接收" in answer
    compact = await wechat.say("o-friend", f"查询　{filed.number}　{filed.code.replace(' ', '')}")
    assert filed.number in compact


async def test_five_wrong_codes_lock_the_number_for_an_hour(wechat, clock):
    filed = await wechat.file_report("o-owner")
    for n in range(5):
        reply = await wechat.say(f"o-guesser-{n}", f"查询 {filed.number} 0000 0000 0000 000{n}")
        assert "不正确" in reply
    locked = await wechat.say("o-owner", f"查询 {filed.number} {filed.code}")
    assert "一小时后再试" in locked
    clock.advance(timedelta(hours=1, seconds=1))
    assert filed.number in await wechat.say("o-owner", f"查询 {filed.number} {filed.code}")


async def test_a_sender_guessing_numbers_is_locked_without_learning_which_exist(wechat):
    filed = await wechat.file_report("o-owner")
    for n in range(5):
        reply = await wechat.say("o-prober", f"查询 ZJG-2026-00010{n} 1111 2222 3333 4444")
        assert "不正确" in reply
    # Locked now: the real number with its real code gets the same lock answer as a made-up one.
    real = await wechat.say("o-prober", f"查询 {filed.number} {filed.code}")
    fake = await wechat.say("o-prober", "查询 ZJG-2026-999999 1111 2222 3333 4444")
    assert real == fake and "一小时后再试" in real


async def test_malformed_query_explains_the_format(wechat):
    assert "查询格式" in await wechat.say("o-x", "查询 ZJG-2026-000001 12345")


async def test_query_code_is_stored_only_as_a_hash(wechat, sessions):
    filed = await wechat.file_report("o-owner")
    async with sessions() as session:
        stored = await session.scalar(
            select(Report.query_code_hash).where(Report.number == filed.number)
        )
    assert stored.startswith("$argon2id$")
    assert filed.code.replace(" ", "") not in stored
