"""More of the console in Chromium: a dispatcher registers a hotline call, the statistics page
shows the bureau's 2021 sentence and its Excel download opens with openpyxl, a leader approves
another's reward proposal while the proposer has no approve button (four eyes), and an auditor
sees the audit chain verified. Screenshots of the intake confirmation and the statistics page go
to test-output/screenshots/."""

from __future__ import annotations

import re
from datetime import timedelta

from openpyxl import load_workbook
from playwright.async_api import Page, expect

from jubao import audit_checks
from tests.e2e.browser import form_of, login, submit
from tests.stats.helpers import SENTENCE_2021, load_2021

CALL = "货架倒塌砸伤两名工人，老板不让报警，工人不敢说。"
NUMBER = re.compile(r"ZJG-\d{4}-\d{6}")
CODE = re.compile(r"\d{4} \d{4} \d{4} \d{4}")
SUBSTANTIATED = {
    "finding": "substantiated",
    "summary": "通道堵塞属实",
    "case_filed": True,
    "fine": 100000,
}


def fact(page: Page, term: str):  # type: ignore[no-untyped-def]
    """The value a page's fact list gives for `term` (来源, 举报编号, 申报人, ...)."""
    return page.locator(f'dt:text-is("{term}") + dd')


def status_tag(page: Page):  # type: ignore[no-untyped-def]
    return page.get_by_role("heading", level=1).locator(".tag").first


async def test_a_dispatcher_registers_a_hotline_call(page, staff, screenshot, clock):
    await login(page, "wang")
    await page.get_by_role("navigation").get_by_role("link", name="举报").click()
    await page.get_by_role("link", name="登记来电来访").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("登记来电来访")
    await page.get_by_label("电话（12350）").check()
    await page.get_by_label("举报类型").select_option(label="受伤或事故")
    await page.get_by_label("镇（区）").select_option("塘桥镇")
    await page.get_by_label("单位名称和地址").fill("塘桥镇东街一家无名五金加工作坊")
    await page.get_by_label("人数和时间").fill("两人受伤，今天上午")
    await page.get_by_label("具体情况").fill(CALL)
    await page.get_by_label("姓名").fill("刘来电")
    await page.get_by_label("手机号码").fill("13811112222")
    registered = await submit(page.get_by_role("button", name="登记举报"))

    assert registered.status == 201
    confirmation = page.get_by_role("status")
    await expect(confirmation).to_contain_text("电话（12350）举报已登记（实名）")
    number = (await fact(page, "举报编号").inner_text()).strip()
    assert NUMBER.fullmatch(number), number
    await expect(fact(page, "查询码")).to_have_text(CODE)
    await expect(page.get_by_text("查询码只显示这一次")).to_be_visible()
    await screenshot("intake")

    reloaded = await page.reload()  # the browser sends the form again
    assert reloaded is not None and reloaded.status == 200
    await expect(confirmation).to_contain_text("这张登记表已经提交过，没有重复登记")
    await expect(fact(page, "举报编号")).to_have_text(number)
    await expect(fact(page, "查询码")).to_have_text(CODE)
    await screenshot("intake-sent-again")
    clock.advance(timedelta(minutes=11))  # the code is kept sealed for 10 minutes only
    late = await page.reload()
    assert late is not None and late.status == 200
    await expect(fact(page, "举报编号")).to_have_text(number)
    await expect(fact(page, "查询码")).to_have_count(0)
    await expect(page.get_by_text("查询码只在登记时显示，现已无法再次查看")).to_be_visible()
    await screenshot("intake-sent-again-late")

    await page.get_by_role("link", name="查看举报").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text(number)
    await expect(fact(page, "来源")).to_contain_text("电话（12350）")
    await expect(fact(page, "来源")).to_contain_text("举报人收不到公众号通知")
    await expect(fact(page, "情况描述")).to_have_text(CALL)
    await expect(page.get_by_text("刘来电")).to_have_count(0)  # named, yet only reveal shows it
    await expect(page.get_by_text("13811112222")).to_have_count(0)

    await page.goto("/console/reports")
    row = page.locator("tr").filter(has=page.get_by_role("link", name=number))
    await expect(row).to_contain_text("电话（12350）")
    await expect(row).to_contain_text("塘桥镇")


async def test_the_statistics_page_shows_the_sentence_and_its_excel_opens(
    page, staff, sessions, settings, clock, screenshot, tmp_path
):
    await load_2021(sessions, settings, clock)
    await login(page, "wang")
    await page.get_by_role("navigation").get_by_role("link", name="统计").click()
    await page.get_by_label("年度").select_option("2021")
    await submit(page.get_by_role("button", name="查看"))
    assert page.url.endswith("/console/stats?year=2021&quarter=")
    await expect(page.locator(".sentence")).to_have_text(SENTENCE_2021)
    await expect(page.locator("svg.chart")).to_have_count(4)
    await screenshot("stats")

    async with page.expect_download() as downloading:
        await page.get_by_role("link", name="导出 Excel").click()
    download = await downloading.value
    assert download.suggested_filename.endswith("2021.xlsx")
    saved = tmp_path / download.suggested_filename
    await download.save_as(saved)
    book = load_workbook(saved)
    first = book["总体情况"]
    assert first["A1"].value == "2021年安全生产举报统计" and first["A2"].value == SENTENCE_2021
    table = {row[0]: row[1] for row in first.iter_rows(min_row=5, values_only=True)}
    assert table["受理举报总数"] == 93 and table["立案查处"] == 40
    assert table["其中：受伤或事故"] == 47 and table["其中：事故隐患"] == 46


async def test_a_leader_approves_anothers_proposal_and_the_proposer_cannot(
    page, staff, reports, screenshot
):
    await staff.add("zhou", "leader")
    closed = await reports.advanced("closed", conclusion=SUBSTANTIATED)
    await login(page, "li")
    await page.goto(f"/console/rewards/{closed.number}")
    await expect(status_tag(page)).to_have_text("可申报")
    propose = form_of(page, "提出奖励建议")
    await expect(propose.get_by_label("奖励金额（元）")).to_have_value("15000.00")
    proposed = await submit(propose.get_by_role("button", name="提出奖励建议"))
    assert proposed.status == 200
    await expect(status_tag(page)).to_have_text("已申报待审批")
    await expect(page.get_by_role("note")).to_contain_text("您是申报人，须由另一位领导审批")
    await expect(page.get_by_role("button", name="批准奖励")).to_have_count(0)
    await screenshot("reward")

    await page.context.clear_cookies()
    await login(page, "zhou")
    await page.goto(f"/console/rewards/{closed.number}")
    await expect(fact(page, "申报人")).to_have_text("li")
    await expect(page.get_by_role("note")).to_have_count(0)
    approved = await submit(page.get_by_role("button", name="批准奖励"))
    assert approved.status == 200
    await expect(status_tag(page)).to_have_text("已批准待领取")
    await expect(page.locator(".timeline")).to_contain_text("批准奖励 · zhou")


async def test_an_auditor_sees_the_chain_verified(
    page, staff, reports, screenshot, sessions, clock
):  # type: ignore[no-untyped-def]
    await reports.advanced("assigned", by="zhangwei")
    async with sessions.begin() as session:  # the night's full check
        await audit_checks.full_check(session, clock.now())
    filed = await reports.advanced("assigned", by="zhangwei")  # filed, accepted: audited
    await login(page, "zhao")
    await page.get_by_role("navigation").get_by_role("link", name="审计日志").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("审计日志")
    await expect(page.get_by_role("status")).to_contain_text("✓ 审计链完整")
    await expect(page.get_by_role("status")).to_contain_text("全量校验")
    await expect(page.get_by_role("cell", name=filed.number, exact=True).first).to_be_visible()
    await screenshot("audit")
