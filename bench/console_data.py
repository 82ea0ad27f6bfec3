"""bench.console's database: the real migrations, the demo registry (13 towns, enterprises,
officers), a dispatcher who can sign in, and N reports loaded the way bench.sweep loads them
(bench/sweep_loading.py: open reports among the most recent, over four years), then spread over
the towns, enterprises and channels."""

from __future__ import annotations

from sqlalchemy import func, select, update

from bench.common import say
from bench.sweep_data import NOW
from bench.sweep_loading import analyze, load_reports
from complaints.models import Report
from complaints.registry import load_registry, parse_registry
from complaints.registry_models import Enterprise, Town
from jubao.auth import User, hash_password
from jubao.db import make_engine, make_sessionmaker
from jubao.demo import demo_registry
from jubao.migrate import upgrade

DISPATCHER = "wang"
PASSWORD = "bench-console-password"
# Every CHANNEL_EVERY-th report came by one of these instead of the bot.
OTHER_CHANNELS = ("phone", "visit", "letter", "email")
CHANNEL_EVERY = 5
ENTERPRISE_EVERY = 3  # one report in three names a registered enterprise


async def prepare(url: str, n: int, open_count: int) -> None:
    """A fresh schema with the registry, the dispatcher and n reports, analysed."""
    say(f"    migrating, loading the registry and {n:,} reports")
    await upgrade(url)
    engine = make_engine(url)
    try:
        sessions = make_sessionmaker(engine)
        async with sessions.begin() as session:
            await load_registry(session, parse_registry(demo_registry()))
            session.add(
                User(
                    username=DISPATCHER,
                    role="dispatcher",
                    password_hash=await hash_password(PASSWORD),
                    created_at=NOW,
                )
            )
        await load_reports(url, n, open_count)
        async with sessions.begin() as session:
            await spread(session)
        await analyze(engine)
    finally:
        await engine.dispose()


async def spread(session) -> None:  # type: ignore[no-untyped-def]
    """Towns round-robin by id, every third report an enterprise, every fifth another channel
    (bench.sweep's rows are all in one town, by the bot)."""
    towns = list(await session.scalars(select(Town.id).order_by(Town.id)))
    enterprises = list(await session.scalars(select(Enterprise.id).order_by(Enterprise.id)))
    for i, town in enumerate(towns):
        await session.execute(
            update(Report).where(Report.id % len(towns) == i).values(town_id=town)
        )
    for i, enterprise in enumerate(enterprises):
        await session.execute(
            update(Report)
            .where(Report.id % (ENTERPRISE_EVERY * len(enterprises)) == i * ENTERPRISE_EVERY)
            .values(enterprise_id=enterprise)
        )
    for i, channel in enumerate(OTHER_CHANNELS):
        await session.execute(
            update(Report)
            .where(Report.id % (CHANNEL_EVERY * len(OTHER_CHANNELS)) == i * CHANNEL_EVERY + 1)
            .values(channel=channel)
        )
    counted = await session.execute(
        select(Report.status, func.count()).group_by(Report.status).order_by(Report.status)
    )
    say("    statuses: " + ", ".join(f"{status} {count:,}" for status, count in counted))
