"""`jubao db upgrade` and `jubao registry load FILE`."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from complaints.registry import RegistryData, RegistryError, load_registry
from complaints.registry_yaml import read_registry
from jubao import migrate
from jubao.cli.errors import say_error
from jubao.cli.prepared import prepared
from jubao.config import Settings, load_settings
from jubao.runtime import runtime


async def _upgrade(settings: Settings) -> None:
    async with runtime(settings):  # reachable, or one line saying why not
        pass
    await migrate.upgrade(settings.database_url)


def upgrade(args: argparse.Namespace) -> int:
    asyncio.run(_upgrade(load_settings()))
    print("database is up to date")
    return 0


async def _load(settings: Settings, data: RegistryData) -> dict[str, int]:
    async with prepared(settings) as built, built.sessions.begin() as session:
        return await load_registry(session, data)


def registry_load(args: argparse.Namespace) -> int:
    settings, path = load_settings(), Path(args.file)
    try:
        counts = asyncio.run(_load(settings, read_registry(path)))
    except (OSError, RegistryError) as error:
        say_error(
            f"registry {path}: {getattr(error, 'strerror', None) or error}; nothing was changed"
        )
        return 1
    lines: dict[str, list[str]] = {}  # one line per kind: "units created: 13, units updated: 0"
    for name, n in counts.items():
        lines.setdefault(name.rsplit("_", 1)[0], []).append(f"{name.replace('_', ' ')}: {n}")
    print("\n".join(", ".join(line) for line in lines.values()))
    return 0
