"""Commands for scheduled work, run by hand or by cron: `jubao reminders run [--at]`."""

from __future__ import annotations

import argparse
import asyncio
from datetime import datetime

from jubao.clock import Clock, FixedClock
from jubao.config import Settings, load_settings, with_secrets
from jubao.db import run_in_transaction


def parse_at(text: str | None, settings: Settings) -> datetime:
    """An ISO 8601 time; with an offset as given, without one in local time; default now."""
    if not text:
        return Clock().now()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--at {text!r} is not an ISO 8601 time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=settings.tz)


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    reminders = commands.add_parser("reminders", help="deadline reminders").add_subparsers(
        title="reminders commands"
    )
    run = reminders.add_parser("run", help="one reminder sweep as of --at (default now)")
    run.add_argument("--at", help="ISO 8601 time; without an offset it is local time")
    run.set_defaults(run=cmd_reminders_run)


def cmd_reminders_run(args: argparse.Namespace) -> int:
    from complaints.sweep import sweep
    from jubao.identity import IdentityVault
    from notifications.outbox import deliver_outbox

    settings = with_secrets(load_settings())
    at = parse_at(args.at, settings)
    vault = IdentityVault(settings.identity_keys)
    report = asyncio.run(
        run_in_transaction(
            settings.database_url,
            lambda session: sweep(session, at, settings=settings, vault=vault),
        )
    )
    delivered = asyncio.run(deliver_outbox(settings, FixedClock(max(at, Clock().now()))))
    print(
        f"reminders sent: {report.sent}, skipped: {report.skipped}; "
        f"messages delivered: {delivered.sent}, retrying: {delivered.retrying}"
    )
    return 0
