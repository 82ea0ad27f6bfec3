"""评价 and 催办 as the reporter sends them: his rating of a closed report, and his urging of a
late one, which reaches the assignee and the dispatchers, and the leaders the second time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from complaints.feedback_rules import rating_refusal, urge_action, urge_refusal
from complaints.models import Report
from notifications.models import OutboxMessage

WORKSHOP = "塘桥镇东街一家无名五金加工作坊"
TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 27, 2, tzinfo=UTC)  # 10:00 local


# The rules


@pytest.mark.parametrize(
    ("status", "ends", "refusal"),
    [
        ("closed", NOW + timedelta(seconds=1), None),
        ("closed", NOW, "too_late"),
        ("concluded", NOW + timedelta(days=3), "not_closed"),
        ("closed", None, "not_closed"),
    ],
)
def test_who_may_rate_when(status, ends, refusal):
    assert rating_refusal(status, ends, NOW) == refusal


@pytest.mark.parametrize(
    ("status", "overdue", "quiet_days", "last_urge", "refusal"),
    [
        ("received", True, 1, None, None),  # a deadline has passed
        ("assigned", False, 15, None, None),  # fifteen days without a step
        ("assigned", False, 14, None, "in_time"),
        ("assigned", True, 1, NOW - timedelta(hours=9), "today"),  # 01:00 local, same day
        ("assigned", True, 1, NOW - timedelta(hours=11), None),  # 23:00 local yesterday
        ("closed", True, 30, None, "finished"),
        ("rejected", True, 30, None, "finished"),
    ],
)
def test_who_may_urge_when(status, overdue, quiet_days, last_urge, refusal):
    last_step = NOW - timedelta(days=quiet_days)
    assert urge_refusal(status, overdue, last_step, last_urge, NOW, TZ) == refusal


def test_the_second_urge_is_supervision():
    assert [urge_action(n) for n in range(3)] == ["urge", "supervise", "supervise"]


# Over the real callbacks


async def closed_report(wechat, staff, openid: str = "o-rep") -> str:  # type: ignore[no-untyped-def]
    filed = await wechat.file_report(openid, town="塘桥镇", place=WORKSHOP)
    await staff.act(filed.number, "wang", "accept")
    await staff.act(filed.number, "wang", "assign", assignee="zhangwei")
    await staff.act(filed.number, "zhangwei", "take")
    await staff.act(filed.number, "zhangwei", "conclude", finding="substantiated", summary="属实")
    await staff.act(filed.number, "li", "close")
    return filed.number


async def test_the_result_asks_for_a_rating_and_the_rating_is_kept(wechat, staff, sessions, clock):
    number = await closed_report(wechat, staff)
    async with sessions() as session:
        result = await session.scalar(
            select(OutboxMessage.text).where(OutboxMessage.key.like(f"reporter:{number}:%"))
            .order_by(OutboxMessage.id.desc()).limit(1)
        )  # fmt: skip
    assert f"评价 {number} 数字" in result
    reply = await wechat.say("o-rep", f"评价 {number} 1")
    assert "感谢您的评价" in reply and "满意" in reply and "2026年12月4日前" in reply
    clock.advance(timedelta(days=6))
    reply = await wechat.say("o-rep", f"评价 {number} 不满意")
    assert "修改为：不满意" in reply
    assert f"异议 {number} 理由" in reply and "2026年12月7日前" in reply  # objection window
    report = await staff.report(number, "wang")
    rates = [
        (e["action"], e["actor"], e["note"]) for e in report["events"] if e["action"] == "rate"
    ]
    assert rates == [("rate", "reporter", "满意"), ("rate", "reporter", "不满意")]
    async with sessions() as session:
        assert await session.scalar(select(Report.rating)) == "dissatisfied"
    clock.advance(timedelta(days=2))
    assert "评价期限已于2026年12月4日届满" in await wechat.say("o-rep", f"评价 {number} 2")
    async with sessions() as session:
        assert await session.scalar(select(Report.rating)) == "dissatisfied"


async def test_ratings_refused_before_closing_by_others_and_malformed(wechat, staff, sessions):
    filed = await wechat.file_report("o-early", town="塘桥镇", place=WORKSHOP)
    assert "尚未办结" in await wechat.say("o-early", f"评价 {filed.number} 1")
    number = await closed_report(wechat, staff)
    assert "只能由举报人本人提出" in await wechat.say("o-other", f"评价 {number} 1")
    for text in (f"评价 {number}", f"评价 {number} 5", "评价"):
        assert "评价格式" in await wechat.say("o-rep", text)
    async with sessions() as session:
        assert set(await session.scalars(select(Report.rating))) == {None}


async def staff_messages(sessions, key: str) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        rows = await session.execute(
            select(OutboxMessage.recipient, OutboxMessage.text)
            .where(OutboxMessage.key.like(f"{key}%"))
            .order_by(OutboxMessage.id)
        )
    return [tuple(row) for row in rows]


async def test_urging_a_late_report_then_supervision(wechat, staff, sessions, clock, settings):
    await staff.add("wang2", "dispatcher", wework_id="wang-wx")
    await staff.add("li2", "leader", wework_id="li-wx")
    filed = await wechat.file_report("o-late", town="塘桥镇", place=WORKSHOP)
    reply = await wechat.say("o-late", f"催办 {filed.number}")
    assert "尚在办理期限内" in reply and "2026年12月12日后" in reply  # accept_by
    clock.advance(timedelta(days=16))
    assert "已通知承办人员" in await wechat.say("o-late", f"催办 {filed.number}")
    assert "今天已经催办过" in await wechat.say("o-late", f"催办 {filed.number}")
    clock.advance(timedelta(days=1))
    assert "已报分管领导督办" in await wechat.say("o-late", f"催办 {filed.number}")
    urged = await staff_messages(sessions, f"urge:{filed.number}")
    supervised = await staff_messages(sessions, f"supervise:{filed.number}")
    assert len(urged) == 1 and "【催办】" in urged[0][1] and "第1次" in urged[0][1]
    assert len(supervised) == 1 and "【督办】" in supervised[0][1]
    assert urged[0][0] == "wang-wx"  # not assigned yet: the dispatchers only
    assert supervised[0][0] == "wang-wx|li-wx"
    report = await staff.report(filed.number, "wang")
    assert [e["action"] for e in report["events"]] == ["file", "urge", "supervise"]
    assert all(e["actor"] == "reporter" for e in report["events"])


async def test_an_assigned_report_urged_after_15_quiet_days_tells_the_officer(
    wechat, staff, sessions, clock
):
    await staff.add("wang2", "dispatcher", wework_id="wang-wx")
    filed = await wechat.file_report("o-quiet", town="塘桥镇", place=WORKSHOP)
    await staff.act(filed.number, "wang", "accept")
    await staff.act(filed.number, "wang", "assign", assignee="zhangwei")
    await staff.act(filed.number, "zhangwei", "take")
    clock.advance(timedelta(days=14, hours=23))
    assert "尚在办理期限内" in await wechat.say("o-quiet", f"催办 {filed.number}")
    clock.advance(timedelta(hours=1))
    assert "已通知承办人员" in await wechat.say("o-quiet", f"催办 {filed.number}")
    urged = await staff_messages(sessions, f"urge:{filed.number}")
    assert [recipient for recipient, _ in urged] == ["zhangwei|wang-wx"]
    assert "承办：张伟" in urged[0][1]


async def test_urging_refused_for_finished_and_foreign_reports(wechat, staff, clock):
    number = await closed_report(wechat, staff)
    assert "已办理完毕" in await wechat.say("o-rep", f"催办 {number}")
    assert "只能由举报人本人提出" in await wechat.say("o-x", f"催办 {number}")
    assert "催办格式" in await wechat.say("o-rep", "催办")
