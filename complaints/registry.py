"""The registry: towns, units, officers, enterprises, routing rules, deadlines, the calendar and
the reward rules.

`parse_registry` (complaints/registry_file.py) validates a loaded YAML document into plain data
and names the offending key; `load_registry` checks what the file refers to against the database
and writes it, idempotently: the file is the truth for what it names.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.registry_data import (
    EnterpriseData,
    OfficerData,
    RegistryData,
    RegistryError,
    RuleData,
    UnitData,
)
from complaints.registry_file import parse_registry
from complaints.registry_models import (
    CalendarDay,
    DeadlineRule,
    Enterprise,
    Officer,
    RewardRule,
    RoutingRule,
    Town,
    Unit,
)
from complaints.registry_rewards import RewardRuleData
from complaints.registry_settings import (
    assign,
    ids,
    load_calendar,
    load_deadlines,
    load_rewards,
    load_setting,
)

__all__ = [
    "CalendarDay",
    "DeadlineRule",
    "Enterprise",
    "EnterpriseData",
    "Officer",
    "OfficerData",
    "RegistryData",
    "RegistryError",
    "RewardRule",
    "RewardRuleData",
    "RoutingRule",
    "RuleData",
    "Town",
    "Unit",
    "UnitData",
    "check_references",
    "load_registry",
    "outside_references",
    "parse_registry",
]


@dataclass(frozen=True)
class Reference:
    """A name the file uses but does not define; `where` is its key, e.g. `officers[0].unit`."""

    kind: str  # "town" or "unit"
    name: str
    where: str


def outside_references(data: RegistryData) -> tuple[Reference, ...]:
    """The towns and units that entries name but the file does not define, in file order."""
    towns, units = set(data.towns), {unit.name for unit in data.units}
    found: list[Reference] = []

    def refer(kind: str, name: str | None, where: str) -> None:
        if name is not None and name not in (towns if kind == "town" else units):
            found.append(Reference(kind, name, where))

    for index, unit in enumerate(data.units):
        for position, town in enumerate(unit.towns):
            refer("town", town, f"units[{index}].towns[{position}]")
    for index, officer in enumerate(data.officers):
        refer("unit", officer.unit, f"officers[{index}].unit")
    for index, enterprise in enumerate(data.enterprises):
        refer("town", enterprise.town, f"enterprises[{index}].town")
    for index, rule in enumerate(data.rules):
        named = rule.match.get("town")
        if isinstance(named, str):
            refer("town", named, f"rules[{index}].match.town")
        elif isinstance(named, list):
            for position, town in enumerate(named):
                refer("town", town, f"rules[{index}].match.town[{position}]")
        refer("unit", rule.unit, f"rules[{index}].unit")
    for index, reward in enumerate(data.rewards):
        refer("town", reward.town, f"rewards[{index}].town")
    return tuple(found)


async def check_references(session: AsyncSession, data: RegistryData) -> None:
    """Refuse the file when it names a town or unit that neither it nor the database defines."""
    references = outside_references(data)
    known: dict[str, set[str]] = {}
    for kind, column in (("town", Town.name), ("unit", Unit.name)):
        wanted = {reference.name for reference in references if reference.kind == kind}
        found = await session.scalars(select(column).where(column.in_(wanted))) if wanted else []
        known[kind] = set(found)
    for reference in references:
        if reference.name not in known[reference.kind]:
            raise RegistryError(f"{reference.where}: unknown {reference.kind} {reference.name!r}")


async def load_registry(session: AsyncSession, data: RegistryData) -> dict[str, int]:
    """Check, then write what the file names; returns counts of created, updated and deleted
    rows for each key the file has (e.g. `towns_created`, `rules_deleted`). Raises
    RegistryError before writing anything when a reference is unknown."""
    await check_references(session, data)
    counts: dict[str, int] = {}
    if "towns" in data.named:
        counts |= await _load_towns(session, data.towns)
    if "units" in data.named:
        counts |= await _load_units(session, data.units)
    if "officers" in data.named:
        counts |= await _load_officers(session, data.officers)
    if "enterprises" in data.named:
        counts |= await _load_enterprises(session, data.enterprises)
    if "rules" in data.named:
        counts |= await _load_rules(session, data.rules)
    if "deadlines" in data.named:
        counts |= await load_deadlines(session, data.deadlines)
    if "holidays" in data.named:
        counts |= await load_calendar(session, data.holidays, working=False)
    if "workdays" in data.named:
        counts |= await load_calendar(session, data.workdays, working=True)
    if "rewards" in data.named:
        counts |= await load_rewards(session, data.rewards)
    if data.retention_years is not None:
        counts |= await load_setting(session, "retention_years", data.retention_years)
    await session.flush()
    return counts


async def _load_towns(session: AsyncSession, towns: tuple[str, ...]) -> dict[str, int]:
    existing = {town.name: town for town in await session.scalars(select(Town))}
    created = updated = 0
    for position, name in enumerate(towns):
        town = existing.get(name)
        if town is None:
            session.add(Town(name=name, position=position))
            created += 1
        elif town.position != position:
            town.position = position
            updated += 1
    await session.flush()
    return {"towns_created": created, "towns_updated": updated}


async def _load_units(session: AsyncSession, units: tuple[UnitData, ...]) -> dict[str, int]:
    towns = {town.name: town for town in await session.scalars(select(Town))}
    existing = {unit.name: unit for unit in await session.scalars(select(Unit))}
    created = updated = 0
    for data in units:
        unit = existing.get(data.name)
        if unit is None:
            session.add(Unit(name=data.name, towns=[towns[name] for name in data.towns]))
            created += 1
        elif {town.name for town in unit.towns} != set(data.towns):
            unit.towns = [towns[name] for name in data.towns]
            updated += 1
    await session.flush()
    return {"units_created": created, "units_updated": updated}


async def _load_officers(
    session: AsyncSession, officers: tuple[OfficerData, ...]
) -> dict[str, int]:
    units = await ids(session, Unit)
    existing = {officer.wework_id: officer for officer in await session.scalars(select(Officer))}
    created = updated = 0
    for data in officers:
        officer = existing.get(data.wework_id)
        values = {"name": data.name, "unit_id": units[data.unit]}
        if officer is None:
            session.add(Officer(wework_id=data.wework_id, **values))
            created += 1
        elif assign(officer, values):
            updated += 1
    await session.flush()
    return {"officers_created": created, "officers_updated": updated}


async def _load_enterprises(
    session: AsyncSession, enterprises: tuple[EnterpriseData, ...]
) -> dict[str, int]:
    towns = await ids(session, Town)
    existing = {item.name: item for item in await session.scalars(select(Enterprise))}
    created = updated = 0
    for data in enterprises:
        enterprise = existing.get(data.name)
        values = {
            "aliases": list(data.aliases),
            "town_id": towns[data.town] if data.town is not None else None,
            "address": data.address,
            "code": data.code,
            "blacklisted": data.blacklisted,
        }
        if data.credit_code is not None:
            values["credit_code"] = data.credit_code
        if enterprise is None:
            session.add(Enterprise(name=data.name, **values))
            created += 1
        elif assign(enterprise, values):
            updated += 1
    await session.flush()
    return {"enterprises_created": created, "enterprises_updated": updated}


async def _load_rules(session: AsyncSession, rules: tuple[RuleData, ...]) -> dict[str, int]:
    """The file's rules replace the stored ones, position by position; an unchanged rule keeps
    its row."""
    units = await ids(session, Unit)
    existing = list(
        await session.scalars(select(RoutingRule).order_by(RoutingRule.position, RoutingRule.id))
    )
    created = updated = 0
    for position, data in enumerate(rules):
        values = {"position": position, "match": dict(data.match), "unit_id": units[data.unit]}
        if position >= len(existing):
            session.add(RoutingRule(**values))
            created += 1
        elif assign(existing[position], values):
            updated += 1
    for rule in existing[len(rules) :]:
        await session.delete(rule)
    await session.flush()
    deleted = max(len(existing) - len(rules), 0)
    return {"rules_created": created, "rules_updated": updated, "rules_deleted": deleted}
