"""The `jubao` command (SPEC §4)."""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
from pathlib import Path

import yaml
from aiohttp import web

from complaints.registry import RegistryData, RegistryError, load_registry, parse_registry
from jubao import cli_jobs, cli_staff, logs, migrate
from jubao.app import create_app
from jubao.config import ConfigError, Settings, load_settings, with_secrets
from jubao.db import run_in_transaction


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    try:
        return args.run(args) or 0
    except ConfigError as error:
        print(f"jubao: configuration: {error}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jubao", description="举报 — workplace-safety reports")
    commands = parser.add_subparsers(title="commands")

    serve = commands.add_parser("serve", help="the web service (callbacks, console, API)")
    _listen_flags(serve)
    serve.set_defaults(run=cmd_serve)

    demo = commands.add_parser("demo", help="a self-contained demo on a fresh SQLite database")
    _listen_flags(demo)
    demo.set_defaults(run=cmd_demo)

    db = commands.add_parser("db", help="database schema").add_subparsers(title="db commands")
    db.add_parser("upgrade", help="apply migrations").set_defaults(run=cmd_db_upgrade)

    registry = commands.add_parser("registry", help="towns, units, officers, rules")
    registry_commands = registry.add_subparsers(title="registry commands")
    load = registry_commands.add_parser("load", help="load or update the registry from YAML")
    load.add_argument("file", type=Path)
    load.set_defaults(run=cmd_registry_load)
    outbox = commands.add_parser("outbox", help="outbound WeChat messages")
    outbox_commands = outbox.add_subparsers(title="outbox commands")
    deliver = outbox_commands.add_parser("deliver", help="deliver what is due in the outbox")
    deliver.set_defaults(run=cmd_outbox_deliver)
    cli_staff.register(commands)
    cli_jobs.register(commands)
    return parser


def _listen_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help="listen address (default JUBAO_HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="listen port (default JUBAO_PORT or 8080)")


def _listen(settings: Settings, args: argparse.Namespace) -> Settings:
    return settings.replace(host=args.host or settings.host, port=args.port or settings.port)


def cmd_serve(args: argparse.Namespace) -> int:
    settings = _listen(with_secrets(load_settings()), args)
    logs.configure(settings.log_level)
    if settings.is_sqlite:
        asyncio.run(migrate.upgrade(settings.database_url))
    run_server(settings)
    return 0


def run_server(settings: Settings, banner: str = "") -> None:
    def say(text: str) -> None:
        print(banner or text, flush=True)

    web.run_app(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        access_log_class=logs.PathOnlyAccessLogger,
        print=say,
    )


def cmd_demo(args: argparse.Namespace) -> int:
    from jubao.demo import prepare_demo

    settings, banner, folder = prepare_demo(_listen(load_settings(), args), os.environ)
    logs.configure(settings.log_level)
    try:
        run_server(settings, banner)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    settings = load_settings()
    asyncio.run(migrate.upgrade(settings.database_url))
    print("database is up to date")
    return 0


def cmd_registry_load(args: argparse.Namespace) -> int:
    settings = load_settings()
    try:
        data = parse_registry(read_yaml(args.file))
        counts = asyncio.run(apply_registry(settings, data))
    except (OSError, RegistryError) as error:
        print(f"jubao: registry {args.file}: {error}; nothing was changed", file=sys.stderr)
        return 1
    lines: dict[str, list[str]] = {}  # one line per kind: "units created: 13, units updated: 0"
    for name, n in counts.items():
        lines.setdefault(name.rsplit("_", 1)[0], []).append(f"{name.replace('_', ' ')}: {n}")
    print("\n".join(", ".join(line) for line in lines.values()))
    return 0


def read_yaml(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        raise RegistryError(f"{where}not valid YAML ({getattr(error, 'problem', error)})") from None


async def apply_registry(settings: Settings, data: RegistryData) -> dict[str, int]:
    if settings.is_sqlite:
        await migrate.upgrade(settings.database_url)
    return await run_in_transaction(
        settings.database_url, lambda session: load_registry(session, data)
    )


def cmd_outbox_deliver(args: argparse.Namespace) -> int:
    from notifications.outbox import deliver_outbox

    settings = with_secrets(load_settings())
    logs.configure(settings.log_level)
    report = asyncio.run(deliver_outbox(settings))
    print(
        f"sent: {report.sent}, skipped: {report.skipped}, "
        f"retrying: {report.retrying}, failed: {report.failed}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
