"""The report pages as a dispatcher and an officer use them: the list, a report with the forms
of the actions their role allows, an action by its form (CSRF checked), a refusal shown on the
page with its status, an officer's scope (404 outside), and a reporter's text shown escaped."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from complaints.lifecycle import Action
from console.report_pages import FORM_ORDER
from jubao.audit import AuditEntry
from tests.console.test_sign_in import CSRF, log_in
from tests.staff import StaffApi


@pytest.fixture
async def console(client, sessions, clock, towns):  # type: ignore[no-untyped-def]
    staff = StaffApi(client, sessions, clock)
    await staff.add("wang", "dispatcher")
    await staff.add("li", "leader")
    await staff.add("zhangwei", "officer", wework_id="zhangwei")
    return client


async def report_page(client, number: str):  # type: ignore[no-untyped-def]
    response = await client.get(f"/console/reports/{number}")
    return response.status, await response.text()


async def post_action(client, number: str, **fields: str):  # type: ignore[no-untyped-def]
    _, html = await report_page(client, number)
    token = CSRF.search(html).group(1)
    return await client.post(
        f"/console/reports/{number}/actions",
        data={"csrf_token": token, **fields},
        allow_redirects=False,
    )


def forms(html: str) -> list[str]:
    return re.findall(r'name="action" value="([a-z]+)"', html)


async def test_a_dispatcher_accepts_a_report_by_its_form(console, reports):
    filed = await reports.filed()
    await log_in(console, "wang")
    listing = await (await console.get("/console/reports?status=received")).text()
    assert filed.number in listing and "共 1 件" in listing
    status, html = await report_page(console, filed.number)
    assert status == 200 and forms(html) == ["accept", "reject", "transfer", "merge"]
    assert "受理期限：2026年12月12日" in html
    done = await post_action(console, filed.number, action="accept")
    assert done.status == 303 and done.headers["Location"] == f"/console/reports/{filed.number}"
    _, html = await report_page(console, filed.number)
    assert "已分派" in html and "张伟" in html and "<strong>受理</strong> · wang" in html
    assert forms(html) == ["assign"]  # a reassignment is all that is left to a dispatcher


async def test_a_refusal_is_shown_on_the_page_with_its_status(console, reports):
    filed = await reports.filed()
    await log_in(console, "wang")
    refused = await post_action(console, filed.number, action="transfer")  # no `to`
    assert refused.status == 422 and 'role="alert"' in await refused.text()
    wrong_role = await post_action(console, filed.number, action="close")
    assert wrong_role.status == 403 and "您的角色不能执行" in await wrong_role.text()
    no_token = await console.post(
        f"/console/reports/{filed.number}/actions", data={"action": "accept"}, allow_redirects=False
    )
    assert no_token.status == 403
    _, html = await report_page(console, filed.number)
    assert "已接收" in html and "<strong>受理</strong>" not in html  # nothing changed


async def test_a_leader_sees_only_the_leaders_actions(console, reports):
    concluded = await reports.advanced("concluded")
    await log_in(console, "li")
    _, html = await report_page(console, concluded.number)
    assert forms(html) == ["close", "extend"]
    assert (await post_action(console, concluded.number, action="close")).status == 303


async def test_an_officer_sees_his_scope_and_acts_on_his_assignment(console, reports):
    mine = await reports.advanced("assigned", by="zhangwei")
    elsewhere = await reports.filed(town="杨舍镇")
    await log_in(console, "zhangwei")
    assert (await report_page(console, elsewhere.number))[0] == 404
    listing = await (await console.get("/console/reports")).text()
    assert mine.number in listing and elsewhere.number not in listing
    _, html = await report_page(console, mine.number)
    assert forms(html) == ["take", "return"]
    assert (await post_action(console, mine.number, action="take")).status == 303


async def test_a_reporters_text_is_shown_escaped(console, reports):
    filed = await reports.filed(description="<script>alert('x')</script>车间通道被堵，无人管理。")
    await log_in(console, "wang")
    _, html = await report_page(console, filed.number)
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html


async def test_the_dashboard_boards_what_is_overdue_and_what_falls_due_this_week(
    console, reports, clock
):
    late = await reports.filed()  # accept by 24:00 on 12 December (local)
    clock.advance(timedelta(days=16))  # 13 December, 10:00 local
    soon = await reports.filed()  # accept by 28 December: not within 7 days
    await reports.advanced("assigned", by="zhangwei")  # ack by the next working day
    await log_in(console, "wang")
    html = await (await console.get("/console/")).text()
    overdue, week = html.split("七日内到期")
    assert late.number in overdue and "逾期 1 天" in overdue
    assert "分派确认" in week and "还有 1 天" in week  # 14 December is a Monday
    assert soon.number not in html  # due in 15 days: on neither board


async def test_reveal_asks_for_a_reason_and_is_audited(console, reports, sessions):
    named = await reports.filed(name="王秘密", phone="13912345678")
    await log_in(console, "wang")
    _, html = await report_page(console, named.number)
    assert "王秘密" not in html and "查看举报人身份" in html
    token = CSRF.search(html).group(1)
    path = f"/console/reports/{named.number}/reveal"
    no_reason = await console.post(path, data={"csrf_token": token, "reason": " "})
    assert no_reason.status == 422 and "王秘密" not in await no_reason.text()
    shown = await console.post(path, data={"csrf_token": token, "reason": "核实举报线索"})
    text = await shown.text()
    assert shown.status == 200 and "王秘密" in text and "13912345678" in text
    assert shown.headers["Cache-Control"] == "no-store"
    async with sessions() as session:
        entries = (await session.execute(select(AuditEntry.actor, AuditEntry.action))).all()
    assert ("wang", "reveal") in entries


async def test_an_officer_has_no_reveal(console, reports):
    mine = await reports.advanced("assigned", by="zhangwei", name="王秘密", phone="13912345678")
    await log_in(console, "zhangwei")
    _, html = await report_page(console, mine.number)
    assert "查看举报人身份" not in html and "王秘密" not in html
    token = CSRF.search(html).group(1)
    refused = await console.post(
        f"/console/reports/{mine.number}/reveal", data={"csrf_token": token, "reason": "想看"}
    )
    assert refused.status == 403 and "王秘密" not in await refused.text()


async def test_an_anonymous_reporter_has_nothing_to_reveal_and_nothing_is_audited(
    console, reports, sessions
):
    anonymous = await reports.filed()
    await log_in(console, "wang")
    _, html = await report_page(console, anonymous.number)
    assert "查看举报人身份" not in html  # no form for an anonymous report
    token = CSRF.search(html).group(1)
    answer = await console.post(
        f"/console/reports/{anonymous.number}/reveal", data={"csrf_token": token, "reason": "核实"}
    )
    assert answer.status == 200 and "匿名举报，没有可查看的举报人身份" in await answer.text()
    async with sessions() as session:
        assert await session.scalar(select(AuditEntry).where(AuditEntry.action == "reveal")) is None


async def test_refusals_are_console_pages_and_finance_has_no_report_link(
    console, reports, sessions, clock
):
    elsewhere = await reports.filed(town="杨舍镇")
    await log_in(console, "zhangwei")
    missing = await console.get(f"/console/reports/{elsewhere.number}")
    page = await missing.text()
    assert missing.status == 404 and "没有找到" in page and "返回工作台" in page
    assert "console.css" in page and elsewhere.number in page
    assert 'href="/console/reports"' in page and 'action="/console/logout"' in page  # the bar
    await StaffApi(console, sessions, clock).add("qian", "finance")
    await log_in(console, "qian")
    dashboard = await (await console.get("/console/")).text()
    assert "您的角色不办理举报" in dashboard and 'href="/console/reports"' not in dashboard
    refused = await console.get("/console/reports")
    refusal = await refused.text()
    assert refused.status == 403 and "无权访问" in refusal
    assert "qian · 财务" in refusal and 'href="/console/rewards"' in refusal  # the bar, her links


def test_every_action_has_a_place_among_the_forms() -> None:
    """The forms are ordered by FORM_ORDER: an action missing there would fail the page."""
    assert sorted(FORM_ORDER) == sorted(Action) and len(FORM_ORDER) == len(set(FORM_ORDER))
    assert FORM_ORDER.index(Action.CONCLUDE) < FORM_ORDER.index(Action.RETURN)
