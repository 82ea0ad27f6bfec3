"""The registry: towns (and, as routing lands, units, officers, enterprises, rules).

`parse_registry` validates a loaded YAML document into plain data and names the offending key;
`load_registry` writes it, idempotently: the file is the truth for what it names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from jubao.db import Base


class Town(Base):
    __tablename__ = "towns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class RegistryError(ValueError):
    """The registry file is wrong; the message names the key or entry."""


@dataclass(frozen=True)
class RegistryData:
    towns: tuple[str, ...]


def parse_registry(document: Any) -> RegistryData:
    if not isinstance(document, Mapping):
        raise RegistryError("the registry must be a mapping with at least the key 'towns'")
    towns = document.get("towns")
    if not isinstance(towns, list) or not towns:
        raise RegistryError("'towns' must be a non-empty list of {name: ...}")
    names: list[str] = []
    for index, entry in enumerate(towns):
        name = entry.get("name") if isinstance(entry, Mapping) else None
        if not isinstance(name, str) or not name.strip():
            raise RegistryError(f"towns[{index}]: 'name' must be a non-empty string")
        name = name.strip()
        if name in names:
            raise RegistryError(f"towns[{index}]: duplicate town name {name!r}")
        names.append(name)
    return RegistryData(towns=tuple(names))


async def load_registry(session: AsyncSession, data: RegistryData) -> dict[str, int]:
    """Upsert what the file names; returns counts of created and updated rows."""
    existing = {town.name: town for town in (await session.scalars(select(Town))).all()}
    created = updated = 0
    for position, name in enumerate(data.towns):
        town = existing.get(name)
        if town is None:
            session.add(Town(name=name, position=position))
            created += 1
        elif town.position != position:
            town.position = position
            updated += 1
    await session.flush()
    return {"towns_created": created, "towns_updated": updated}


async def town_names(session: AsyncSession) -> list[str]:
    """Town names in registry order: the numbered list of the dialogue."""
    return list(await session.scalars(select(Town.name).order_by(Town.position, Town.id)))
