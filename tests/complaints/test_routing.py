"""Routing rules: first match wins, least-loaded officer, urgency."""

from __future__ import annotations

from complaints.routing import Facts, Rule, first_match, is_urgent, least_loaded

RULES = [
    Rule({"category": "injury"}, "市应急管理局执法大队"),
    Rule({"enterprise_code": "red"}, "市应急管理局执法大队"),
    Rule({"blacklisted": True}, "市应急管理局执法大队"),
    Rule({"town": "塘桥镇"}, "塘桥镇综合执法局"),
    Rule({"town": ["杨舍镇", "金港镇"], "category": "hazard"}, "杨舍镇综合执法局"),
]


def test_first_matching_rule_wins_and_is_described():
    match = first_match(Facts("injury", "塘桥镇"), RULES)
    assert match is not None and match.index == 0
    assert match.describe() == "rules[0] {category=injury} → 市应急管理局执法大队"
    assert first_match(Facts("hazard", "塘桥镇"), RULES).rule.unit == "塘桥镇综合执法局"


def test_enterprise_colour_and_blacklist_route_to_the_city():
    assert first_match(Facts("hazard", "塘桥镇", "red"), RULES).index == 1
    assert first_match(Facts("hazard", "塘桥镇", "blue", blacklisted=True), RULES).index == 2


def test_every_key_must_hold_and_lists_mean_any_of():
    assert first_match(Facts("hazard", "金港镇"), RULES).index == 4
    assert first_match(Facts("violation", "金港镇"), RULES) is None


def test_least_loaded_officer_with_ties_to_the_smaller_id():
    assert least_loaded({"zhangwei": 2, "lina": 1, "chenjie": 1}) == "chenjie"
    assert least_loaded({}) is None


def test_urgency():
    assert is_urgent("red", False, None)
    assert is_urgent("blue", True, None)
    assert is_urgent(None, False, 1)
    assert not is_urgent("orange", False, 0)
