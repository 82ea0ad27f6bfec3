"""The reporter hears of every step that concerns him, once, by the channel WeChat allows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from notifications.models import OutboxMessage
from tests.factories import DISPATCHER, LEADER

SUBSTANTIATED = {"finding": "substantiated", "summary": "通道堵塞属实", "case_filed": True}
NOW = datetime(2026, 11, 27, 2, tzinfo=UTC)


async def notices(sessions) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        rows = await session.execute(
            select(OutboxMessage.channel, OutboxMessage.text)
            .where(OutboxMessage.key.like("reporter:%"))
            .order_by(OutboxMessage.id)
        )
    return [tuple(row) for row in rows]


async def closed_report(reports) -> str:  # type: ignore[no-untyped-def]
    """o-rep's report, investigated by zhangwei, substantiated and closed just after filing."""
    report = await reports.advanced("closed", openid="o-rep", conclusion=SUBSTANTIATED)
    return report.number


async def test_every_step_inside_the_window_goes_as_a_service_message(reports, sessions):
    number = await closed_report(reports)
    sent = await notices(sessions)
    assert [channel for channel, _ in sent] == ["mp_custom", "mp_custom"]
    assert "已受理" in sent[0][1]
    result = sent[1][1]
    assert "已办结" in result and "属实" in result and "已立案查处" in result
    assert f"异议 {number} 理由" in result and "2026年12月7日前" in result


async def test_after_48_hours_a_template_message_is_used(reports, sessions, clock):
    filed = await reports.filed(openid="o-late")
    clock.advance(timedelta(hours=49))
    await reports.act(filed.number, "accept", by=DISPATCHER)
    await reports.act(filed.number, "extend", by=LEADER, days=10, note="需要补充检测")
    sent = await notices(sessions)
    assert [channel for channel, _ in sent] == ["mp_template", "mp_template"]
    assert "延长10天" in sent[1][1] and "需要补充检测" in sent[1][1]


async def test_objection_within_ten_days_reopens_for_review(wechat, staff, reports, sessions):
    await staff.add("wang2", "dispatcher", wework_id="wang-wx")
    number = await closed_report(reports)
    reply = await wechat.say("o-rep", f"异议 {number} 现场问题仍未整改")
    assert "已收到您对" in reply and "2026年12月27日前" in reply
    report = await staff.report(number, "wang")
    assert report["status"] == "investigating"
    assert report["assignee"]["wework_id"] == "zhangwei"
    assert report["events"][-1]["actor"] == "reporter"
    assert "现场问题仍未整改" in report["events"][-1]["note"]
    async with sessions() as session:
        told = await session.scalar(
            select(OutboxMessage).where(OutboxMessage.key.like("objection:%"))
        )
    assert told.recipient == "wang-wx" and number in told.text
    assert "现场问题仍未整改" not in told.text  # the citizen's words stay in the console


async def test_objections_refused_late_early_or_by_others(wechat, reports, clock):
    filed = await reports.filed(openid="o-early")
    assert "尚未办结" in await wechat.say("o-early", f"异议 {filed.number} 不满意")
    number = await closed_report(reports)
    assert "只能由举报人本人提出" in await wechat.say("o-other", f"异议 {number} 不满意")
    clock.advance(timedelta(days=11))
    assert "异议期限已于" in await wechat.say("o-rep", f"异议 {number} 不满意")
    assert "异议格式" in await wechat.say("o-rep", f"异议 {number}")


async def test_an_extension_before_acceptance_names_the_new_decision_day(reports, sessions):
    filed = await reports.filed(openid="o-early-extend")
    await reports.act(filed.number, "extend", by=LEADER, days=10, note="需要核实单位信息")
    (_, text), *_ = await notices(sessions)
    assert "受理期限延长10天" in text and "2026年12月22日前作出是否受理的决定" in text
    assert "—" not in text
