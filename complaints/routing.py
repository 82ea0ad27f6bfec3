"""Routing (SPEC §7) as data: the first rule whose every match key holds names a unit; within
the unit the officer with the fewest open assignments is proposed (ties: smaller wework_id)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

MATCH_KEYS = ("category", "town", "enterprise_code", "blacklisted")


@dataclass(frozen=True)
class Facts:
    category: str
    town: str
    enterprise_code: str | None = None
    blacklisted: bool = False


@dataclass(frozen=True)
class Rule:
    match: Mapping[str, object]
    unit: str


@dataclass(frozen=True)
class Match:
    index: int
    rule: Rule

    def describe(self) -> str:
        condition = ", ".join(f"{key}={value}" for key, value in self.rule.match.items())
        return f"rules[{self.index}] {{{condition}}} → {self.rule.unit}"


def _holds(expected: object, actual: object) -> bool:
    if isinstance(expected, list | tuple | set | frozenset):
        return actual in expected
    return expected == actual


def first_match(facts: Facts, rules: Sequence[Rule]) -> Match | None:
    values = {
        "category": facts.category,
        "town": facts.town,
        "enterprise_code": facts.enterprise_code,
        "blacklisted": facts.blacklisted,
    }
    for index, rule in enumerate(rules):
        if all(_holds(expected, values.get(key)) for key, expected in rule.match.items()):
            return Match(index, rule)
    return None


def least_loaded(open_counts: Mapping[str, int]) -> str | None:
    """The wework_id with the fewest open (assigned or investigating) reports."""
    if not open_counts:
        return None
    return min(open_counts, key=lambda wework_id: (open_counts[wework_id], wework_id))


def is_urgent(enterprise_code: str | None, blacklisted: bool, deaths: int | None) -> bool:
    """Red-code or blacklisted enterprises and reports of deaths are urgent."""
    return enterprise_code == "red" or blacklisted or bool(deaths)
