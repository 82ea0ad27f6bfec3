"""Reward rules as data, and the amount they give (pure; SPEC §8, §11 "Rewards").

A rule is `{kind, percent, per_death, fixed, outcomes, min, max}` for the whole city or one town.
The national defaults (安全生产领域举报奖励办法, 2018): a major hazard or violation with a fine
pays 15 % of the fine, ¥3,000 to ¥300,000; a concealed or falsely reported accident pays per
concealed death by the accident's grade, at most ¥300,000. A registry rule of the same kind
replaces the national one, a town's rule the city's. `fixed` rules pay their amount for the
outcomes they name. When several rules apply, the larger amount is paid. Amounts are yuan,
rounded half up to 0.01 before the minimum and maximum apply.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType

from complaints.lifecycle import GRADES  # 生产安全事故报告和调查处理条例 art. 3

CENT = Decimal("0.01")


@dataclass(frozen=True)
class RewardRule:
    kind: str  # violation: a share of the fine; concealed: per concealed death; fixed
    percent: Decimal | None = None
    per_death: Mapping[str, Decimal] = field(default_factory=lambda: MappingProxyType({}))
    fixed: Decimal | None = None
    outcomes: tuple[str, ...] = ()  # a fixed rule pays when every one of these holds
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    town: str | None = None  # None: the whole city
    source: str = "national"  # national, or the registry entry that set it, e.g. rewards[2]

    def describe(self, grade: str | None = None) -> str:
        """A short, stable name of the rule as it applied, as the API and the CLI show it:
        `violation 15% (national)`, `concealed 较大 40000/death (city)`, `fixed 500 for
        substantiated (塘桥镇)`."""
        where = "national" if self.source == "national" else (self.town or "city")
        if self.kind == "violation":
            what = f"violation {_plain(self.percent)}%"
        elif self.kind == "concealed":
            what = f"concealed {grade} {_plain(self.per_death.get(grade or ''))}/death"
        else:
            what = f"fixed {_plain(self.fixed)} for {'+'.join(self.outcomes)}"
        return f"{what} ({where})"


def _plain(amount: Decimal | None) -> str:
    """15, 12.5, 500: a number as people write it."""
    return "" if amount is None else f"{amount.normalize():f}"


PER_DEATH = (Decimal(30000), Decimal(40000), Decimal(50000), Decimal(60000))  # by GRADES
NATIONAL: tuple[RewardRule, ...] = (
    RewardRule("violation", percent=Decimal(15), minimum=Decimal(3000), maximum=Decimal(300000)),
    RewardRule(
        "concealed",
        per_death=MappingProxyType(dict(zip(GRADES, PER_DEATH, strict=True))),
        maximum=Decimal(300000),
    ),
)


@dataclass(frozen=True)
class Outcome:
    """What the handling found, as far as a reward depends on it."""

    fine: Decimal = Decimal(0)
    concealed_deaths: int = 0
    grade: str | None = None
    town: str | None = None
    outcomes: frozenset[str] = frozenset()  # of OUTCOMES


@dataclass(frozen=True)
class Amount:
    amount: Decimal
    rule: str  # RewardRule.describe()


def in_force(registry: Iterable[RewardRule], town: str | None) -> list[RewardRule]:
    """The rules for a report in `town`: per kind, the town's registry rules, else the city's,
    else the national one; fixed rules add up from every level (town first)."""
    registry = list(registry)
    chosen: list[RewardRule] = []
    for kind in ("violation", "concealed"):
        for level in (
            [r for r in registry if r.kind == kind and town and r.town == town],
            [r for r in registry if r.kind == kind and r.town is None],
            [r for r in NATIONAL if r.kind == kind],
        ):
            if level:
                chosen.extend(level)
                break
    chosen += [r for r in registry if r.kind == "fixed" and r.town in (town, None)]
    return chosen


def _bounded(rule: RewardRule, amount: Decimal) -> Decimal:
    amount = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    if rule.minimum is not None:
        amount = max(amount, rule.minimum)
    if rule.maximum is not None:
        amount = min(amount, rule.maximum)
    return amount.quantize(CENT)


def _pays(rule: RewardRule, outcome: Outcome) -> Decimal | None:
    """What the rule pays for the outcome, or None when it does not apply."""
    if rule.kind == "violation" and outcome.fine > 0 and rule.percent is not None:
        return _bounded(rule, outcome.fine * rule.percent / 100)
    if rule.kind == "concealed" and outcome.concealed_deaths > 0 and outcome.grade:
        per_death = rule.per_death.get(outcome.grade)
        return None if per_death is None else _bounded(rule, per_death * outcome.concealed_deaths)
    if rule.kind == "fixed" and rule.fixed is not None and rule.outcomes:
        return _bounded(rule, rule.fixed) if set(rule.outcomes) <= outcome.outcomes else None
    return None


def reward_for(outcome: Outcome, registry: Iterable[RewardRule] = ()) -> Amount | None:
    """The amount the rules give for this outcome (the largest that applies), or None."""
    best: Amount | None = None
    for rule in in_force(registry, outcome.town):
        amount = _pays(rule, outcome)
        if amount is not None and (best is None or amount > best.amount):
            best = Amount(amount, rule.describe(outcome.grade))
    return best


def accident_grade(
    deaths: int = 0, serious_injuries: int = 0, direct_loss: Decimal = Decimal(0)
) -> str:
    """The highest grade any criterion reaches (生产安全事故报告和调查处理条例 art. 3):
    特别重大 ≥30 deaths, ≥100 serious injuries or ≥¥100M direct loss; 重大 ≥10, ≥50, ≥¥50M;
    较大 ≥3, ≥10, ≥¥10M; 一般 below."""
    million = Decimal(1_000_000)
    thresholds = (  # grade, deaths, serious injuries, direct loss
        ("特别重大", 30, 100, 100 * million),
        ("重大", 10, 50, 50 * million),
        ("较大", 3, 10, 10 * million),
    )
    for grade, most_deaths, most_injuries, most_loss in thresholds:
        if deaths >= most_deaths or serious_injuries >= most_injuries or direct_loss >= most_loss:
            return grade
    return "一般"
