"""The registry's tables: towns, units and their towns, officers, enterprises, routing rules,
deadline overrides, the holiday calendar and reward rules. Written by `load_registry`, read by
routing, the deadlines and rewards."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Date, ForeignKey, Integer, Numeric, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jubao.db import Base


class Town(Base):
    __tablename__ = "towns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


unit_towns = Table(
    "unit_towns",
    Base.metadata,
    Column("unit_id", ForeignKey("units.id", ondelete="CASCADE"), primary_key=True),
    Column("town_id", ForeignKey("towns.id", ondelete="CASCADE"), primary_key=True),
)


class Unit(Base):
    """An enforcement unit; its towns are its scope (a unit with none is city-wide)."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    towns: Mapped[list[Town]] = relationship(
        secondary=unit_towns, order_by=Town.position, lazy="selectin"
    )


class Officer(Base):
    """Staff who work in WeChat Work, reached at `wework_id`."""

    __tablename__ = "officers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    wework_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)


class Enterprise(Base):
    """A registered enterprise: risk colour code (blue < yellow < orange < red) and blacklist."""

    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    # 统一社会信用代码 (GB 32100-2015), the key `jubao registry import-enterprises` matches by.
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    town_id: Mapped[int | None] = mapped_column(ForeignKey("towns.id"), index=True)
    address: Mapped[str] = mapped_column(String(255), default="")
    code: Mapped[str] = mapped_column(String(8))
    blacklisted: Mapped[bool] = mapped_column(Boolean, default=False)


class RoutingRule(Base):
    """One routing rule; the lowest `position` that matches wins. `match` is a JSON object with
    any of category, town, enterprise_code, blacklisted; an empty one matches every report."""

    __tablename__ = "routing_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    match: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)


class DeadlineRule(Base):
    """An override of a clock's default duration: `value` is `Nd` (days) or `Nwd` (working days)."""

    __tablename__ = "deadline_rules"

    clock: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(16))


class RegistrySetting(Base):
    """One of the registry's single settings by name (`retention_years`), its value as text."""

    __tablename__ = "registry_settings"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(64))


class CalendarDay(Base):
    """An exception to the week: a holiday (`working` False) or a make-up workday (True)."""

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    working: Mapped[bool] = mapped_column(Boolean)


class RewardRule(Base):
    """A reward rule from the registry's `rewards:` (rewards/rules.py says what it pays), for
    `town_id`'s town or, when None, the whole city. Its kind sets one amount: `percent` of the
    fine (violation), `per_death` by grade (concealed: a JSON object of grade → yuan as text) or
    `fixed` for the `outcomes` named (a JSON list). `minimum`/`maximum` None: no bound."""

    __tablename__ = "reward_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    town_id: Mapped[int | None] = mapped_column(ForeignKey("towns.id"), index=True)
    percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    per_death: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    fixed: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    outcomes: Mapped[list[str]] = mapped_column(JSON, default=list)
    minimum: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    maximum: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
