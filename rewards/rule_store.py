"""The registry's reward rules, read from the database into `rewards.rules` data."""

from __future__ import annotations

from decimal import Decimal
from types import MappingProxyType

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.registry_models import RewardRule as StoredRule
from complaints.registry_models import Town
from rewards.rules import RewardRule


def rule_of(row: StoredRule, town: str | None) -> RewardRule:
    return RewardRule(
        kind=row.kind,
        percent=row.percent,
        per_death=MappingProxyType({grade: Decimal(v) for grade, v in row.per_death.items()}),
        fixed=row.fixed,
        outcomes=tuple(row.outcomes),
        minimum=row.minimum,
        maximum=row.maximum,
        town=town,
        source=f"rewards[{row.position}]",
    )


async def registry_rules(session: AsyncSession) -> list[RewardRule]:
    """The registry's reward rules (city-wide and per town), in file order."""
    rows = await session.execute(
        select(StoredRule, Town.name)
        .outerjoin(Town, StoredRule.town_id == Town.id)
        .order_by(StoredRule.position, StoredRule.id)
    )
    return [rule_of(row, town) for row, town in rows.all()]
