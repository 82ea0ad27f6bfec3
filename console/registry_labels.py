"""The registry in words a bureau reads (pure): a routing rule as 「类别=受伤或事故 →
市应急管理局执法大队」, a deadline as 「15 日」, a reward rule's amount."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from complaints.deadlines import Duration
from complaints.vocabulary import CATEGORY_LABELS

COLOURS = {"blue": "蓝", "yellow": "黄", "orange": "橙", "red": "红"}
MATCH_LABELS = {
    "category": "类别",
    "town": "镇（区）",
    "enterprise_code": "企业风险等级",
    "blacklisted": "黑名单企业",
}
CLOCK_LABELS = {
    "accept": "受理告知",
    "ack": "分派确认",
    "handle": "办结",
    "extension_max": "延期上限",
    "result": "结果告知",
    "objection": "异议期",
    "review": "复查",
    "reward_decision": "奖励决定",
    "reward_collection": "奖励领取",
}
REWARD_KINDS = {
    "violation": "违法行为（按罚款比例）",
    "concealed": "瞒报谎报事故（按死亡人数）",
    "fixed": "固定金额",
}
OUTCOMES = {"substantiated": "举报属实", "case_filed": "立案查处", "criminal_referral": "移送司法"}
WEEKDAYS = "一二三四五六日"


def _value(key: str, value: object) -> str:
    if key == "category":
        return CATEGORY_LABELS.get(str(value), str(value))
    if key == "enterprise_code":
        return COLOURS.get(str(value), str(value))
    if key == "blacklisted":
        return "是" if value else "否"
    return str(value)


def describe_rule(match: Mapping[str, object], unit: str) -> str:
    """「类别=受伤或事故，镇（区）=塘桥镇或金港镇 → 塘桥镇综合执法局」; no condition: 其余全部."""
    conditions = []
    for key, value in match.items():
        values = value if isinstance(value, list) else [value]
        shown = "或".join(_value(key, item) for item in values)
        conditions.append(f"{MATCH_LABELS.get(key, key)}={shown}")
    return f"{'，'.join(conditions) or '其余全部'} → {unit}"


def describe_duration(text: str) -> str:
    duration = Duration.parse(text)
    return f"{duration.count} 个工作日" if duration.working else f"{duration.count} 日"


def duration_text(duration: Duration) -> str:
    return f"{duration.count}{'wd' if duration.working else 'd'}"


def yuan(amount: Decimal | str | None) -> str:
    if amount is None:
        return "—"
    return f"{Decimal(amount):,.2f} 元"


def describe_reward(
    kind: str, percent: Decimal | None, per_death: Mapping[str, str], fixed: Decimal | None,
    outcomes: list[str],
) -> str:  # fmt: skip
    if kind == "violation":
        return f"罚款金额的 {Decimal(percent or 0).normalize():f}%"
    if kind == "concealed":
        return "；".join(
            f"{grade}事故每瞒报1人 {yuan(amount)}" for grade, amount in per_death.items()
        )
    named = "、".join(OUTCOMES.get(outcome, outcome) for outcome in outcomes)
    return f"{named}：{yuan(fixed)}"
