"""The registry's reward rules, read from the database into `rewards.rules` data."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.registry_models import RewardRuleRow
from rewards.rules import RewardRule


def _yuan(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def rule_of(position: int, data: Mapping[str, Any]) -> RewardRule:
    return RewardRule(
        kind=str(data["kind"]),
        percent=_yuan(data.get("percent")),
        per_death=MappingProxyType(
            {grade: Decimal(str(v)) for grade, v in (data.get("per_death") or {}).items()}
        ),
        fixed=_yuan(data.get("fixed")),
        outcomes=tuple(data.get("outcomes") or ()),
        minimum=_yuan(data.get("min")),
        maximum=_yuan(data.get("max")),
        town=data.get("town"),
        source=f"rewards[{position}]",
    )


async def registry_rules(session: AsyncSession) -> list[RewardRule]:
    rows = await session.scalars(select(RewardRuleRow).order_by(RewardRuleRow.position))
    return [rule_of(row.position, row.rule) for row in rows]
