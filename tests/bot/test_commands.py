"""The officers' command parser."""

from __future__ import annotations

import pytest

from bot.commands import Command, Unreadable, Verb, parse


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("接收 ZJG-2026-000123", Command(Verb.TAKE, "ZJG-2026-000123")),
        ("接收zjg-2026-000123", Command(Verb.TAKE, "ZJG-2026-000123")),
        ("退回 ZJG-2026-000123 不属于本镇", Command(Verb.RETURN, "ZJG-2026-000123", "不属于本镇")),
        (
            "进展　ZJG-2026-000123　已检查，正在整改",
            Command(Verb.PROGRESS, "ZJG-2026-000123", "已检查，正在整改"),
        ),
        (
            "属实 ZJG-2026-000123 确有堵塞",
            Command(Verb.SUBSTANTIATED, "ZJG-2026-000123", "确有堵塞"),
        ),
        (
            "不属实 ZJG-2026-000123 现场无此情况",
            Command(Verb.UNSUBSTANTIATED, "ZJG-2026-000123", "现场无此情况"),
        ),
        ("我的", Command(Verb.MINE)),
        (" 逾期 ", Command(Verb.OVERDUE)),
        ("帮助", Command(Verb.HELP)),
    ],
)
def test_commands(message, expected):
    assert parse(message) == expected


@pytest.mark.parametrize(
    ("message", "hint"),
    [
        ("接收", "举报编号"),
        ("退回 ZJG-2026-000123", "理由"),
        ("属实 ZJG-2026-000123", "说明"),
        ("你好", "没有这个指令"),
    ],
)
def test_unreadable_commands_say_what_is_missing(message, hint):
    result = parse(message)
    assert isinstance(result, Unreadable) and hint in result.problem
