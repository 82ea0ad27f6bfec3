"""Scheduled work by hand or from cron: `jubao reminders run [--at]`, `jubao digest send
[--at]`, `jubao outbox deliver` and `jubao retention run [--at]`. Each does its work in the
runtime, then delivers."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

from complaints.digest import send_digest
from complaints.sweep import SweepReport, sweep_in_batches
from jubao import logs
from jubao.cli.prepared import prepared
from jubao.clock import Clock, FixedClock
from jubao.config import Settings, load_settings, with_secrets
from jubao.runtime import Runtime
from notifications.outbox import DeliveryReport, deliver_all
from rewards.clocks import ClockRun, run_clocks_once
from rewards.retention import Erasure, erase_expired

T = TypeVar("T")


def parse_at(moment: datetime | None, settings: Settings) -> datetime:
    """--at as an aware time: with an offset as given, without one local time; default now."""
    if moment is None:
        return Clock().now()
    return moment if moment.tzinfo else moment.replace(tzinfo=settings.tz)


async def _then_deliver(
    settings: Settings, at: datetime, job: Callable[[Runtime], Awaitable[T]]
) -> tuple[T, DeliveryReport]:
    """`job` as of `at` (it makes its own transactions), then delivery of what is due (rows
    queued for a future --at are due then, so deliver as of that time)."""
    clock = FixedClock(max(at, Clock().now()))
    async with prepared(settings, clock=clock) as built:
        result = await job(built)
        delivered = await deliver_all(built.sessions, built.wechat, built.vault, clock)
    return result, delivered


def _settings() -> Settings:
    settings = with_secrets(load_settings())
    logs.configure(settings.log_level)
    return settings


def reminders_run(args: argparse.Namespace) -> int:
    settings = _settings()
    at = parse_at(args.at, settings)

    async def sweep(built: Runtime) -> tuple[SweepReport, ClockRun]:
        report = await sweep_in_batches(built.sessions, at, settings=settings, vault=built.vault)
        rewards = await run_clocks_once(built.sessions, at, settings=settings, vault=built.vault)
        return report, rewards

    (report, rewards), delivered = asyncio.run(_then_deliver(settings, at, sweep))
    print(
        f"reminders sent: {report.sent + rewards.sent}, "
        f"skipped: {report.skipped + rewards.skipped}, "
        f"reports failed: {report.failed}; rewards waived: {rewards.waived}; "
        f"messages delivered: {delivered.sent}, retrying: {delivered.retrying}"
    )
    return 1 if report.failed else 0


def digest_send(args: argparse.Namespace) -> int:
    settings = _settings()
    at = parse_at(args.at, settings)

    async def digest(built: Runtime) -> int:
        async with built.sessions.begin() as session:
            return await send_digest(session, at, settings=settings, vault=built.vault)

    queued, delivered = asyncio.run(_then_deliver(settings, at, digest))
    print(f"digests queued: {queued}; messages delivered: {delivered.sent}")
    return 0


def outbox_deliver(args: argparse.Namespace) -> int:
    settings = _settings()

    async def nothing(built: Runtime) -> None:
        return None

    _, report = asyncio.run(_then_deliver(settings, Clock().now(), nothing))
    print(
        f"sent: {report.sent}, skipped: {report.skipped}, "
        f"retrying: {report.retrying}, failed: {report.failed}"
    )
    return 0


def retention_run(args: argparse.Namespace) -> int:
    settings = _settings()
    at = parse_at(args.at, settings)

    async def erase(built: Runtime) -> Erasure:
        return await erase_expired(built.sessions, at)

    erasure, _ = asyncio.run(_then_deliver(settings, at, erase))
    print(
        f"identity erased from {erasure.erased} report(s) finished more than "
        f"{erasure.years} years before {at.isoformat()}"
    )
    return 0
