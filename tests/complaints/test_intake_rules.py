"""Reading a caller's report from the intake form's fields: the dialogue's rules for the place,
the description, the name and the mobile number, checked at once with a readable message."""

from __future__ import annotations

import re

import pytest

from complaints.intake_rules import InvalidIntake, read_intake

CALL = {
    "category": "hazard",
    "town": "塘桥镇",
    "place": "塘桥镇东街五金加工作坊",
    "description": "车间消防通道被货物堵死，灭火器已过期。",
    "channel": "phone",
}


def test_a_call_without_name_and_phone_is_anonymous():
    new = read_intake(CALL | {"name": "", "phone": " "})
    assert new.anonymous and new.name == new.phone == ""
    assert (new.category, new.town, new.channel) == ("hazard", "塘桥镇", "phone")


def test_a_named_callers_mobile_is_read_as_the_bot_reads_it():
    new = read_intake(CALL | {"name": "王建国", "phone": "+86 139-1234-5678"})
    assert not new.anonymous and (new.name, new.phone) == ("王建国", "13912345678")


def test_the_first_number_of_the_details_is_the_count_for_injuries_and_concealed_deaths():
    assert read_intake(CALL | {"category": "injury", "details": "两人受伤，昨天下午"}).count == 2
    assert read_intake(CALL | {"category": "concealed", "details": "死亡3人"}).count == 3
    assert read_intake(CALL | {"details": "5个桶"}).count is None  # a hazard counts nothing


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"category": "fire"}, "举报类型（category）"),
        ({"channel": "wechat"}, "来源（channel）"),  # the bot's channel is not taken by hand
        ({"town": ""}, "镇（区）"),
        ({"place": ""}, "请填写单位名称和地址（place）"),
        ({"place": "厂"}, "2–200"),
        ({"description": "有隐患"}, "具体情况（description）应为 10–2000 个字"),
        ({"name": "王1", "phone": "13912345678"}, "姓名（name）"),
        ({"name": "王建国", "phone": "2391234567"}, "手机号码（phone）"),
        ({"name": "王建国"}, "手机号码（phone）"),  # named needs both
        ({"phone": "13912345678"}, "姓名（name）"),
        ({"place": 12}, "place 应为文字"),
    ],
)
def test_a_wrong_field_is_named_in_the_message(change, message):
    with pytest.raises(InvalidIntake, match=re.escape(message)):
        read_intake(CALL | change)


def test_every_field_missing_names_the_category_first():
    with pytest.raises(InvalidIntake, match="category"):
        read_intake({})
