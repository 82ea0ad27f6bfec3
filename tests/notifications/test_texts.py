"""Message texts come from jinja2 templates: plain text, strict about missing values."""

from __future__ import annotations

import jinja2
import pytest

from notifications.texts import render


def test_sample_template_renders_plain_text():
    text = render("sample.txt.j2", number="ZJG-2026-000001", unit="A&B <执法>", deadline="11月28日")
    assert text == "举报 ZJG-2026-000001 已分派给 A&B <执法>。\n请于 11月28日 前接收。"


def test_optional_lines_leave_no_blank_line():
    text = render("sample.txt.j2", number="ZJG-2026-000001", unit="塘桥镇", deadline=None)
    assert text == "举报 ZJG-2026-000001 已分派给 塘桥镇。"


def test_a_missing_value_is_an_error():
    with pytest.raises(jinja2.UndefinedError):
        render("sample.txt.j2", number="ZJG-2026-000001")


def test_a_condition_at_the_end_of_a_line_keeps_the_line_break():
    rejected = render("reporter_rejected.txt.j2", number="N1", reason="无明确举报对象或事实",
                      note="请补充单位名称")  # fmt: skip
    assert rejected.splitlines()[1:] == [
        "理由：无明确举报对象或事实（请补充单位名称）",
        "如有新的事实和证据，可以重新举报。",
    ]
    result = render("reporter_result.txt.j2", number="N1", finding="属实", summary="通道堵塞",
                    case_filed=True, objection_by="2026年12月7日", substantiated=True)  # fmt: skip
    lines = result.splitlines()
    assert lines[1:3] == ["核查结论：属实（通道堵塞）", "已立案查处。"]
    assert lines[3].startswith("如对结果有异议") and "可按规定获得奖励" in lines[4]
    plain = render("reporter_result.txt.j2", number="N1", finding="不属实", summary="",
                   case_filed=False, objection_by="2026年12月7日", substantiated=False)  # fmt: skip
    assert plain.splitlines()[1] == "核查结论：不属实"
    assert plain.splitlines()[2].startswith("如对结果有异议")
