"""Checking the audit chain without reading all of it at every look. `jubao audit verify` and a
daily job check every entry (audit.verify_from from the start) and record the outcome here:
how many entries, the last one found intact and its hash, or where the chain broke. The
console's audit page then checks only the entries written since, linked to that last entry,
and says when the full check ran: a look costs what the day's entries cost, not the whole log
(about 13 µs an entry: 2.5 s for 200,000, a province's month). An entry altered before the
last full check is found by the next one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Integer, String, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from jubao import audit
from jubao.db import Base, UtcDateTime, dialect_module

DAILY_AT = {"hour": 3, "minute": 30}  # local time, when the offices are empty
RECHECK_AFTER = timedelta(hours=12)  # a daily run skips when another process has just checked


class AuditCheck(Base):
    """The last full check of the chain: one row."""

    __tablename__ = "audit_checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    checked_at: Mapped[datetime] = mapped_column(UtcDateTime)
    entries: Mapped[int] = mapped_column(Integer)
    last_id: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))
    broken_id: Mapped[int | None] = mapped_column(Integer)
    broken_reason: Mapped[str | None] = mapped_column(String(80))


@dataclass(frozen=True)
class ChainState:
    """What a look at the chain found: the full check's outcome and the entries since."""

    entries: int  # in the chain, as far as checked
    broken: audit.Broken | None
    full_at: datetime | None  # when the last full check ran; None: this look read it all
    since: int  # entries checked by this look after the full check
    found_by_full_check: bool = False  # the break is the last full check's finding


async def full_check(session: AsyncSession, now: datetime) -> audit.Verified:
    """Check every entry and record the outcome (in the caller's transaction). An upsert:
    workers running the daily job at the same minute each record theirs, none fails."""
    verified = await audit.verify_from(session)
    broken = verified.broken
    outcome = {
        "checked_at": now,
        "entries": verified.entries,
        "last_id": verified.last_id,
        "last_hash": verified.last_hash,
        "broken_id": broken.entry_id if broken else None,
        "broken_reason": broken.reason if broken else None,
    }
    insert = dialect_module(session.get_bind().dialect.name).insert(AuditCheck.__table__)
    await session.execute(
        insert.values(id=1, **outcome).on_conflict_do_update(index_elements=["id"], set_=outcome)
    )
    return verified


async def look(session: AsyncSession) -> ChainState:
    """The chain as the audit page shows it; reads, never writes."""
    last = await session.scalar(select(AuditCheck).where(AuditCheck.id == 1))
    if last is None:  # never fully checked: this look reads it all (a small or new log)
        verified = await audit.verify_from(session)
        return ChainState(verified.entries, verified.broken, None, verified.entries)
    if last.broken_id is not None:
        broken = audit.Broken(last.broken_id, last.broken_reason or "")
        return ChainState(last.entries, broken, last.checked_at, 0, found_by_full_check=True)
    since = await audit.verify_from(session, last.last_id, last.last_hash)
    return ChainState(last.entries + since.entries, since.broken, last.checked_at, since.entries)


async def daily_check(sessions: async_sessionmaker[AsyncSession], now: datetime) -> bool:
    """The daily job: a full check, unless one ran in the last 12 hours. Every `jubao worker`
    runs the job at the same minute; the first to move the row's time on does the reading,
    and on PostgreSQL the others wait on the row, then find it moved on and skip. Whether
    this run checked."""
    async with sessions.begin() as session:
        claimed = await session.execute(
            update(AuditCheck)
            .where(AuditCheck.id == 1, AuditCheck.checked_at < now - RECHECK_AFTER)
            .values(checked_at=now)
            .returning(AuditCheck.id)
        )
        if claimed.first() is None and await session.get(AuditCheck, 1) is not None:
            return False
        await full_check(session, now)
    return True
