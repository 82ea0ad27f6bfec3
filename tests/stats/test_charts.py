"""The console's charts (console/charts.py): SVG markup from data, labels escaped, Chinese
labels kept (long ones shortened), bars in proportion, an empty period said as such."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from markupsafe import Markup

from console.charts import EMPTY, bar_chart, column_chart, shorten, text_width

SVG = "{http://www.w3.org/2000/svg}"


def parsed(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # well-formed XML, or this raises


def bars(markup: str) -> list[float]:
    """The filled bars' lengths (the second rect of each row; the first is its track)."""
    rects = parsed(markup).findall(f"{SVG}rect")
    return [float(r.get("width") or 0) for r in rects[1::2]]


def test_a_bar_chart_is_svg_with_its_labels_counts_and_title() -> None:
    chart = bar_chart([("受伤或事故", 47), ("事故隐患", 46)], "按类别")
    assert isinstance(chart, Markup)  # the template puts it in as it is
    root = parsed(chart)
    assert root.tag == f"{SVG}svg" and root.get("aria-label") == "按类别"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts == ["受伤或事故", "47", "事故隐患", "46"]
    assert "<script" not in chart and "http" not in chart.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )  # nothing to fetch: no CDN, no script


def test_bars_are_in_proportion_to_the_largest() -> None:
    lengths = bars(bar_chart([("甲", 10), ("乙", 5), ("丙", 0)], "t"))
    assert lengths[0] > 0 and lengths[1] == lengths[0] / 2 and lengths[2] == 0


def test_labels_and_titles_are_escaped() -> None:
    chart = bar_chart([("<script>alert(1)</script>", 3)], 'a"b<c')
    assert "<script>" not in chart
    assert "&lt;script&gt;" in chart
    parsed(chart)  # still well-formed


def test_long_chinese_labels_are_shortened_and_wide_characters_counted_wide() -> None:
    assert text_width("杨舍镇") == 3 * 13 and text_width("12350") == 5 * 13 * 0.6
    assert shorten("常阴沙现代农业示范区") == "常阴沙现代农业示范区"  # 10 characters fit
    long = "张家港市某某某某某某某某化工有限公司"
    assert shorten(long).endswith("…") and text_width(shorten(long)) <= 12 * 13


def test_a_period_without_reports_says_so() -> None:
    chart = bar_chart([("杨舍镇", 0), ("塘桥镇", 0)], "按镇（区）")
    assert EMPTY in chart and bars(chart) == [0.0, 0.0]
    assert EMPTY in column_chart([("1月", 0)], "按月份")


def test_a_column_chart_draws_a_column_per_month() -> None:
    months = [(f"{m}月", m % 3) for m in range(1, 13)]
    root = parsed(column_chart(months, "按月份"))
    heights = [float(r.get("height") or 0) for r in root.findall(f"{SVG}rect")]
    assert len(heights) == 12 and heights[1] == 2 * heights[0] and heights[2] == 0
    labels = [t.text for t in root.iter(f"{SVG}text") if t.text and t.text.endswith("月")]
    assert labels == [label for label, _ in months]
    assert re.search(r'viewBox="0 0 560 220"', column_chart(months, "x"))
