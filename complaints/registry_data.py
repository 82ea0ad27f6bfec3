"""The registry's contents as plain frozen data: what `parse_registry` (registry_file.py) makes
of a registry file and `load_registry` (registry.py) writes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from types import MappingProxyType

from complaints.registry_rewards import RewardRuleData

KEYS = (
    "towns",
    "units",
    "officers",
    "enterprises",
    "rules",
    "deadlines",
    "holidays",
    "workdays",
    "rewards",
    "retention_years",
)


class RegistryError(ValueError):
    """The registry file is wrong; the message names the key or entry."""


@dataclass(frozen=True)
class UnitData:
    name: str
    towns: tuple[str, ...] = ()  # none: city-wide


@dataclass(frozen=True)
class OfficerData:
    wework_id: str
    name: str
    unit: str


@dataclass(frozen=True)
class EnterpriseData:
    name: str
    aliases: tuple[str, ...]
    town: str | None
    address: str
    code: str
    blacklisted: bool = False
    credit_code: str | None = None  # None: the file does not say (a stored code stays)


@dataclass(frozen=True)
class RuleData:
    match: Mapping[str, object] = field(hash=False)
    unit: str


@dataclass(frozen=True)
class RegistryData:
    towns: tuple[str, ...] = ()
    units: tuple[UnitData, ...] = ()
    officers: tuple[OfficerData, ...] = ()
    enterprises: tuple[EnterpriseData, ...] = ()
    rules: tuple[RuleData, ...] = ()
    deadlines: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), hash=False)
    holidays: tuple[date, ...] = ()
    workdays: tuple[date, ...] = ()
    rewards: tuple[RewardRuleData, ...] = ()  # complaints/registry_rewards.py
    retention_years: int | None = None  # identity kept this long after closing (default 5)
    named: frozenset[str] = frozenset()  # the top-level keys the file has; derived when empty

    def __post_init__(self) -> None:
        if not self.named:
            present = {f.name for f in fields(self) if f.name in KEYS and getattr(self, f.name)}
            object.__setattr__(self, "named", frozenset(present))
