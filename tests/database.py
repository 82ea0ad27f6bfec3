"""For tests that drive the CLI: an empty database copied from the session's template, and
one transaction on a database named by its URL."""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from jubao.db import make_engine, make_sessionmaker

T = TypeVar("T")


async def run_in_transaction(url: str, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine).begin() as session:
            return await work(session)
    finally:
        await engine.dispose()


def empty_sqlite(template: Path, path: Path) -> str:
    """A copy of the schema template (conftest's `sqlite_template`) at `path`: the URL of an
    empty database migrated to head."""
    shutil.copyfile(template, path)
    return f"sqlite+aiosqlite:///{path}"
