"""The dashboard's intake this month (by category and by town, as charts) and its list of the
open reports the reporters urged (催办) and pressed again (督办), within the user's scope."""

from __future__ import annotations

import re
from datetime import timedelta

from complaints import feedback
from jubao.identity import IdentityVault
from tests.console.test_sign_in import log_in
from tests.factories import LEADER


def chart_counts(html: str, title: str) -> dict[str, int]:
    """The (label, count) pairs a bar chart draws, read back from its SVG."""
    svg = re.search(rf'<svg class="chart"[^>]*aria-label="{title}".*?</svg>', html, re.S)
    assert svg, title
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg.group(0))
    return {label: int(count) for label, count in zip(texts[::2], texts[1::2], strict=True)}


async def urge(sessions, settings, clock, number: str, openid: str = "o-citizen"):  # type: ignore[no-untyped-def]
    vault = IdentityVault(settings.identity_keys)
    async with sessions.begin() as session:
        return await feedback.urge(
            session, number, [vault.lookup_hash(openid)], settings=settings, vault=vault,
            now=clock.now(),
        )  # fmt: skip


async def test_this_months_intake_is_charted_by_category_and_town(staff, reports, clock):
    await reports.filed()  # 塘桥镇 hazard, today (27 November)
    await reports.filed(kind="injury", town="杨舍镇", at=clock.now() - timedelta(days=20))
    await reports.filed(at=clock.now() - timedelta(days=30))  # 28 October: last month
    await log_in(staff.client, "wang")
    html = await (await staff.client.get("/console/")).text()
    assert "2026年11月，共 2 件" in html
    categories = chart_counts(html, "本月受理 · 按类别")
    assert categories == {
        "受伤或事故": 1, "事故隐患": 1, "瞒报谎报事故": 0, "其他安全生产违法行为": 0
    }  # fmt: skip
    towns = chart_counts(html, "本月受理 · 按镇（区）")
    assert towns["塘桥镇"] == 1 and towns["杨舍镇"] == 1 and sum(towns.values()) == 2
    assert "已逾期" in html and "逾期未办" in html and "七日内到期" in html  # the boards stay


async def test_an_officer_sees_his_towns_intake_only(staff, reports, clock):
    await reports.filed()  # 塘桥镇: zhangwei's unit
    await reports.filed(town="杨舍镇")
    await log_in(staff.client, "zhangwei")
    html = await (await staff.client.get("/console/")).text()
    assert chart_counts(html, "本月受理 · 按镇（区）") == {"塘桥镇": 1}
    assert "共 1 件" in html


async def test_urged_and_supervised_open_reports_are_listed(
    staff, reports, sessions, settings, clock
):
    quiet = clock.now() - timedelta(days=20)  # long enough without a step to be urged
    pressed = await reports.advanced("investigating", at=quiet)
    again = await reports.advanced("investigating", at=quiet, openid="o-other")
    finished = await reports.advanced("concluded", at=quiet, openid="o-third")
    assert (await urge(sessions, settings, clock, pressed.number)).outcome == "urged"
    assert (await urge(sessions, settings, clock, again.number, "o-other")).outcome == "urged"
    assert (await urge(sessions, settings, clock, finished.number, "o-third")).outcome == "urged"
    clock.advance(timedelta(days=1))
    assert (await urge(sessions, settings, clock, again.number, "o-other")).outcome == "supervised"
    await reports.act(finished.number, "close", by=LEADER)  # handled: off the list
    await log_in(staff.client, "wang")
    html = await (await staff.client.get("/console/")).text()
    section = html.split("催办、督办", 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<a href="/console/reports/([^"]+)">.*?</tr>', section, re.S)
    assert rows == [again.number, pressed.number]  # the latest pressed first
    assert re.search(rf"{again.number}</a></td>\s*<td><span class=\"tag danger\">督办</span>"
                     r" <span class=\"muted small\">共 2 次</span>", section)  # fmt: skip
    assert re.search(rf"{pressed.number}</a></td>\s*<td><span class=\"tag \">催办</span>", section)
    assert "2026-11-28 10:00" in section and "2026-11-27 10:00" in section
    assert finished.number not in section


async def test_nothing_pressed_says_so(staff, reports):
    await log_in(staff.client, "wang")
    html = await (await staff.client.get("/console/")).text()
    assert "没有被催办或督办的在办举报。" in html
    assert "本月受理" in html and "本期无数据" in html
