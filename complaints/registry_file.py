"""What a registry file says. `parse_registry` checks a loaded YAML document and returns the
frozen data of registry_data.py, or raises RegistryError naming the key or entry at fault. Towns
and units an entry names must be defined in the file or already in the database:
`check_references` (registry.py) looks."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from types import MappingProxyType
from typing import Any

from complaints.credit_code import credit_code_problem
from complaints.deadlines import DEFAULT_RULES, Duration
from complaints.registry_data import (
    KEYS,
    EnterpriseData,
    OfficerData,
    RegistryData,
    RegistryError,
    RuleData,
    UnitData,
)
from complaints.registry_rewards import RewardRuleError, parse_reward_rules
from complaints.routing import MATCH_KEYS
from complaints.vocabulary import CATEGORIES

CODES = ("blue", "yellow", "orange", "red")
CLOCKS = tuple(DEFAULT_RULES)  # the clocks a registry may set
WEWORK_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}")  # WeChat Work's rule for a UserID


def parse_registry(document: Any) -> RegistryData:
    """Every key is optional: a file names what it changes (see docs/registry.md)."""
    if not isinstance(document, Mapping) or not document:
        keys = ", ".join(KEYS)
        raise RegistryError(f"the registry must be a mapping with some of the keys {keys}")
    for key in document:
        if key not in KEYS:
            raise RegistryError(f"unknown key {key!r}; the keys are {', '.join(KEYS)}")
    holidays = _dates(document, "holidays")
    workdays = _dates(document, "workdays")
    for index, day in enumerate(workdays):
        if day in holidays:
            raise RegistryError(f"workdays[{index}]: {day} is also one of the holidays")
    try:
        rewards = parse_reward_rules(document.get("rewards"))
    except RewardRuleError as error:
        raise RegistryError(str(error)) from None
    return RegistryData(
        towns=_towns(document["towns"]) if "towns" in document else (),
        units=_units(document),
        officers=_officers(document),
        enterprises=_enterprises(document),
        rules=tuple(_rule(where, entry) for where, entry in _entries(document, "rules")),
        deadlines=_deadlines(document.get("deadlines")),
        holidays=holidays,
        workdays=workdays,
        rewards=rewards,
        retention_years=_retention(document.get("retention_years")),
        named=frozenset(document),
    )


def _towns(towns: object) -> tuple[str, ...]:
    if not isinstance(towns, list) or not towns:
        raise RegistryError("'towns' must be a non-empty list of {name: ...}")
    names: list[str] = []
    for index, entry in enumerate(towns):
        name = entry.get("name") if isinstance(entry, Mapping) else None
        if not isinstance(name, str) or not name.strip():
            raise RegistryError(f"towns[{index}]: 'name' must be a non-empty string")
        _only_keys(entry, ("name",), f"towns[{index}]")
        name = name.strip()
        if name in names:
            raise RegistryError(f"towns[{index}]: duplicate town name {name!r}")
        names.append(name)
    return tuple(names)


def _units(document: Mapping[str, Any]) -> tuple[UnitData, ...]:
    units: list[UnitData] = []
    for where, entry in _entries(document, "units"):
        name = _text(entry, "name", where)
        if name in (unit.name for unit in units):
            raise RegistryError(f"{where}: duplicate unit name {name!r}")
        towns = _names(entry.get("towns"), f"{where}.towns", "town")
        _only_keys(entry, ("name", "towns"), where)
        units.append(UnitData(name=name, towns=towns))
    return tuple(units)


def _officers(document: Mapping[str, Any]) -> tuple[OfficerData, ...]:
    officers: list[OfficerData] = []
    seen: set[str] = set()
    for where, entry in _entries(document, "officers"):
        wework_id = _text(entry, "wework_id", where)
        if not WEWORK_ID.fullmatch(wework_id):
            raise RegistryError(
                f"{where}.wework_id: {wework_id!r} is not a WeChat Work UserID "
                "(up to 64 letters, digits, _ . @ -, starting with a letter or digit)"
            )
        if wework_id.casefold() in seen:
            raise RegistryError(f"{where}: duplicate wework_id {wework_id!r}")
        seen.add(wework_id.casefold())
        officer = OfficerData(wework_id, _text(entry, "name", where), _text(entry, "unit", where))
        _only_keys(entry, ("wework_id", "name", "unit"), where)
        officers.append(officer)
    return tuple(officers)


def _enterprises(document: Mapping[str, Any]) -> tuple[EnterpriseData, ...]:
    enterprises: list[EnterpriseData] = []
    owners: dict[str, str] = {}  # every name and alias → the entry that has it
    codes: dict[str, str] = {}  # every credit code → the entry that has it
    for where, entry in _entries(document, "enterprises"):
        name = _text(entry, "name", where)
        if any(name == enterprise.name for enterprise in enterprises):
            raise RegistryError(f"{where}: duplicate enterprise name {name!r}")
        aliases = _names(entry.get("aliases"), f"{where}.aliases", "alias")
        for key, label in [(name, "name"), *((a, f"aliases[{i}]") for i, a in enumerate(aliases))]:
            if key in owners:
                raise RegistryError(f"{where}.{label}: {key!r} is already used by {owners[key]}")
            owners[key] = where
        code = entry.get("code")
        if code not in CODES:
            raise RegistryError(f"{where}.code: must be one of {', '.join(CODES)}")
        town = _text(entry, "town", where) if entry.get("town") is not None else None
        address = entry.get("address", "")
        if not isinstance(address, str):
            raise RegistryError(f"{where}.address: must be a string")
        blacklisted = _flag(entry.get("blacklisted", False), f"{where}.blacklisted")
        credit_code = _credit_code(entry.get("credit_code"), f"{where}.credit_code")
        if credit_code is not None and credit_code in codes:
            raise RegistryError(
                f"{where}.credit_code: {credit_code} is already used by {codes[credit_code]}"
            )
        if credit_code is not None:
            codes[credit_code] = where
        keys = ("name", "aliases", "town", "address", "code", "blacklisted", "credit_code")
        _only_keys(entry, keys, where)
        enterprises.append(
            EnterpriseData(name, aliases, town, address.strip(), code, blacklisted, credit_code)
        )
    return tuple(enterprises)


def _credit_code(value: object, where: str) -> str | None:
    if value is None:
        return None
    code = str(value).strip().upper()
    problem = credit_code_problem(code)
    if problem:
        raise RegistryError(f"{where}: {value!r} is not a unified social credit code: {problem}")
    return code


def _rule(where: str, entry: Mapping[str, Any]) -> RuleData:
    """A match value is one value or a list of them (any of)."""
    match = entry.get("match")
    if not isinstance(match, Mapping):
        raise RegistryError(f"{where}.match: must be a mapping of {', '.join(MATCH_KEYS)}")
    parsed: dict[str, object] = {}
    for key, value in match.items():
        if key not in MATCH_KEYS:
            raise RegistryError(f"{where}.match: unknown key {key!r}")
        at = f"{where}.match.{key}"
        if not isinstance(value, list):
            parsed[key] = _match_value(key, value, at)
        elif not value:
            raise RegistryError(f"{at}: an empty list matches nothing")
        else:
            parsed[key] = [_match_value(key, v, f"{at}[{i}]") for i, v in enumerate(value)]
    unit = _text(entry, "unit", where)
    _only_keys(entry, ("match", "unit"), where)
    return RuleData(match=MappingProxyType(parsed), unit=unit)


def _match_value(key: str, value: object, where: str) -> object:
    choices = {"category": CATEGORIES, "enterprise_code": CODES}.get(key)
    if choices is not None and value not in choices:
        raise RegistryError(f"{where}: must be one of {', '.join(choices)}")
    if key == "blacklisted":
        return _flag(value, where)
    if key == "town" and (not isinstance(value, str) or not value.strip()):
        raise RegistryError(f"{where}: must be a non-empty string")
    return value.strip() if isinstance(value, str) else value


def _deadlines(deadlines: object) -> Mapping[str, str]:
    if deadlines is None:
        return MappingProxyType({})
    if not isinstance(deadlines, Mapping):
        raise RegistryError("'deadlines' must be a mapping like {accept: 15d, ack: 1wd}")
    for clock, value in deadlines.items():
        if clock not in CLOCKS:
            raise RegistryError(f"deadlines.{clock}: unknown clock; one of {', '.join(CLOCKS)}")
        try:
            Duration.parse(value)
        except (TypeError, ValueError):
            raise RegistryError(f"deadlines.{clock}: {value!r} is not Nd or Nwd") from None
    return MappingProxyType({clock: value.strip() for clock, value in deadlines.items()})


def _retention(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100:
        raise RegistryError(f"retention_years: {value!r} is not a whole number of years (1–100)")
    return value


def _dates(document: Mapping[str, Any], key: str) -> tuple[date, ...]:
    values = document.get(key)
    if values is None:
        return ()
    if not isinstance(values, list):
        raise RegistryError(f"'{key}' must be a list of dates (YYYY-MM-DD)")
    days: list[date] = []
    for index, value in enumerate(values):
        day = value if isinstance(value, date) and not isinstance(value, datetime) else None
        if isinstance(value, str):
            try:
                day = date.fromisoformat(value.strip())
            except ValueError:
                day = None
        if day is None:
            raise RegistryError(f"{key}[{index}]: {value!r} is not a date (YYYY-MM-DD)")
        if day in days:
            raise RegistryError(f"{key}[{index}]: duplicate date {day}")
        days.append(day)
    return tuple(days)


def _entries(document: Mapping[str, Any], key: str) -> list[tuple[str, Mapping[str, Any]]]:
    entries = document.get(key)
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise RegistryError(f"'{key}' must be a list")
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            raise RegistryError(f"{key}[{index}]: must be a mapping like {{name: ...}}")
    return [(f"{key}[{index}]", entry) for index, entry in enumerate(entries)]


def _text(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise RegistryError(f"{where}.{key}: must be a non-empty string")
    return value.strip()


def _names(values: object, where: str, what: str) -> tuple[str, ...]:
    if values is None:
        return ()
    if not isinstance(values, list):
        raise RegistryError(f"{where}: must be a list of names")
    names: list[str] = []
    for index, value in enumerate(values):
        if not isinstance(value, str) or not value.strip():
            raise RegistryError(f"{where}[{index}]: must be a non-empty string")
        if value.strip() in names:
            raise RegistryError(f"{where}[{index}]: duplicate {what} {value.strip()!r}")
        names.append(value.strip())
    return tuple(names)


def _flag(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise RegistryError(f"{where}: must be true or false")
    return value


def _only_keys(entry: Mapping[str, Any], allowed: tuple[str, ...], where: str) -> None:
    for key in entry:
        if key not in allowed:
            raise RegistryError(f"{where}: unknown key {key!r}; expected {', '.join(allowed)}")
