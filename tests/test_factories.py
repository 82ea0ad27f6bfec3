"""The factories make what the bot and the staff make: read back as the staff API and the
citizen see it, a factory report is a chatted one."""

from __future__ import annotations

import pytest

from tests.factories import KINDS

MAIN_LINE = {  # status: the timeline that reaches it (routing assigns zhangwei on acceptance)
    "received": ["file"],
    "assigned": ["file", "accept", "assign"],
    "investigating": ["file", "accept", "assign", "take"],
    "concluded": ["file", "accept", "assign", "take", "conclude"],
    "closed": ["file", "accept", "assign", "take", "conclude", "close"],
}


def without_number(report: dict[str, object]) -> dict[str, object]:
    return {key: value for key, value in report.items() if key != "number"}


@pytest.mark.parametrize("kind", ["hazard", "injury"])
async def test_a_filed_report_is_the_one_the_chat_files(wechat, staff, reports, kind):
    new = KINDS[kind]
    category = {"hazard": "1", "injury": "2"}[kind]
    chatted = await wechat.file_report(
        "o-chat",
        category=category,
        place=new.place,
        details=new.details,
        description=new.description,
        name="李四",
        phone="13800138000",
    )
    made = await reports.filed(kind=kind, openid="o-made", name="李四", phone="13800138000")
    assert without_number(await staff.report(made.number, "wang")) == without_number(
        await staff.report(chatted.number, "wang")
    )
    reveal = f"/api/v1/reports/{made.number}/reveal"
    assert (await staff.post(reveal, "wang", {"reason": "核实"}))[1]["name"] == "李四"
    assert made.number in await wechat.say("o-made", "查询")  # his own, under his openid


@pytest.mark.parametrize("status", list(MAIN_LINE))
async def test_a_report_advanced_to_a_status_has_the_timeline_of_the_staffs_actions(
    staff, reports, status
):
    report = await reports.advanced(status, by="zhangwei")
    seen = await staff.report(report.number, "wang")
    assert seen["status"] == status
    assert [event["action"] for event in seen["events"]] == MAIN_LINE[status]
    assert (seen["assignee"] or {}).get("wework_id") == (
        None if status == "received" else "zhangwei"
    )


async def test_another_officer_is_assigned_after_routing(staff, reports):
    report = await reports.advanced("investigating", by="zhaomin")
    seen = await staff.report(report.number, "wang")
    assert [event["action"] for event in seen["events"]] == [
        "file",
        "accept",
        "assign",
        "assign",
        "take",
    ]
    assert seen["assignee"]["wework_id"] == "zhaomin" and seen["events"][-1]["actor"] == "zhaomin"


async def test_accepted_cannot_be_reached_where_routing_assigns_on_acceptance(reports):
    with pytest.raises(AssertionError, match="routing assigns on acceptance"):
        await reports.advanced("accepted")  # every demo town has a rule
