"""The report list as the petition office uses it: every filter narrows it (in the console and
the API alike), the search finds a report by number, place or enterprise, the nearest deadline
comes first (an overdue report before all), 50 a page with links that keep the filters, the
downloads hold every matching report and never the reporter's identity, an officer sees and
exports only his scope, and a bad parameter is answered 422 with its message."""

from __future__ import annotations

import csv
import html as markup
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from tests.console.test_sign_in import log_in
from tests.staff import StaffApi

NUMBER = re.compile(r'href="/console/reports/(ZJG-\d{4}-\d+)"')
YONGSHENG = "杨舍镇人民中路永盛纺织车间"  # names 张家港市永盛纺织有限公司 (yellow)
JINGANG = (
    "金港镇长江路石化仓储罐区"  # names 张家港市金港石化仓储有限公司 by its alias (red: urgent)
)


@pytest.fixture
async def staff_api(client, sessions, clock, towns):  # type: ignore[no-untyped-def]
    api = StaffApi(client, sessions, clock)
    await api.add("wang", "dispatcher")
    await api.add("li", "leader")
    await api.add("qian", "finance")
    await api.add("zhangwei", "officer", wework_id="zhangwei")
    return api


async def listed(client, **params: str) -> list[str]:  # type: ignore[no-untyped-def]
    response = await client.get("/console/reports", params=params)
    assert response.status == 200, await response.text()
    return NUMBER.findall(await response.text())


async def test_each_filter_and_the_search_narrow_the_list_and_the_api(
    staff_api, client, reports, clock
):
    late = await reports.filed(at=clock.now() - timedelta(days=20))  # accept by: passed
    tangqiao = await reports.filed(description="仓库消防通道被堵，夜间无人值守。")
    yongsheng = await reports.filed(kind="injury", town="杨舍镇", place=YONGSHENG)
    jingang = await reports.advanced("assigned", town="金港镇", place=JINGANG, by="zhouqiang")
    every = {late.number, tangqiao.number, yongsheng.number, jingang.number}
    cases = [
        ({}, every),
        ({"status": "assigned"}, {jingang.number}),
        ({"town": "杨舍镇"}, {yongsheng.number}),
        ({"category": "injury"}, {yongsheng.number}),
        ({"overdue": "true"}, {late.number}),
        ({"overdue": "false"}, every - {late.number}),
        ({"enterprise": "永盛"}, {yongsheng.number}),  # in the name
        ({"enterprise": "石化仓储"}, {jingang.number}),  # an alias
        ({"urgent": "1"}, {jingang.number}),
        ({"urgent": "0"}, every - {jingang.number}),
        ({"channel": "wechat"}, every),
        ({"channel": "phone"}, set()),
        ({"q": tangqiao.number.lower()}, {tangqiao.number}),
        ({"q": "消防通道被堵"}, {tangqiao.number}),  # the description
        ({"q": "人民中路"}, {yongsheng.number}),  # the place
        ({"q": "金港石化仓储有限"}, {jingang.number}),  # the enterprise's registered name
        ({"q": "50%_"}, set()),  # LIKE's wildcards are searched for as text
        ({"town": "塘桥镇", "overdue": "false"}, {tangqiao.number}),
    ]
    await log_in(client, "wang")
    for params, expected in cases:
        assert set(await listed(client, **params)) == expected, params
        status, body = await staff_api.get("/api/v1/reports", "wang", **params)
        assert status == 200 and {item["number"] for item in body["items"]} == expected, params
        assert body["total"] == len(expected) and body["page_size"] == 50


async def test_the_nearest_deadline_comes_first_and_closed_reports_last(
    staff_api, client, reports, clock
):
    closed = await reports.advanced("closed", at=clock.now() - timedelta(days=3))
    fresh = await reports.filed()  # accept by 12 December
    late = await reports.filed(at=clock.now() - timedelta(days=17))  # accept by 25 November
    later = await reports.filed(at=clock.now() - timedelta(days=16))  # accept by 26 November
    assigned = await reports.advanced("assigned", by="zhangwei")  # acknowledge by 30 November
    await log_in(client, "wang")
    response = await client.get("/console/reports")
    page = await response.text()
    order = [late.number, later.number, assigned.number, fresh.number, closed.number]
    assert NUMBER.findall(page) == order
    first_row = page[page.index("<tbody>") :].split("</tr>")[0]
    assert 'class="deadline over"' in first_row and "受理告知 2026年11月25日" in first_row
    assert "逾期 2 天" in first_row
    assert "还有 15 天" in page and "分派确认 2026年11月30日" in page
    _, body = await staff_api.get("/api/v1/reports", "wang")
    assert [item["number"] for item in body["items"]] == order


async def test_51_reports_make_two_pages_whose_links_keep_the_filters(staff_api, client, reports):
    for _ in range(51):
        await reports.filed()
    other = await reports.filed(town="杨舍镇")
    await log_in(client, "wang")
    first = await (await client.get("/console/reports", params={"town": "塘桥镇"})).text()
    assert "共 51 件" in first and "第 1 / 2 页" in first and len(NUMBER.findall(first)) == 50
    link = markup.unescape(re.search(r'href="([^"]+)">下一页', first).group(1))
    assert link.startswith("/console/reports?") and "page=2" in link
    second = await (await client.get(link)).text()
    assert "第 2 / 2 页" in second and len(NUMBER.findall(second)) == 1
    assert other.number not in second and ">上一页</a>" in second
    assert not set(NUMBER.findall(second)) & set(NUMBER.findall(first))
    status, body = await staff_api.get("/api/v1/reports", "wang", town="塘桥镇", page="2")
    assert status == 200 and body["page"] == 2 and len(body["items"]) == 1
    export = re.search(r'href="([^"]+)">导出 CSV', first).group(1)
    rows = await csv_rows(client, markup.unescape(export))
    assert len(rows) == 1 + 51  # every matching report, not one page


async def csv_rows(client, path: str) -> list[list[str]]:  # type: ignore[no-untyped-def]
    response = await client.get(path)
    assert response.status == 200 and response.content_type == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO((await response.read()).decode("utf-8-sig"))))


async def xlsx_rows(client, path: str) -> list[list[object]]:  # type: ignore[no-untyped-def]
    response = await client.get(path)
    assert response.status == 200
    book = load_workbook(io.BytesIO(await response.read()))
    return [list(row) for row in book["举报一览"].iter_rows(values_only=True)]


HEADER = ["编号", "接收时间", "类别", "镇（区）", "企业", "状态", "当前期限", "紧急", "来源"]


async def test_the_downloads_honour_the_filters_and_hold_no_identity(client, staff_api, reports):
    named = await reports.filed(
        town="杨舍镇", place=YONGSHENG, name="王秘密", phone="13912345678", openid="o-secret"
    )
    await reports.filed()  # 塘桥镇
    await log_in(client, "wang")
    page = await (await client.get("/console/reports", params={"town": "杨舍镇"})).text()
    links = {
        label: markup.unescape(href)
        for href, label in re.findall(r'href="([^"]+)">导出 (\w+)', page)
    }
    assert set(links) == {"CSV", "Excel"}
    assert links["CSV"].startswith("/console/reports.csv?") and "town=" in links["CSV"]
    for rows in (await csv_rows(client, links["CSV"]), await xlsx_rows(client, links["Excel"])):
        assert list(rows[0]) == [*HEADER, "举报内容摘要"]
        assert len(rows) == 2 and rows[1][0] == named.number
        assert list(rows[1][2:9]) == [
            "事故隐患", "杨舍镇", "张家港市永盛纺织有限公司", "已接收",
            "受理告知 2026年12月12日", "否", "微信公众号",
        ]  # fmt: skip
        text = repr(rows)
        assert "王秘密" not in text and "13912345678" not in text and "o-secret" not in text


async def test_an_officer_lists_and_exports_only_his_scope(client, staff_api, reports):
    mine = await reports.advanced("assigned", by="zhangwei")  # 塘桥镇
    elsewhere = await reports.filed(town="杨舍镇")
    await log_in(client, "zhangwei")
    assert await listed(client) == [mine.number]
    assert await listed(client, town="杨舍镇") == []
    numbers = [row[0] for row in await csv_rows(client, "/console/reports.csv")][1:]
    assert numbers == [mine.number] and elsewhere.number not in numbers
    assert [row[0] for row in await xlsx_rows(client, "/console/reports.xlsx")][1:] == numbers


async def test_bad_parameters_are_answered_422_with_the_message(client, staff_api, reports):
    await reports.filed()
    await log_in(client, "wang")
    for params, message in (
        ({"page": "abc"}, "page 应为正整数"),
        ({"page": "0"}, "page 应为正整数"),
        ({"status": "nonsense"}, "status 的取值无效：nonsense"),
        ({"urgent": "yes"}, "urgent 的取值无效：yes"),
        ({"channel": "fax"}, "channel 的取值无效：fax"),
    ):
        response = await client.get("/console/reports", params=params)
        page = await response.text()
        assert response.status == 422 and 'role="alert"' in page and message in page
        assert 'name="q"' in page and not NUMBER.findall(page)  # the form, no list
        exported = await client.get("/console/reports.csv", params=params)
        assert exported.status == 422 and message in await exported.text()
        status, body = await staff_api.get("/api/v1/reports", "wang", **params)
        assert status == 422 and body["error"] == "invalid" and message in body["message"]


async def test_a_page_past_the_last_is_empty_with_a_way_back(client, staff_api, reports):
    await reports.filed()
    await log_in(client, "wang")
    page = await (await client.get("/console/reports", params={"page": "5"})).text()
    assert "没有符合条件的举报" in page and "第 5 / 1 页" in page
    assert 'href="/console/reports?page=4">上一页' in page


async def test_the_list_and_downloads_refuse_whoever_may_not_read_reports(client, staff_api):
    for path in ("/console/reports", "/console/reports.csv", "/console/reports.xlsx"):
        signed_out = await client.get(path, allow_redirects=False)
        assert signed_out.status == 303 and signed_out.headers["Location"] == "/console/login"
    await log_in(client, "qian")  # finance: rewards only
    for path in ("/console/reports", "/console/reports.csv", "/console/reports.xlsx"):
        assert (await client.get(path)).status == 403
