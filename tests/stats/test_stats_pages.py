"""The statistics page and its downloads, as a leader's office uses them: the sentence, the
table and the charts for 2021; a quarter; CSV and an XLSX that openpyxl opens; officers and
finance refused; a bad year answered on the page with 422."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from tests.console.test_sign_in import log_in
from tests.stats.helpers import SENTENCE_2021, load_2021


@pytest.fixture
async def year_2021(staff, sessions, settings, clock):  # type: ignore[no-untyped-def]
    await load_2021(sessions, settings, clock)
    return staff.client


async def page(client, path: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    response = await client.get(path, allow_redirects=False)
    return response.status, await response.text()


async def test_the_year_shows_the_sentence_the_table_and_four_charts(year_2021):
    await log_in(year_2021, "wang")
    status, html = await page(year_2021, "/console/stats?year=2021")
    assert status == 200
    assert f'<p class="sentence">{SENTENCE_2021}</p>' in html
    assert len(re.findall(r'<svg class="chart"', html)) == 4
    for title in ("按类别", "按渠道", "按月份", "按镇（区）"):
        assert f'aria-label="{title}"' in html
    assert "<td>立案查处</td><td>40</td>" in html and "<td>电话（12350）</td><td>12</td>" in html
    assert 'href="/console/stats.xlsx?year=2021"' in html
    assert 'href="/console/stats.csv?year=2021"' in html
    assert '<option value="2021" selected>' in html
    assert 'href="/console/stats" class="active">统计</a>' in html


async def test_a_quarter_has_no_month_chart_and_says_which_quarter(year_2021):
    await log_in(year_2021, "li")
    status, html = await page(year_2021, "/console/stats?year=2021&quarter=2")
    assert status == 200 and "2021年第二季度" in html
    assert len(re.findall(r'<svg class="chart"', html)) == 3 and 'aria-label="按月份"' not in html
    assert "stats.csv?year=2021&amp;quarter=2" in html
    assert re.search(r"共受理各类信访举报(\d+)起", html).group(1) != "93"


async def test_without_a_year_it_shows_this_year(year_2021):
    await log_in(year_2021, "zhao")
    status, html = await page(year_2021, "/console/stats")
    assert status == 200 and "2026年" in html and "共受理各类信访举报0起" in html


@pytest.mark.parametrize("who", ["zhangwei", "qian"])
async def test_officers_and_finance_are_refused(year_2021, who):
    await log_in(year_2021, who)
    for path in ("/console/stats?year=2021", "/console/stats.csv?year=2021",
                 "/console/stats.xlsx?year=2021"):  # fmt: skip
        status, html = await page(year_2021, path)
        assert status == 403 and "您的角色不能查看统计" in html and SENTENCE_2021 not in html
    _, dashboard = await page(year_2021, "/console/")
    assert 'href="/console/stats"' not in dashboard


async def test_signed_out_goes_to_the_login(year_2021):
    for path in ("/console/stats?year=2021", "/console/stats.xlsx?year=2021"):
        response = await year_2021.get(path, allow_redirects=False)
        assert response.status == 303 and response.headers["Location"] == "/console/login"


@pytest.mark.parametrize(
    ("query", "message"),
    [("year=20x1", "year 应为"), ("year=2021&quarter=7", "quarter 应为 1–4")],
)
async def test_a_bad_period_is_422_with_the_message_on_the_page(year_2021, query, message):
    await log_in(year_2021, "root")
    status, html = await page(year_2021, f"/console/stats?{query}")
    assert status == 422 and message in html and 'class="alert"' in html
    assert '<form class="filters card stats-picker"' in html  # he can pick again
    status, html = await page(year_2021, f"/console/stats.csv?{query}")
    assert status == 422 and message in html


async def test_the_csv_holds_the_sentence_and_the_table(year_2021):
    await log_in(year_2021, "wang")
    response = await year_2021.get("/console/stats.csv?year=2021")
    assert response.status == 200 and response.content_type == "text/csv"
    assert "2021.csv" in response.headers["Content-Disposition"]
    body = await response.read()
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[:2] == [["分类", "项目", "数值"], ["概述", "2021年", SENTENCE_2021]]
    assert ["总体情况", "立案查处", "40"] in rows and ["按渠道", "微信公众号", "70"] in rows


async def test_the_xlsx_opens_with_the_sentence_the_table_and_the_breakdowns(year_2021):
    await log_in(year_2021, "li")
    response = await year_2021.get("/console/stats.xlsx?year=2021&quarter=")
    assert response.status == 200
    assert response.content_type.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(await response.read()))
    assert book.sheetnames == ["总体情况", "按镇（区）", "按渠道", "按月份"]
    first = book["总体情况"]
    assert first["A1"].value == "2021年安全生产举报统计" and first["A2"].value == SENTENCE_2021
    table = {row[0]: row[1] for row in first.iter_rows(min_row=5, values_only=True)}
    assert table["受理举报总数"] == 93 and table["立案查处"] == 40
    assert table["其中：受伤或事故"] == 47 and table["其中：事故隐患"] == 46
    assert isinstance(table["已发放奖励金额（元）"], int | float)  # a number Excel can sum
    assert isinstance(table["受理用时中位数（天）"], float)
    towns = {row[0]: row[1] for row in book["按镇（区）"].iter_rows(min_row=2, values_only=True)}
    assert sum(towns.values()) == 93 and "杨舍镇" in towns
    channels = dict(book["按渠道"].iter_rows(min_row=2, values_only=True))
    assert channels["微信公众号"] == 70 and channels["电子邮件"] == 2
