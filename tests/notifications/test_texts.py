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
