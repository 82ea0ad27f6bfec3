"""The report list's filters (SPEC §5 and the console's: enterprise, urgency, channel, a text
search) as SQL conditions on the reports table alone (towns and enterprises by subquery); and
its order:
the nearest current deadline first (so the most overdue), reports without one last, newest
first."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, not_, nulls_last, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.current_deadline import CURRENT_DEADLINE, RUNNING_STATUSES
from complaints.models import Report
from complaints.registry_models import Enterprise, Town


@dataclass(frozen=True)
class Filters:
    status: str | None = None
    town: str | None = None
    category: str | None = None
    overdue: bool | None = None
    enterprise: str | None = None  # the enterprise's name or one of its aliases contains it
    urgent: bool | None = None
    channel: str | None = None
    q: str | None = None  # in the number, the place, the description or the enterprise's name
    page: int = 1

    def query(self, **changes: object) -> dict[str, str]:
        """The filters as query parameters (blanks left out), with `changes`: for links that
        keep the filters, such as the next page or the export."""
        values: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)} | changes
        if values["page"] == 1:
            del values["page"]
        return {
            name: _parameter(name, value)
            for name, value in values.items()
            if value is not None and value != ""
        }


def _parameter(name: str, value: object) -> str:
    if isinstance(value, bool):
        return ("1" if value else "0") if name == "urgent" else ("true" if value else "false")
    return str(value)


ORDER = (nulls_last(CURRENT_DEADLINE.asc()), Report.received_at.desc(), Report.id.desc())


def overdue_condition(now: datetime) -> ColumnElement[bool]:
    """The current deadline has passed: a clock running in the report's status has run out
    (the same reports as queries.overdue_condition; this form reads the open statuses' index
    entries alone)."""
    running = and_(Report.status.in_(RUNNING_STATUSES), CURRENT_DEADLINE.is_not(None))
    # never NULL, so its negation is every other report
    return and_(running, CURRENT_DEADLINE < now)  # noqa: SIM300


async def enterprise_ids(session: AsyncSession, text: str) -> list[int]:
    """The registered enterprises whose name or an alias contains `text` (a bureau registers a
    few thousand: read them here rather than search JSON in two dialects)."""
    rows = await session.execute(select(Enterprise.id, Enterprise.name, Enterprise.aliases))
    return [
        id_ for id_, name, aliases in rows if text in name or any(text in a for a in aliases or ())
    ]


def search_condition(text: str) -> ColumnElement[bool]:
    return or_(
        Report.number.icontains(text, autoescape=True),
        Report.place.contains(text, autoescape=True),
        Report.description.contains(text, autoescape=True),
        Report.enterprise_id.in_(
            select(Enterprise.id).where(Enterprise.name.contains(text, autoescape=True))
        ),
    )


async def conditions(
    session: AsyncSession, filters: Filters, now: datetime
) -> list[ColumnElement[bool]]:
    """The WHERE conditions of the filters given."""
    found: list[ColumnElement[bool]] = []
    if filters.status:
        found.append(Report.status == filters.status)
    if filters.town:
        found.append(Report.town_id.in_(select(Town.id).where(Town.name == filters.town)))
    if filters.category:
        found.append(Report.category == filters.category)
    if filters.overdue is not None:
        late = overdue_condition(now)
        found.append(late if filters.overdue else not_(late))
    if filters.enterprise:
        found.append(Report.enterprise_id.in_(await enterprise_ids(session, filters.enterprise)))
    if filters.urgent is not None:
        found.append(Report.urgent == filters.urgent)
    if filters.channel:
        found.append(Report.channel == filters.channel)
    if filters.q:
        found.append(search_condition(filters.q))
    return found
