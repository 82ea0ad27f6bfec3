"""The registry's `rewards:` key: each entry checked and named when wrong, stored, replaced
whole by the next file that has the key, left alone by one that has not, and read back as the
rules in force — on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaints.registry import RegistryError, RewardRule, load_registry, parse_registry
from complaints.registry_yaml import load_yaml
from rewards.rule_store import registry_rules
from rewards.rules import Outcome, reward_for
from rewards.rules import RewardRule as Rule

TOWNS = "towns: [{name: 塘桥镇}, {name: 杨舍镇}]\n"
PER_DEATH = "{一般: 30000, 较大: 40000, 重大: 50000, 特别重大: 60000}"
NOT_SIXTY, NULL_SIXTY = PER_DEATH.replace("60000", "x"), PER_DEATH.replace("60000", "~")
REWARDS = f"""
rewards:
  - {{kind: violation, percent: 20, min: 3000, max: 300000}}
  - {{kind: concealed, per_death: {PER_DEATH}, max: 500000}}
  - {{kind: violation, town: 塘桥镇, percent: 12.5}}
  - {{kind: fixed, fixed: 500, outcomes: [substantiated, case_filed], town: 杨舍镇}}
"""


def parsed(text: str):  # type: ignore[no-untyped-def]
    return parse_registry(load_yaml(text))


def test_reward_rules_parse_into_data():
    data = parsed(REWARDS)
    assert data.named == {"rewards"}
    city, concealed, town, fixed = data.rewards
    assert (city.kind, city.town, city.percent, city.minimum, city.maximum) == (
        "violation",
        None,
        Decimal(20),
        Decimal(3000),
        Decimal(300000),
    )
    assert dict(concealed.per_death)["特别重大"] == Decimal(60000)
    assert (town.town, town.percent, town.minimum, town.maximum) == (
        "塘桥镇",
        Decimal("12.5"),
        None,
        None,
    )
    assert (fixed.fixed, fixed.outcomes) == (Decimal(500), ("substantiated", "case_filed"))


@pytest.mark.parametrize(
    ("entry", "complaint"),
    [
        ("{kind: violation, percent: 101}", "rewards[1].percent: must be between 0 and 100"),
        ("{kind: violation, percent: -1}", "rewards[1].percent: must be between 0 and 100"),
        ("{kind: violation, percent: abc}", "rewards[1].percent: must be a percentage"),
        ("{kind: violation, percent: 1.005}", "rewards[1].percent: must be a percentage with"),
        ("{kind: violation, percent: true}", "rewards[1].percent: must be a percentage"),
        ("{kind: violation}", "rewards[1].percent: required for a violation rule"),
        ("{kind: bonus, percent: 5}", "rewards[1].kind: must be one of violation,"),
        ("{percent: 5}", "rewards[1].kind: must be one of"),
        ("{kind: violation, percent: 5, fixed: 100}", "rewards[1].fixed: not used by a violation"),
        ("{kind: violation, percent: 5, outcomes: [x]}", "rewards[1].outcomes: only a fixed rule"),
        ("{kind: violation, percent: 5, min: 10, max: 5}", "rewards[1].min: must not be above max"),
        ("{kind: violation, percent: 5, min: -3}", "rewards[1].min: must be between 0 and"),
        ("{kind: violation, percent: 5, max: 1e20}", "rewards[1].max: must be between 0 and"),
        ("{kind: violation, percent: 5, town: ''}", "rewards[1].town: must be a non-empty string"),
        ("{kind: violation, percent: 5, colour: red}", "rewards[1]: unknown key 'colour'"),
        ("{kind: concealed, per_death: {一般: 1}}", "rewards[1].per_death: needs an amount for"),
        ("{kind: concealed, per_death: {严重: 1}}", "rewards[1].per_death: unknown grade '严重'"),
        ("{kind: concealed, per_death: 30000}", "rewards[1].per_death: must be a mapping"),
        (f"{{kind: concealed, per_death: {NOT_SIXTY}}}", "rewards[1].per_death.特别重大: must be"),
        (f"{{kind: concealed, per_death: {NULL_SIXTY}}}", "rewards[1].per_death.特别重大: must be"),
        ("{kind: fixed, fixed: 500}", "rewards[1].outcomes: a fixed rule needs a non-empty list"),
        ("{kind: fixed, fixed: 500, outcomes: []}", "rewards[1].outcomes: a fixed rule needs"),
        ("{kind: fixed, fixed: 5, outcomes: [case_filed, case_filed]}", "rewards[1].outcomes[1]"),
        ("{kind: fixed, outcomes: [case_filed]}", "rewards[1].fixed: required for a fixed rule"),
        ("{kind: violation, percent: 10}", "rewards[1]: rewards[0] already gives"),
        ("{kind: fixed, fixed: 5, outcomes: [责令整改]}", "rewards[1].outcomes[0]: must be one"),
        ("just text", "rewards[1]: must be a mapping"),
    ],
)  # fmt: skip
def test_a_bad_reward_rule_is_refused_naming_its_entry(entry, complaint):
    text = f"rewards:\n  - {{kind: violation, percent: 15}}\n  - {entry}\n"
    with pytest.raises(RegistryError) as raised:
        parsed(text)
    assert str(raised.value).startswith(complaint)


def test_one_rule_per_kind_and_jurisdiction_and_outcome():
    with pytest.raises(RegistryError, match=r"rewards\[1\]: rewards\[0\] already gives .* 塘桥镇"):
        parsed("rewards: [{kind: violation, percent: 1, town: 塘桥镇}, "
               "{kind: violation, percent: 2, town: 塘桥镇}]")  # fmt: skip
    with pytest.raises(RegistryError, match="outcome 'case_filed' for the whole city"):
        parsed("rewards: [{kind: fixed, fixed: 1, outcomes: [substantiated, case_filed]}, "
               "{kind: fixed, fixed: 2, outcomes: [case_filed]}]")  # fmt: skip
    both = parsed("rewards: [{kind: fixed, fixed: 1, outcomes: [case_filed]}, "
                  "{kind: fixed, fixed: 2, outcomes: [case_filed], town: 塘桥镇}]")  # fmt: skip
    assert len(both.rewards) == 2


def test_rewards_must_be_a_list():
    with pytest.raises(RegistryError, match="'rewards' must be a list"):
        parsed("rewards: {kind: violation}")


async def load(sessions: async_sessionmaker[AsyncSession], text: str) -> dict[str, int]:
    async with sessions.begin() as session:
        return await load_registry(session, parsed(text))


async def in_force(sessions: async_sessionmaker[AsyncSession]) -> list[Rule]:
    async with sessions() as session:
        return await registry_rules(session)


async def test_a_rule_for_an_unknown_town_is_refused(sessions):
    with pytest.raises(RegistryError, match=r"rewards\[0\].town: unknown town '无此镇'"):
        await load(sessions, "rewards: [{kind: violation, percent: 5, town: 无此镇}]")


async def test_reward_rules_are_stored_and_read_back_as_the_rules_in_force(sessions):
    counts = await load(sessions, TOWNS + REWARDS)
    assert (counts["rewards_created"], counts["rewards_updated"]) == (4, 0)
    rules = await in_force(sessions)
    kinds = [(rule.kind, rule.town) for rule in rules]
    assert kinds == [
        ("violation", None),
        ("concealed", None),
        ("violation", "塘桥镇"),
        ("fixed", "杨舍镇"),
    ]
    assert rules[1].per_death["较大"] == Decimal(40000)
    assert rules[3].outcomes == ("substantiated", "case_filed")

    def pays(outcome: Outcome) -> tuple[str, str]:
        result = reward_for(outcome, rules)
        assert result is not None
        return str(result.amount), result.rule

    assert pays(Outcome(fine=Decimal(100000))) == ("20000.00", "violation 20% (city)")
    assert pays(Outcome(fine=Decimal(100000), town="塘桥镇")) == (
        "12500.00",
        "violation 12.5% (塘桥镇)",
    )
    assert pays(Outcome(concealed_deaths=11, grade="一般")) == (
        "330000.00",
        "concealed 一般 30000/death (city)",
    )
    both = frozenset({"substantiated", "case_filed"})
    assert pays(Outcome(outcomes=both, town="杨舍镇")) == (
        "500.00",
        "fixed 500 for substantiated+case_filed (杨舍镇)",
    )


async def test_the_same_file_twice_changes_nothing(sessions):
    await load(sessions, TOWNS + REWARDS)
    counts = await load(sessions, TOWNS + REWARDS)
    assert [counts[f"rewards_{what}"] for what in ("created", "updated", "deleted")] == [0, 0, 0]


async def test_a_file_with_rewards_replaces_them_and_one_without_leaves_them(sessions):
    await load(sessions, TOWNS + REWARDS)
    assert "rewards_created" not in await load(sessions, "deadlines: {accept: 20d}")
    assert len(await in_force(sessions)) == 4
    counts = await load(sessions, "rewards: [{kind: violation, percent: 25, town: 杨舍镇}]")
    assert [counts[f"rewards_{what}"] for what in ("created", "updated", "deleted")] == [0, 1, 3]
    rules = await in_force(sessions)
    assert [(rule.town, rule.percent) for rule in rules] == [("杨舍镇", Decimal(25))]
    assert (await load(sessions, "rewards: []"))["rewards_deleted"] == 1
    assert await in_force(sessions) == []
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(RewardRule)) == 0


async def test_without_registry_rules_the_national_defaults_are_in_force(sessions):
    rules = await in_force(sessions)
    result = reward_for(Outcome(fine=Decimal(100000), town="塘桥镇"), rules)
    assert result is not None and result.rule == "violation 15% (national)"
