"""Report numbers PREFIX-YYYY-NNNNNN: sequential per local year, gapless, never reused.

The counter row is incremented by one upsert inside the filing transaction, so a rolled-back
filing gives its number back and concurrent filings queue on the row (PostgreSQL) or on the
database write lock (SQLite).
"""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.models import ReportCounter


def format_number(prefix: str, year: int, seq: int) -> str:
    return f"{prefix}-{year}-{seq:06d}"


async def next_seq(session: AsyncSession, year: int) -> int:
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(ReportCounter)
        .values(year=year, last=1)
        .on_conflict_do_update(
            index_elements=[ReportCounter.year], set_={"last": ReportCounter.last + 1}
        )
        .returning(ReportCounter.last)
    )
    return (await session.execute(statement)).scalar_one()
