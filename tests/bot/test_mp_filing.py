"""End-to-end: citizens file reports through /wechat/mp over HTTP."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from complaints.models import Evidence, Report
from notifications.message_log import InboundMessage

CATEGORIES = [("1", "hazard"), ("2", "injury"), ("3", "concealed"), ("4", "violation")]


@pytest.mark.parametrize(("answer", "category"), CATEGORIES)
async def test_each_category_filed_anonymously(wechat, sessions, answer, category):
    filed = await wechat.file_report("o-citizen-1", category=answer, details="3人受伤，昨天下午")

    assert re.fullmatch(r"ZJG-2026-\d{6}", filed.number)
    assert re.fullmatch(r"\d{4} \d{4} \d{4} \d{4}", filed.code)
    assert "2026年12月12日前作出是否受理的决定" in filed.reply
    async with sessions() as session:
        report = await session.scalar(select(Report).where(Report.number == filed.number))
    assert report.category == category
    assert report.anonymous is True and report.reporter_name_enc is None
    assert report.status == "received"
    if category == "injury":
        assert report.injured == 3
    if category == "concealed":
        assert report.deaths == 3 and report.urgent is True


async def test_named_report_keeps_identity_encrypted(wechat, sessions):
    filed = await wechat.file_report(
        "o-named-openid", name="李四", phone="+86 138-0013-8000", evidence=2
    )
    async with sessions() as session:
        report = await session.scalar(select(Report).where(Report.number == filed.number))
        evidence = (await session.scalars(select(Evidence))).all()
    stored = " ".join(str(v) for v in vars(report).values())
    for secret in ("李四", "13800138000", "o-named-openid", filed.code.replace(" ", "")):
        assert secret not in stored
    assert report.anonymous is False and report.reporter_phone_enc
    assert [item.media_id for item in evidence] == [
        "media-o-named-openid-0",
        "media-o-named-openid-1",
    ]


async def test_a_retried_confirmation_files_one_report_and_gets_the_same_number(wechat, sessions):
    """The retry of the message that files: its dialogue is gone by then (on SQLite the
    dialogue-only path sees no dialogue first), yet it must get the first delivery's reply
    and file nothing."""
    await wechat.say("o-retry-submit", "举报")
    for answer in ("1", "塘桥镇", "某五金作坊，塘桥镇东街", "消防通道被杂物堵死，灭火器过期。"):
        await wechat.say("o-retry-submit", answer)
    await wechat.say("o-retry-submit", "完成")
    await wechat.say("o-retry-submit", "2")
    confirm = wechat.signed("o-retry-submit", "text", Content="1")
    first, again = await wechat.post(confirm), await wechat.post(confirm)
    assert first.status == again.status == 200
    assert first.reply == again.reply and "ZJG-2026-000001" in first.reply
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Report)) == 1


async def test_numbers_are_sequential_per_year(wechat):
    first = await wechat.file_report("o-a")
    second = await wechat.file_report("o-b")
    assert first.number == "ZJG-2026-000001"
    assert second.number == "ZJG-2026-000002"


async def test_retry_gets_the_same_reply_and_changes_nothing(wechat, sessions):
    await wechat.say("o-retry", "举报")
    signed = wechat.signed("o-retry", "text", Content="1")
    first = await wechat.post(signed)
    again = await wechat.post(signed)
    assert first.reply == again.reply and "镇（区）" in first.reply
    # The dialogue moved one step, not two: the town question is still the current one.
    assert "单位名称和地址" in await wechat.say("o-retry", "塘桥镇")
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(InboundMessage)) == 3


async def test_the_number_carries_the_local_year(wechat, clock):
    clock.at = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)  # 00:30 on 1 January 2027 locally
    filed = await wechat.file_report("o-new-year")
    assert filed.number == "ZJG-2027-000001"
    assert "2027年1月16日前" in filed.reply


async def test_simultaneous_deliveries_of_one_message_act_once(wechat, sessions):
    await wechat.say("o-twice", "举报")
    signed = wechat.signed("o-twice", "text", Content="2")
    first, second = await asyncio.gather(wechat.post(signed), wechat.post(signed))
    assert first.reply == second.reply and "镇（区）" in first.reply
    assert "单位名称和地址" in await wechat.say("o-twice", "塘桥镇")


FORCED = {  # a constraint on the reports table that refuses every new row
    "sqlite": (
        "CREATE TRIGGER refuse_reports BEFORE INSERT ON reports "
        "BEGIN SELECT RAISE(ABORT, 'forced constraint'); END",
        "DROP TRIGGER refuse_reports",
    ),
    "postgresql": (
        "ALTER TABLE reports ADD CONSTRAINT refuse_reports CHECK (false) NOT VALID",
        "ALTER TABLE reports DROP CONSTRAINT refuse_reports",
    ),
}


async def test_a_constraint_error_is_not_taken_for_a_retry(wechat, sessions, caplog):
    """Only the message log's conflict marks a retry. A report the database refuses is a bug:
    WeChat gets a 500 (and delivers again), the traceback is logged without the message, and
    nothing of it is kept: once fixed, the redelivery files the report."""
    from sqlalchemy import text

    await wechat.say("o-refused", "举报")
    for answer in ("1", "塘桥镇", "某五金作坊，塘桥镇东街", "消防通道被杂物堵死，灭火器过期。"):
        await wechat.say("o-refused", answer)
    await wechat.say("o-refused", "完成")
    await wechat.say("o-refused", "2")
    async with sessions.begin() as session:
        logged_before = await session.scalar(select(func.count()).select_from(InboundMessage))
        forced, unforced = FORCED[session.bind.dialect.name]
        await session.execute(text(forced))
    confirm = wechat.signed("o-refused", "text", Content="1")

    refused = await wechat.post(confirm)

    assert refused.status == 500 and refused.reply == ""
    logged = next(
        r.getMessage() for r in caplog.records if "could not be handled" in r.getMessage()
    )
    assert "Traceback" in logged and "IntegrityError" in logged and "file_report" in logged
    assert "消防通道" not in caplog.text  # PostgreSQL's DETAIL would quote the failing row
    async with sessions.begin() as session:
        assert await session.scalar(select(func.count()).select_from(Report)) == 0
        logged = await session.scalar(select(func.count()).select_from(InboundMessage))
        assert logged == logged_before  # not logged: the redelivery is handled afresh
        await session.execute(text(unforced))

    redelivered = await wechat.post(confirm)

    assert redelivered.status == 200 and "ZJG-2026-000001" in redelivered.reply
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Report)) == 1
