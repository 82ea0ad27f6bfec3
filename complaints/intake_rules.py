"""A report the petition office takes on a caller's behalf (hotline 12350, a visit, a letter,
an email), read from the fields of the console's form or the API's JSON: the same rules as the
bot's dialogue, checked at once with a message the dispatcher can read."""

from __future__ import annotations

from collections.abc import Mapping

from complaints.answer_rules import first_number, read_mobile, read_name
from complaints.new_report import NewReport
from complaints.vocabulary import CATEGORIES, INTAKE_CHANNELS

# The fields and their bounds (the dialogue's: SPEC §6).
PLACE = (2, 200)
DESCRIPTION = (10, 2000)
DETAILS_MAX = 200
ANONYMOUS_HINT = "；匿名举报请姓名和手机都不填"
COUNTED = {"injury": "受伤人数", "concealed": "瞒报的死亡人数"}  # read from `details`


class InvalidIntake(ValueError):
    """A field missing or wrong; str() is the message for the dispatcher."""


def _text(fields: Mapping[str, object], name: str) -> str:
    value = fields.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidIntake(f"{name} 应为文字")
    return value.strip()


def _bounded(fields: Mapping[str, object], name: str, label: str, bounds: tuple[int, int]) -> str:
    value = _text(fields, name)
    low, high = bounds
    if not value:
        raise InvalidIntake(f"请填写{label}（{name}）")
    if not low <= len(value) <= high:
        raise InvalidIntake(f"{label}（{name}）应为 {low}–{high} 个字")
    return value


def read_intake(fields: Mapping[str, object]) -> NewReport:
    """The report the fields describe; InvalidIntake names the first field that is wrong.
    Anonymous when neither `name` nor `phone` is given; a named caller needs both."""
    category, channel = _text(fields, "category"), _text(fields, "channel")
    if category not in CATEGORIES:
        raise InvalidIntake(f"举报类型（category）应为 {'、'.join(CATEGORIES)} 之一")
    if channel not in INTAKE_CHANNELS:
        raise InvalidIntake(f"来源（channel）应为 {'、'.join(INTAKE_CHANNELS)} 之一")
    town = _text(fields, "town")
    if not town:
        raise InvalidIntake("请选择镇（区）（town）")
    place = _bounded(fields, "place", "单位名称和地址", PLACE)
    description = _bounded(fields, "description", "具体情况", DESCRIPTION)
    details = _text(fields, "details")
    if len(details) > DETAILS_MAX:
        raise InvalidIntake(f"人数和时间（details）最多 {DETAILS_MAX} 个字")
    count = first_number(details) if category in COUNTED and details else None
    name, phone = _text(fields, "name"), _text(fields, "phone")
    if not name and not phone:
        return NewReport(category, town, place, description, details, count, channel=channel)
    valid_name, valid_phone = read_name(name), read_mobile(phone)
    if valid_name is None:
        raise InvalidIntake(f"姓名（name）应为 2–20 个字，不含数字{ANONYMOUS_HINT}")
    if valid_phone is None:
        raise InvalidIntake(f"手机号码（phone）应为以 1 开头的 11 位数字{ANONYMOUS_HINT}")
    return NewReport(
        category, town, place, description, details, count,
        anonymous=False, name=valid_name, phone=valid_phone, channel=channel,
    )  # fmt: skip
