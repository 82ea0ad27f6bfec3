"""The registry's settings, each loaded when the file names it: the reward rules, the deadline
overrides, the calendar (holidays, make-up workdays) and the single settings (retention_years);
and the helpers every loader uses."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.registry_models import (
    CalendarDay,
    DeadlineRule,
    RegistrySetting,
    RewardRule,
    Town,
    Unit,
)
from complaints.registry_rewards import RewardRuleData


async def load_rewards(
    session: AsyncSession, rewards: tuple[RewardRuleData, ...]
) -> dict[str, int]:
    """The file's reward rules replace the stored ones, position by position; an unchanged
    rule keeps its row."""
    towns = await ids(session, Town)
    existing = list(
        await session.scalars(select(RewardRule).order_by(RewardRule.position, RewardRule.id))
    )
    created = updated = 0
    for position, data in enumerate(rewards):
        values = {
            "position": position,
            "kind": data.kind,
            "town_id": towns[data.town] if data.town is not None else None,
            "percent": data.percent,
            "per_death": {grade: str(amount) for grade, amount in data.per_death.items()},
            "fixed": data.fixed,
            "outcomes": list(data.outcomes),
            "minimum": data.minimum,
            "maximum": data.maximum,
        }
        if position >= len(existing):
            session.add(RewardRule(**values))
            created += 1
        elif assign(existing[position], values):
            updated += 1
    for rule in existing[len(rewards) :]:
        await session.delete(rule)
    await session.flush()
    deleted = max(len(existing) - len(rewards), 0)
    return {"rewards_created": created, "rewards_updated": updated, "rewards_deleted": deleted}


async def load_deadlines(session: AsyncSession, deadlines: Mapping[str, str]) -> dict[str, int]:
    existing = {rule.clock: rule for rule in await session.scalars(select(DeadlineRule))}
    created = updated = 0
    for clock, value in deadlines.items():
        rule = existing.get(clock)
        if rule is None:
            session.add(DeadlineRule(clock=clock, value=value))
            created += 1
        elif assign(rule, {"value": value}):
            updated += 1
    await session.flush()
    return {"deadlines_created": created, "deadlines_updated": updated}


async def load_setting(session: AsyncSession, name: str, value: object) -> dict[str, int]:
    row = await session.get(RegistrySetting, name)
    if row is None:
        session.add(RegistrySetting(name=name, value=str(value)))
        await session.flush()
        return {f"{name}_set": 1}
    return {f"{name}_set": int(assign(row, {"value": str(value)}))}


async def setting(session: AsyncSession, name: str) -> str | None:
    """A single setting as the registry last set it; None when it never did."""
    return await session.scalar(select(RegistrySetting.value).where(RegistrySetting.name == name))


async def load_calendar(
    session: AsyncSession, days: Iterable[date], *, working: bool
) -> dict[str, int]:
    """The file's holidays (or workdays) replace the holidays (or workdays) in the calendar;
    a day the file moves from one list to the other is updated, the other list is left."""
    kind = "workdays" if working else "holidays"
    wanted = set(days)
    existing = {row.day: row for row in await session.scalars(select(CalendarDay))}
    created = updated = deleted = 0
    for day in wanted:
        row = existing.get(day)
        if row is None:
            session.add(CalendarDay(day=day, working=working))
            created += 1
        elif assign(row, {"working": working}):
            updated += 1
    for day, row in existing.items():
        if row.working == working and day not in wanted:
            await session.delete(row)
            deleted += 1
    await session.flush()
    return {f"{kind}_created": created, f"{kind}_updated": updated, f"{kind}_deleted": deleted}


async def ids(session: AsyncSession, model: type[Town] | type[Unit]) -> dict[str, int]:
    return {name: id_ for name, id_ in await session.execute(select(model.name, model.id))}


def assign(row: object, values: Mapping[str, object]) -> bool:
    """Set what differs; True when anything did."""
    changed = False
    for key, value in values.items():
        if getattr(row, key) != value:
            setattr(row, key, value)
            changed = True
    return changed
