"""The console in Chromium, as the petition office and an officer use it: sign in, the dashboard,
accept a report by its form, an officer's scope, reveal with a reason, a forged form, a reporter's
markup shown as text, and the lockout after ten bad logins. Screenshots of the dashboard and a
report go to test-output/screenshots/."""

from __future__ import annotations

import json
from datetime import timedelta

from playwright.async_api import Page, expect
from sqlalchemy import select

from complaints.models import Report
from jubao.audit import AuditEntry
from tests.e2e.browser import drop_csrf_token, form_of, login, submit, submit_login
from tests.staff import PASSWORD


def tile(page: Page, label: str):  # type: ignore[no-untyped-def]
    """The dashboard's count under `label`."""
    return page.locator(".tile").filter(has_text=label).locator(".count")


def status_tag(page: Page):  # type: ignore[no-untyped-def]
    return page.get_by_role("heading", level=1).locator(".tag").first


def fact(page: Page, term: str):  # type: ignore[no-untyped-def]
    """The report page's value for `term` (承办, 情况描述, ...)."""
    return page.locator(f'dt:text-is("{term}") + dd')


async def test_a_dispatcher_signs_in_and_sees_the_dashboard(
    page, staff, reports, clock, screenshot
):
    late = await reports.filed(at=clock.now() - timedelta(days=20))  # past its acceptance day
    await reports.filed()
    await reports.filed(kind="injury", town="杨舍镇")
    await reports.advanced("assigned", by="zhangwei")
    await login(page, "wang")
    await expect(page.get_by_text("wang · 信访办")).to_be_visible()
    await expect(tile(page, "已接收")).to_have_text("3")
    await expect(tile(page, "已分派")).to_have_text("1")
    await expect(tile(page, "已逾期")).to_have_text("1")
    overdue = page.locator("section").filter(has=page.get_by_role("heading", name="逾期未办"))
    await expect(overdue.get_by_role("link", name=late.number)).to_be_visible()
    await screenshot("dashboard")


async def test_a_dispatcher_accepts_a_received_report_by_its_form(page, staff, reports, screenshot):
    filed = await reports.filed()  # 塘桥镇: the routing rule assigns 张伟 on acceptance
    await login(page, "wang")
    await page.get_by_role("navigation").get_by_role("link", name="举报").click()
    await page.get_by_role("link", name=filed.number).click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text(filed.number)
    await expect(status_tag(page)).to_have_text("已接收")
    await expect(page.get_by_text("受理期限：2026年12月12日")).to_be_visible()
    await screenshot("report")
    accepted = await submit(page.get_by_role("button", name="受理", exact=True))
    assert accepted.status == 200 and accepted.url.endswith(f"/console/reports/{filed.number}")
    await expect(status_tag(page)).to_have_text("已分派")
    await expect(fact(page, "承办")).to_have_text("张伟")
    await expect(page.locator(".timeline")).to_contain_text("受理 · wang")


async def test_an_officer_sees_only_his_scope(page, staff, reports, screenshot):
    mine = await reports.advanced("assigned", by="zhangwei")  # 塘桥镇, his unit
    elsewhere = await reports.filed(town="杨舍镇")
    await login(page, "zhangwei")
    await page.goto("/console/reports")
    await expect(page.get_by_role("link", name=mine.number)).to_be_visible()
    await expect(page.get_by_role("link", name=elsewhere.number)).to_have_count(0)
    outside = await page.goto(f"/console/reports/{elsewhere.number}")
    assert outside is not None and outside.status == 404
    await expect(page.get_by_role("heading", name="没有找到")).to_be_visible()
    await expect(page.get_by_text("杨舍镇")).to_have_count(0)
    await screenshot("not-found")
    await page.get_by_role("navigation").get_by_role("link", name="举报").click()  # the bar
    await expect(page.get_by_role("link", name=mine.number)).to_be_visible()


async def test_reveal_asks_for_a_reason_and_is_audited(page, staff, reports, sessions):
    named = await reports.filed(name="王秘密", phone="13912345678")
    await login(page, "wang")
    await page.goto(f"/console/reports/{named.number}")
    await expect(page.get_by_text("王秘密")).to_have_count(0)
    reveal = form_of(page, "查看举报人身份")
    reason = reveal.get_by_label("查看举报人身份的理由")
    button = reveal.get_by_role("button", name="查看举报人身份")

    # Empty, the browser will not send it: `invalid` fires, which cancels the submission.
    await reason.evaluate("input => input.addEventListener('invalid', () => window.__refused = 1)")
    await button.click()
    await page.wait_for_function("window.__refused === 1")
    assert await reason.evaluate("input => input.validity.valueMissing")

    # Sent anyway (the attribute taken away, a blank typed): the server refuses it too.
    await reason.evaluate("input => input.removeAttribute('required')")
    await reason.fill("  ")
    refused = await submit(button)
    assert refused.status == 422
    await expect(page.get_by_role("alert")).to_have_text("查看举报人身份须说明理由")
    await expect(page.get_by_text("王秘密")).to_have_count(0)

    await reason.fill("核实举报线索")
    shown = await submit(button)
    assert shown.status == 200
    identity = page.get_by_role("status")
    await expect(identity).to_contain_text("姓名：王秘密")
    await expect(identity).to_contain_text("手机：13912345678")
    async with sessions() as session:
        entries = (
            await session.execute(
                select(AuditEntry.actor, AuditEntry.subject, AuditEntry.detail).where(
                    AuditEntry.action == "reveal"
                )
            )
        ).all()
    assert [(actor, subject, json.loads(detail)) for actor, subject, detail in entries] == [
        ("wang", named.number, {"reason": "核实举报线索"})
    ]


async def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(
    page, staff, reports, sessions
):
    filed = await reports.filed()
    await login(page, "wang")
    await page.goto(f"/console/reports/{filed.number}")
    await drop_csrf_token(form_of(page, "受理"))
    refused = await submit(page.get_by_role("button", name="受理", exact=True))
    assert refused.status == 403
    await expect(page.get_by_text("表单已失效，请刷新页面后重试。")).to_be_visible()
    async with sessions() as session:
        status = await session.scalar(select(Report.status).where(Report.number == filed.number))
    assert status == "received"
    await page.goto(f"/console/reports/{filed.number}")  # still signed in, still untouched
    await expect(status_tag(page)).to_have_text("已接收")
    await expect(page.locator(".timeline")).not_to_contain_text("受理")


async def test_a_reporters_markup_is_shown_as_text_and_never_runs(page, staff, reports):
    script = "<script>window.__pwned=1</script>"
    image = "<img src=x onerror=window.__pwned=2>"
    filed = await reports.filed(description=f"{script}车间通道被堵。", place=f"{image}五金厂")
    await login(page, "wang")
    await page.goto(f"/console/reports/{filed.number}")
    await expect(fact(page, "情况描述")).to_have_text(f"{script}车间通道被堵。")
    await expect(fact(page, "单位和地址")).to_have_text(f"{image}五金厂")
    assert await page.evaluate("typeof window.__pwned") == "undefined"
    assert await page.locator("main script, main img").count() == 0


async def test_ten_bad_logins_lock_the_name_and_the_lock_looks_like_a_wrong_password(
    page, staff, clock
):
    wrong = await submit_login(page, "wang", "guess")
    for _ in range(9):  # again and again on the page that answers, the name kept
        assert wrong.status == 401
        await page.get_by_label("密码", exact=True).fill("guess")
        wrong = await submit(page.get_by_role("button", name="登录"))
    assert wrong.status == 401
    wrong_page = await page.content()
    await expect(page.get_by_role("alert")).to_have_text("用户名或密码错误")

    await page.get_by_label("密码", exact=True).fill(PASSWORD)  # the right one, the eleventh time
    locked = await submit(page.get_by_role("button", name="登录"))
    assert locked.status == 401 and locked.url == wrong.url
    assert await page.content() == wrong_page  # not a word, not an attribute apart
    await expect(page.get_by_label("用户名", exact=True)).to_have_value("wang")
    await expect(page.get_by_label("密码", exact=True)).to_have_value("")

    clock.advance(timedelta(minutes=15))
    await login(page, "wang")
