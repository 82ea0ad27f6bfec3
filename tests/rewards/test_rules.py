"""The reward table at every edge: the national rules, registry overrides, grades."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rewards.rules import NATIONAL, Outcome, RewardRule, accident_grade, in_force, reward_for

D = Decimal


def violation(fine: str) -> Decimal | None:
    amount = reward_for(Outcome(fine=D(fine)))
    return None if amount is None else amount.amount


@pytest.mark.parametrize(
    ("fine", "expected"),
    [
        ("0", None),  # no fine: nothing from the percentage rule
        ("0.01", "3000.00"),  # any fine reaches the minimum
        ("19999.99", "3000.00"),  # 15 % is 2999.9985: the minimum
        ("20000", "3000.00"),  # exactly the minimum
        ("20000.07", "3000.01"),  # 3000.0105 rounds half up to 3000.01
        ("100000", "15000.00"),  # exactly 15 %
        ("100000.03", "15000.00"),  # 15000.0045 rounds down
        ("100000.10", "15000.02"),  # 15000.015: half up
        ("1999999.99", "300000.00"),  # 299999.9985 rounds to the maximum
        ("2000000", "300000.00"),  # exactly the maximum
        ("5000000", "300000.00"),  # capped
    ],
)
def test_the_national_percentage_rule(fine, expected):
    assert violation(fine) == (None if expected is None else D(expected))


@pytest.mark.parametrize(
    ("grade", "deaths", "expected"),
    [
        ("一般", 1, "30000.00"),
        ("较大", 3, "120000.00"),
        ("重大", 2, "100000.00"),
        ("特别重大", 5, "300000.00"),  # exactly the cap
        ("一般", 10, "300000.00"),  # exactly the cap
        ("一般", 11, "300000.00"),  # 330,000 capped
        ("特别重大", 6, "300000.00"),
    ],
)
def test_the_national_per_death_rule(grade, deaths, expected):
    amount = reward_for(Outcome(concealed_deaths=deaths, grade=grade))
    assert amount is not None and amount.amount == D(expected)
    assert amount.rule == f"concealed {grade} {PER_DEATH[grade]}/death (national)"


PER_DEATH = {"一般": 30000, "较大": 40000, "重大": 50000, "特别重大": 60000}


def test_no_deaths_or_no_grade_pays_nothing():
    assert reward_for(Outcome(concealed_deaths=0, grade="一般")) is None
    assert reward_for(Outcome(concealed_deaths=2)) is None
    assert reward_for(Outcome(concealed_deaths=2, grade="大")) is None


def test_when_both_apply_the_larger_is_paid():
    both = Outcome(fine=D(1000000), concealed_deaths=1, grade="一般")
    assert reward_for(both).amount == D("150000.00")  # 15 % of the fine beats 30,000
    assert reward_for(both).rule == "violation 15% (national)"
    small_fine = Outcome(fine=D(10000), concealed_deaths=2, grade="较大")
    assert reward_for(small_fine).amount == D("80000.00")


CITY = RewardRule(
    "violation", percent=D(20), minimum=D(500), maximum=D(500000), source="rewards[0]"
)
TOWN = RewardRule("violation", percent=D(10), town="塘桥镇", source="rewards[1]")
HAZARD = RewardRule("fixed", fixed=D(300), outcomes=("substantiated",), source="rewards[2]")


def test_a_registry_rule_replaces_the_national_and_a_town_rule_the_citys():
    registry = [CITY, TOWN]
    assert reward_for(Outcome(fine=D(100000)), registry).amount == D("20000.00")
    town = reward_for(Outcome(fine=D(100000), town="塘桥镇"), registry)
    assert town.amount == D("10000.00") and town.rule == "violation 10% (塘桥镇)"
    assert reward_for(Outcome(fine=D(100000), town="杨舍镇"), registry).amount == D("20000.00")
    concealed = [r.kind for r in in_force(registry, "塘桥镇")]
    assert concealed == ["violation", "concealed"]  # the national per-death rule still holds


def test_a_fixed_rule_pays_for_the_outcomes_it_names():
    substantiated = Outcome(outcomes=frozenset({"substantiated"}))
    assert reward_for(substantiated, [HAZARD]).amount == D("300.00")
    assert reward_for(Outcome(), [HAZARD]) is None
    with_fine = Outcome(fine=D(100000), outcomes=frozenset({"substantiated"}))
    assert reward_for(with_fine, [HAZARD]).amount == D("15000.00")  # the larger
    criminal = RewardRule("fixed", fixed=D(5000), outcomes=("substantiated", "criminal_referral"))
    assert reward_for(substantiated, [criminal]) is None
    both = Outcome(outcomes=frozenset({"substantiated", "criminal_referral"}))
    assert reward_for(both, [criminal]).amount == D("5000.00")


def test_the_national_rules_are_two():
    assert [rule.kind for rule in NATIONAL] == ["violation", "concealed"]


@pytest.mark.parametrize(
    ("deaths", "injuries", "loss_million", "grade"),
    [
        (0, 0, 0, "一般"),
        (2, 9, "9.99", "一般"),
        (3, 0, 0, "较大"),
        (0, 10, 0, "较大"),
        (0, 0, 10, "较大"),
        (9, 49, "49.99", "较大"),
        (10, 0, 0, "重大"),
        (0, 50, 0, "重大"),
        (0, 0, 50, "重大"),
        (29, 99, "99.99", "重大"),
        (30, 0, 0, "特别重大"),
        (0, 100, 0, "特别重大"),
        (0, 0, 100, "特别重大"),
        (1, 1, 100, "特别重大"),  # the highest any criterion reaches
    ],
)
def test_accident_grade_at_each_edge(deaths, injuries, loss_million, grade):
    loss = D(str(loss_million)) * 1_000_000
    assert accident_grade(deaths, injuries, loss) == grade
