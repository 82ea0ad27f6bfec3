"""The lenient answer readers behind the dialogue (SPEC §6, §11 "Dialogue")."""

from __future__ import annotations

import pytest

from bot.answers import (
    bare,
    first_number,
    normalize,
    read_category,
    read_mobile,
    read_name,
    read_query,
    read_town,
    tidy,
    town_in,
)

TOWNS = ["杨舍镇", "塘桥镇", "金港镇"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  举报  ", "举报"),
        ("\u3000举报\u3000", "举报"),
        ("ＡＢ１２", "AB12"),
        ("人民路  8号\t东门", "人民路 8号 东门"),
        ("", ""),
    ],
)
def test_normalize_folds_full_width_and_spaces(text: str, expected: str) -> None:
    assert normalize(text) == expected


def test_tidy_keeps_what_the_citizen_wrote_but_folds_spaces() -> None:
    assert tidy("  东方化工，人民路８号\n  东门 ") == "东方化工，人民路８号 东门"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("１ 。", "1"), ("完 成！", "完成"), ("（2）", "2"), ("「跳过」", "跳过"), ("1.", "1")],
)
def test_bare_drops_spaces_and_punctuation(text: str, expected: str) -> None:
    assert bare(text) == expected


CATEGORIES = [("1", "hazard"), ("2", "injury"), ("3", "concealed"), ("4", "violation")]
CATEGORIES += [("１", "hazard"), ("４", "violation"), (" 2 。", "injury")]
CATEGORIES += [("隐患", "hazard"), ("受伤", "injury"), ("瞒报", "concealed")]
CATEGORIES += [("谎报", "concealed"), ("违法", "violation"), ("工地有人受伤了", "injury")]
# Copying a line of the question back is understood too.
CATEGORIES += [("1 事故隐患", "hazard"), ("2 受伤或事故", "injury")]
CATEGORIES += [("3 瞒报谎报事故", "concealed"), ("4 其他安全生产违法行为", "violation")]


@pytest.mark.parametrize(("text", "category"), CATEGORIES)
def test_read_category(text: str, category: str) -> None:
    assert read_category(text) == category


@pytest.mark.parametrize("text", ["", "0", "5", "12", "举报", "不知道"])
def test_read_category_rejects_other_answers(text: str) -> None:
    assert read_category(text) is None


@pytest.mark.parametrize(
    ("text", "town"),
    [
        ("1", "杨舍镇"),
        ("3", "金港镇"),
        ("３", "金港镇"),
        (" 2 ", "塘桥镇"),
        ("塘桥镇", "塘桥镇"),
        ("就在金港镇长江路上", "金港镇"),
        ("塘桥", "塘桥镇"),
    ],
)
def test_read_town_by_number_or_name(text: str, town: str) -> None:
    assert read_town(text, TOWNS) == town


@pytest.mark.parametrize("text", ["0", "4", "99", "-1", "不知道", "张家港市", ""])
def test_read_town_rejects_numbers_off_the_list_and_unknown_names(text: str) -> None:
    assert read_town(text, TOWNS) is None


def test_read_town_prefers_the_longest_matching_name() -> None:
    assert read_town("保税港区仓库", ["港区", "保税港区"]) == "保税港区"
    assert read_town("港区码头", ["港区", "保税港区"]) == "港区"


def test_town_in_location_label() -> None:
    assert town_in("江苏省苏州市张家港市杨舍镇人民中路", TOWNS) == "杨舍镇"
    assert town_in("江苏省苏州市张家港市", TOWNS) is None


def test_town_in_ignores_one_character_stems() -> None:
    assert town_in("快乐大街", ["乐镇"]) is None
    assert town_in("乐镇中心", ["乐镇"]) == "乐镇"


CHINESE = [(numeral, value) for value, numeral in enumerate("一二三四五六七八九十", start=1)]


@pytest.mark.parametrize(
    ("text", "count"),
    [
        *CHINESE,
        ("两人受伤", 2),
        ("十二人", 12),
        ("二十三人", 23),
        ("二十人", 20),
        ("九十九", 99),
        ("一百零五人", 105),
        ("3人受伤", 3),
        ("３人", 3),
        ("受伤17人，昨天", 17),
        ("0人", 0),
    ],
)
def test_first_number_reads_digits_and_chinese_numerals(text: str, count: int) -> None:
    assert first_number(text) == count


def test_first_number_is_the_first_in_the_text() -> None:
    assert first_number("死亡2人，10月20日") == 2
    assert first_number("11月3日下午两人受伤") == 11


@pytest.mark.parametrize("text", ["", "不清楚", "有人受伤", "好几个人"])
def test_first_number_without_a_number(text: str) -> None:
    assert first_number(text) is None


@pytest.mark.parametrize(
    ("text", "name"), [("李四", "李四"), (" 欧阳娜娜 ", "欧阳娜娜"), ("张" * 20, "张" * 20)]
)
def test_read_name_accepts_2_to_20_characters(text: str, name: str) -> None:
    assert read_name(text) == name


@pytest.mark.parametrize("text", ["", "李", "  李 ", "张" * 21, "李4", "李４", "user123"])
def test_read_name_rejects_short_long_or_digits(text: str) -> None:
    assert read_name(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "13800138000",
        "138 0013 8000",
        "138-0013-8000",
        "+86 138-0013-8000",
        "+8613800138000",
        "１３８００１３８０００",
        "　13800138000　",
    ],
)
def test_read_mobile_accepts_common_forms(text: str) -> None:
    assert read_mobile(text) == "13800138000"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "1380013800",
        "138001380001",
        "23800138000",
        "abcdefghijk",
        "1380013800a",
        "+86 238 0013 8000",
        "(138)00138000",
    ],
)
def test_read_mobile_rejects_other_numbers(text: str) -> None:
    assert read_mobile(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "查询 ZJG-2026-000123 1234 5678 9012 3456",
        "查询 ZJG-2026-000123 1234567890123456",
        "查询ZJG-2026-000123 1234-5678-9012-3456",
        "查询 zjg-2026-000123 １２３４ ５６７８ ９０１２ ３４５６",
        "\u3000查询\u3000ZJG-2026-000123\u30001234 5678 9012 3456 ",
    ],
)
def test_read_query_takes_the_number_and_code_without_spaces(text: str) -> None:
    assert read_query(text) == ("ZJG-2026-000123", "1234567890123456")


@pytest.mark.parametrize(
    "text",
    [
        "查询",
        "查询 ZJG-2026-000123",
        "查询 ZJG-2026-000123 1234 5678 9012 345",
        "查询 ZJG-2026-000123 1234 5678 9012 34567",
        "查询 ZJG-2026-000123 1234 5678 9012 345a",
        "查询 ZJG-2026-123 1234567890123456",
        "查询 1234567890123456",
    ],
)
def test_read_query_rejects_malformed_queries(text: str) -> None:
    assert read_query(text) is None
