"""The audit chain: appended in order, verified, and tampering found."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from jubao import audit, audit_checks
from jubao.audit import AuditEntry, append, verify


async def test_chain_verifies_and_finds_the_first_tampered_entry(sessions, clock):
    async with sessions.begin() as session:
        for n in range(4):
            await append(
                session,
                actor="wang",
                action="accept",
                subject=f"ZJG-2026-00000{n}",
                detail={"n": n},
                at=clock.now() + timedelta(seconds=n),
            )
    async with sessions() as session:
        assert await verify(session) is None

    async with sessions.begin() as session:
        await session.execute(update(AuditEntry).where(AuditEntry.id == 3).values(actor="mallory"))
    async with sessions() as session:
        broken = await verify(session)
    assert broken is not None and broken.entry_id == 3


async def test_removing_the_last_entry_is_noticed(sessions, clock):
    from sqlalchemy import delete

    async with sessions.begin() as session:
        for _ in range(2):
            await append(
                session,
                actor="li",
                action="close",
                subject="ZJG-2026-000001",
                detail={},
                at=clock.now(),
            )
    async with sessions.begin() as session:
        await session.execute(delete(AuditEntry).where(AuditEntry.id == 2))
    async with sessions() as session:
        assert (await verify(session)).entry_id == 0


async def test_the_first_entries_written_at_once_both_stand(sessions, clock, database_url):
    """Two transactions writing the very first entries together (a fresh database): neither
    fails on the head row, and the chain holds both."""
    import asyncio

    from sqlalchemy import func, select

    if database_url.startswith("sqlite"):
        pytest.skip("SQLite runs one transaction at a time: the two cannot overlap there")
    both_open = asyncio.Barrier(2)

    async def write(actor: str) -> None:
        async with sessions.begin() as session:
            await session.connection()
            await both_open.wait()  # both transactions have begun before either appends
            await append(
                session,
                actor=actor,
                action="accept",
                subject="ZJG-2026-000001",
                detail={},
                at=clock.now(),
            )

    await asyncio.gather(write("wang"), write("li"))
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(AuditEntry)) == 2
        assert await verify(session) is None


async def test_workers_checking_the_chain_at_the_same_minute_each_record_it(sessions, clock):
    """Every `jubao worker` runs the daily full check at 03:30: none of them fails for the
    others, and one outcome row is left."""
    async with sessions.begin() as session:
        await audit.append(session, actor="wang", action="accept", subject="N1", detail={},
                           at=clock.now())  # fmt: skip

    async def check() -> audit.Verified:
        async with sessions.begin() as session:
            return await audit_checks.full_check(session, clock.now())

    results = await asyncio.gather(check(), check(), check())
    assert [r.broken for r in results] == [None] * 3 and {r.entries for r in results} == {1}
    async with sessions() as session:
        rows = (await session.scalars(select(audit_checks.AuditCheck))).all()
    assert len(rows) == 1 and rows[0].entries == 1 and rows[0].broken_id is None


async def test_the_daily_check_reads_the_log_once_a_day_whichever_worker_runs_it(sessions, clock):  # type: ignore[no-untyped-def]
    async with sessions.begin() as session:
        await append(session, actor="wang", action="accept", subject="N1", detail={},
                     at=clock.now())  # fmt: skip
    runs = await asyncio.gather(*(audit_checks.daily_check(sessions, clock.now()) for _ in "12"))
    assert True in runs  # one of them checked (both, the very first time, on PostgreSQL)
    clock.advance(timedelta(hours=1))
    assert await audit_checks.daily_check(sessions, clock.now()) is False  # checked just now
    clock.advance(timedelta(hours=12))
    assert await audit_checks.daily_check(sessions, clock.now()) is True
    async with sessions() as session:
        row = await session.get(audit_checks.AuditCheck, 1)
    assert row is not None and row.checked_at == clock.now() and row.entries == 1
