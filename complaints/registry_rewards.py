"""The registry's `rewards:` key: per-jurisdiction reward rules, checked into RewardRuleData.

An entry is a whole rule for its jurisdiction (`town`, or the whole city when absent) and kind:
`violation` needs `percent` (0–100, of the fine); `concealed` needs `per_death` with an amount
for each grade; `fixed` needs `fixed` and the `outcomes` it pays for. `min` and `max` are
optional (absent: no bound). What the rules pay is rewards/rules.py; this is the file's shape.
Errors name the entry: `rewards[1].percent: must be between 0 and 100`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

from complaints.lifecycle import GRADES
from complaints.vocabulary import REWARD_KINDS, REWARD_OUTCOMES

LARGEST = Decimal("9999999999.99")  # what a Numeric(12, 2) holds
AMOUNT_KEYS = {"violation": "percent", "concealed": "per_death", "fixed": "fixed"}
KEYS = ("kind", "town", "percent", "per_death", "fixed", "outcomes", "min", "max")


class RewardRuleError(ValueError):
    """A `rewards:` entry is wrong; the message names it (registry_file makes it a
    RegistryError)."""


@dataclass(frozen=True)
class RewardRuleData:
    kind: str  # violation | concealed | fixed
    town: str | None = None  # None: the whole city
    percent: Decimal | None = None
    per_death: Mapping[str, Decimal] = field(
        default_factory=lambda: MappingProxyType({}), hash=False
    )
    fixed: Decimal | None = None
    outcomes: tuple[str, ...] = ()
    minimum: Decimal | None = None
    maximum: Decimal | None = None


def parse_reward_rules(entries: object) -> tuple[RewardRuleData, ...]:
    """The `rewards:` list, checked; None (the key absent) is no rules."""
    if entries is None:
        return ()
    if not isinstance(entries, list):
        raise RewardRuleError("'rewards' must be a list of {kind: ..., ...}")
    rules: list[RewardRuleData] = []
    seen: dict[tuple[str | None, str, str], str] = {}  # (town, kind, outcome) → entry
    for index, entry in enumerate(entries):
        where = f"rewards[{index}]"
        rule = _rule(entry, where)
        for outcome in rule.outcomes or ("",):
            key = (rule.town, rule.kind, outcome)
            if key in seen:
                what = f"outcome {outcome!r}" if outcome else f"a {rule.kind} rule"
                scope = rule.town or "the whole city"
                raise RewardRuleError(f"{where}: {seen[key]} already gives {what} for {scope}")
            seen[key] = where
        rules.append(rule)
    return tuple(rules)


def _rule(entry: object, where: str) -> RewardRuleData:
    if not isinstance(entry, Mapping):
        raise RewardRuleError(f"{where}: must be a mapping like {{kind: violation, percent: 15}}")
    for key in entry:
        if key not in KEYS:
            raise RewardRuleError(f"{where}: unknown key {key!r}; expected {', '.join(KEYS)}")
    kind = entry.get("kind")
    if kind not in REWARD_KINDS:
        raise RewardRuleError(f"{where}.kind: must be one of {', '.join(REWARD_KINDS)}")
    for amount_key in AMOUNT_KEYS.values():
        wanted = amount_key == AMOUNT_KEYS[kind]
        if wanted and entry.get(amount_key) is None:
            raise RewardRuleError(f"{where}.{amount_key}: required for a {kind} rule")
        if not wanted and amount_key in entry:
            raise RewardRuleError(f"{where}.{amount_key}: not used by a {kind} rule")
    if kind != "fixed" and "outcomes" in entry:
        raise RewardRuleError(f"{where}.outcomes: only a fixed rule names outcomes")
    minimum = _amount(entry.get("min"), f"{where}.min")
    maximum = _amount(entry.get("max"), f"{where}.max")
    if minimum is not None and maximum is not None and minimum > maximum:
        raise RewardRuleError(f"{where}.min: must not be above max ({maximum})")
    return RewardRuleData(
        kind=kind,
        town=_town(entry.get("town", None), where) if "town" in entry else None,
        percent=_percent(entry.get("percent"), f"{where}.percent"),
        per_death=_per_death(entry.get("per_death"), f"{where}.per_death"),
        fixed=_amount(entry.get("fixed"), f"{where}.fixed"),
        outcomes=_outcomes(entry.get("outcomes"), kind, f"{where}.outcomes"),
        minimum=minimum,
        maximum=maximum,
    )


def _town(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RewardRuleError(f"{where}.town: must be a non-empty string (omit it for the city)")
    return value.strip()


def _percent(value: object, where: str) -> Decimal | None:
    if value is None:
        return None
    percent = _number(value, where, "a percentage")
    if not 0 <= percent <= 100:
        raise RewardRuleError(f"{where}: must be between 0 and 100")
    return percent


def _per_death(value: object, where: str) -> Mapping[str, Decimal]:
    if value is None:
        return MappingProxyType({})
    if not isinstance(value, Mapping):
        raise RewardRuleError(f"{where}: must be a mapping of grade to yuan, {{一般: 30000, ...}}")
    for grade in value:
        if grade not in GRADES:
            raise RewardRuleError(f"{where}: unknown grade {grade!r}; one of {'|'.join(GRADES)}")
    missing = [grade for grade in GRADES if grade not in value]
    if missing:
        raise RewardRuleError(f"{where}: needs an amount for every grade; missing {missing[0]}")
    amounts: dict[str, Decimal] = {}
    for grade in GRADES:
        amount = _amount(value[grade], f"{where}.{grade}")
        if amount is None:
            raise RewardRuleError(f"{where}.{grade}: must be an amount in yuan")
        amounts[grade] = amount
    return MappingProxyType(amounts)


def _outcomes(value: object, kind: str, where: str) -> tuple[str, ...]:
    if kind != "fixed":
        return ()
    if not isinstance(value, list) or not value:
        raise RewardRuleError(f"{where}: a fixed rule needs a non-empty list of outcome names")
    names: list[str] = []
    for index, name in enumerate(value):
        if name not in REWARD_OUTCOMES:
            raise RewardRuleError(f"{where}[{index}]: must be one of {', '.join(REWARD_OUTCOMES)}")
        if name.strip() in names:
            raise RewardRuleError(f"{where}[{index}]: duplicate outcome {name.strip()!r}")
        names.append(name.strip())
    return tuple(names)


def _amount(value: object, where: str) -> Decimal | None:
    """Yuan: at least 0, at most two decimals; None when absent."""
    if value is None:
        return None
    amount = _number(value, where, "an amount in yuan")
    if amount < 0 or amount > LARGEST:
        raise RewardRuleError(f"{where}: must be between 0 and {LARGEST}")
    return amount.quantize(Decimal("0.01"))


def _number(value: Any, where: str, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise RewardRuleError(f"{where}: must be {what}, not {value!r}")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise RewardRuleError(f"{where}: must be {what}, not {value!r}") from None
    if not number.is_finite():
        raise RewardRuleError(f"{where}: must be {what}, not {value!r}")
    if _decimals(number) > 2:
        raise RewardRuleError(f"{where}: must be {what} with at most two decimals")
    return number


def _decimals(number: Decimal) -> int:
    """How many decimals `number` needs: 0 for 15, 15.00 and 1E+3, 1 for 12.50."""
    exponent = number.normalize().as_tuple().exponent
    return max(-int(exponent), 0)
