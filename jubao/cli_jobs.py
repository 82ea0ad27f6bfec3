"""Commands for scheduled work: `jubao worker`, and by hand or cron `jubao reminders run
[--at]` and `jubao digest send [--at]`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from datetime import datetime

from jubao.clock import Clock, FixedClock
from jubao.config import Settings, load_settings, with_secrets
from jubao.db import run_with_sessions


def iso_time(text: str) -> datetime:
    """argparse type of --at: an ISO 8601 time, refused with a usage error otherwise."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 8601 time") from None


def parse_at(moment: datetime | None, settings: Settings) -> datetime:
    """--at as an aware time: with an offset as given, without one local time; default now."""
    if moment is None:
        return Clock().now()
    return moment if moment.tzinfo else moment.replace(tzinfo=settings.tz)


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    reminders = commands.add_parser("reminders", help="deadline reminders").add_subparsers(
        title="reminders commands"
    )
    run = reminders.add_parser("run", help="one reminder sweep as of --at (default now)")
    run.add_argument(
        "--at", type=iso_time, help="ISO 8601 time; without an offset it is local time"
    )
    run.set_defaults(run=cmd_reminders_run)

    digest = commands.add_parser("digest", help="the daily digest").add_subparsers(
        title="digest commands"
    )
    send = digest.add_parser("send", help="the dispatchers' digest as of --at (default now)")
    send.add_argument(
        "--at", type=iso_time, help="ISO 8601 time; without an offset it is local time"
    )
    send.set_defaults(run=cmd_digest_send)

    worker = commands.add_parser("worker", help="reminders, digests and deliveries only")
    worker.set_defaults(run=cmd_worker)


def queue_then_deliver(args: argparse.Namespace, job) -> tuple[object, object]:  # type: ignore[no-untyped-def]
    """Run `job(sessions, at, settings=, vault=)` as of --at (it makes its own transactions),
    then deliver what is due (rows queued for a future --at are due then, so deliver as of
    that time)."""
    from jubao.identity import IdentityVault
    from notifications.outbox import deliver_outbox

    settings = with_secrets(load_settings())
    at = parse_at(args.at, settings)
    vault = IdentityVault(settings.identity_keys)
    result = asyncio.run(
        run_with_sessions(
            settings.database_url,
            lambda sessions: job(sessions, at, settings=settings, vault=vault),
        )
    )
    delivered = asyncio.run(deliver_outbox(settings, FixedClock(max(at, Clock().now()))))
    return result, delivered


def cmd_reminders_run(args: argparse.Namespace) -> int:
    from complaints.sweep import sweep_in_batches

    report, delivered = queue_then_deliver(args, sweep_in_batches)
    print(
        f"reminders sent: {report.sent}, skipped: {report.skipped}, "  # type: ignore[attr-defined]
        f"reports failed: {report.failed}; "  # type: ignore[attr-defined]
        f"messages delivered: {delivered.sent}, retrying: {delivered.retrying}"  # type: ignore[attr-defined]
    )
    return 1 if report.failed else 0  # type: ignore[attr-defined]


def cmd_digest_send(args: argparse.Namespace) -> int:
    from complaints.digest import send_digest

    async def in_one_transaction(sessions, at, **context):  # type: ignore[no-untyped-def]
        async with sessions.begin() as session:
            return await send_digest(session, at, **context)

    queued, delivered = queue_then_deliver(args, in_one_transaction)
    print(f"digests queued: {queued}; messages delivered: {delivered.sent}")  # type: ignore[attr-defined]
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from jubao import logs

    settings = with_secrets(load_settings()).replace(scheduler=True)
    logs.configure(settings.log_level)
    asyncio.run(work(settings))
    return 0


async def work(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """The app's background machinery and scheduler without an HTTP site, until a signal."""
    from aiohttp import web

    from jubao.app import create_app

    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    runner = web.AppRunner(create_app(settings), handle_signals=False)
    await runner.setup()
    logging.getLogger("jubao.worker").info("worker running: sweeps, digests, deliveries")
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
