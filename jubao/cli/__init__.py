"""The `jubao` command (SPEC §4): its parser, and the command modules it loads.

Building the parser imports nothing but argparse; a command's module (and what it needs) is
imported only when that command runs, so `jubao --help` and usage errors answer at once.
Every error an operator can cause is one line on stderr and an exit code, never a traceback:
2 for usage and configuration, 1 for a failure (an unreachable database, a bad file).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from datetime import datetime

AT_HELP = "ISO 8601 time; without an offset it is local time"


def iso_time(text: str) -> datetime:
    """argparse type of --at: an ISO 8601 time, refused with a usage error otherwise."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 8601 time") from None


def seconds(text: str) -> float:
    """argparse type of --max-age: a positive number of seconds."""
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return value


class CheckInstead(argparse.Action):
    """`jubao worker --check-heartbeat FILE`: the command becomes the check alone
    (jubao/cli/heartbeat.py), which loads neither the app nor the database, so that a health
    check run every few seconds costs little."""

    def __call__(self, parser, namespace, values, option_string=None):  # type: ignore[no-untyped-def]
        setattr(namespace, self.dest, values)
        namespace.command = "heartbeat:check"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "command"):
        parser.print_help()
        return 2
    module_name, function_name = args.command.split(":")
    module = importlib.import_module(f"jubao.cli.{module_name}")
    errors = importlib.import_module("jubao.cli.errors")
    return errors.run_command(getattr(module, function_name), args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jubao", description="举报 — workplace-safety reports")
    commands = parser.add_subparsers(title="commands")

    def command(name: str, target: str, help_text: str, group=commands):  # type: ignore[no-untyped-def]
        sub = group.add_parser(name, help=help_text)
        sub.set_defaults(command=target)
        return sub

    def group(name: str, help_text: str):  # type: ignore[no-untyped-def]
        return commands.add_parser(name, help=help_text).add_subparsers(title=f"{name} commands")

    for name, target, help_text in (
        ("serve", "server:serve", "the web service (callbacks, console, API)"),
        ("demo", "server:demo", "a self-contained demo on a fresh SQLite database"),
    ):
        sub = command(name, target, help_text)
        sub.add_argument("--host", help="listen address (default JUBAO_HOST or 127.0.0.1)")
        sub.add_argument("--port", type=int, help="listen port (default JUBAO_PORT or 8080)")
    worker = command("worker", "server:worker", "reminders, digests and deliveries only")
    beats = worker.add_mutually_exclusive_group()
    beats.add_argument(
        "--heartbeat",
        metavar="FILE",
        help="rewrite FILE after each background tick (5 s) in which the database answered",
    )
    beats.add_argument(
        "--check-heartbeat",
        metavar="FILE",
        action=CheckInstead,
        help="start nothing: exit 0 if FILE is at most --max-age old, else 1 (a health check)",
    )
    worker.add_argument(
        "--max-age",
        type=seconds,
        default=30.0,  # six ticks
        metavar="SECONDS",
        help="with --check-heartbeat: the oldest heartbeat still healthy (default 30)",
    )
    command(
        "doctor",
        "doctor:doctor",
        "check configuration, database and WeChat credentials; say what is wrong",
    )

    command("upgrade", "database:upgrade", "apply migrations", group("db", "database schema"))
    registry = group("registry", "towns, units, officers, enterprises, rules, calendar")
    load = command(
        "load", "database:registry_load", "load or update the registry from YAML", registry
    )
    load.add_argument("file")
    enterprises = command(
        "import-enterprises",
        "enterprises:import_file",
        "import the enterprise list (CSV or XLSX) a bureau keeps",
        registry,
    )
    enterprises.add_argument("file", help="XLSX, or CSV in UTF-8 or GB18030")

    users = group("user", "staff accounts")
    add = command(
        "add", "staff:user_add", "add a staff account; the password is read from stdin", users
    )
    add.add_argument("name")
    roles = ("dispatcher", "officer", "leader", "finance", "auditor", "admin")
    add.add_argument("--role", required=True, choices=roles)
    add.add_argument("--town", help="limit an officer to this town")
    add.add_argument("--wework-id", help="WeChat Work user id (receives app messages)")
    reset_totp = command(
        "reset-totp",
        "staff:user_reset_totp",
        "turn off a user's TOTP second factor (a lost phone); audited",
        users,
    )
    reset_totp.add_argument("name")
    create = command(
        "create",
        "staff:token_create",
        "print a new bearer token for a user",
        group("token", "API tokens"),
    )
    create.add_argument("name")
    command(
        "verify", "staff:audit_verify", "check the audit chain", group("audit", "the audit log")
    )
    command(
        "rotate",
        "keys:keys_rotate",
        "re-encrypt identity data under the newest of JUBAO_IDENTITY_KEYS",
        group("keys", "identity encryption keys"),
    )

    run = command(
        "run",
        "jobs:reminders_run",
        "one reminder sweep as of --at (default now)",
        group("reminders", "deadline reminders"),
    )
    run.add_argument("--at", type=iso_time, help=AT_HELP)
    send = command(
        "send",
        "jobs:digest_send",
        "the dispatchers' digest as of --at (default now)",
        group("digest", "the daily digest"),
    )
    send.add_argument("--at", type=iso_time, help=AT_HELP)
    command(
        "deliver",
        "jobs:outbox_deliver",
        "deliver what is due in the outbox",
        group("outbox", "outbound WeChat messages"),
    )
    retention = command(
        "run",
        "jobs:retention_run",
        "erase the identity of reports finished more than retention_years ago, as of --at",
        group("retention", "identity retention"),
    )
    retention.add_argument("--at", type=iso_time, help=AT_HELP)
    stats = command("stats", "stats:stats", "the statistics of a year or a quarter")
    stats.add_argument("--year", required=True, help="the year, e.g. 2021 (local time)")
    stats.add_argument("--quarter", help="1, 2, 3 or 4 (default: the whole year)")
    stats.add_argument("--format", default="text", help="text (default) | json | csv")
    calc = command(
        "calc",
        "rewards:calc",
        "the reward under the rules in force, as JSON",
        group("rewards", "whistleblower rewards"),
    )
    calc.add_argument("--kind", help="violation (a fine), concealed (deaths) or fixed (outcome)")
    calc.add_argument("--fine", help="violation: the fine in yuan")
    calc.add_argument("--grade", help="concealed: 一般 | 较大 | 重大 | 特别重大")
    calc.add_argument("--deaths", help="concealed: the deaths concealed (at least 1)")
    calc.add_argument("--outcome", action="append", help="fixed: an outcome a rule names")
    calc.add_argument("--town", help="the town whose rules apply (default: the whole city)")
    return parser


if __name__ == "__main__":
    sys.exit(main())
