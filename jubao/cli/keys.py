"""`jubao keys rotate`: every encrypted column re-encrypted under the newest of
JUBAO_IDENTITY_KEYS, so an old key can then be dropped from the list.

Encrypted columns are found by their name: every column ending in `_enc` on any table (the
reporter's identity, reward claim data, dialogue states, stored replies, outbox recipients,
staff TOTP secrets and secrets being enrolled). A new encrypted column is covered by naming it
so. Rows are rewritten in batches, one transaction each, with a progress bar on stderr. A row
already under the newest key is skipped, so a run killed half-way resumes where it stopped when
started again, and a finished one changes nothing. Until it has finished, every listed key
still decrypts: keep the old key in JUBAO_IDENTITY_KEYS until the run reports no rows left.

Keyed lookup hashes (an openid's hash) are not recomputed: lookups match under every listed
key, so the old key stays listed for them.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Column, Table, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jubao.cli.prepared import prepared
from jubao.config import load_settings, with_secrets
from jubao.identity import IdentityVault
from jubao.models import metadata

BATCH = 500


def encrypted_columns() -> list[tuple[Table, Column, list[Column]]]:
    """(table, its one-column primary key, its `_enc` columns) for every table that has any."""
    found = []
    for table in metadata.sorted_tables:
        columns = [column for column in table.columns if column.name.endswith("_enc")]
        if columns:
            (key,) = table.primary_key.columns
            found.append((table, key, columns))
    return found


@dataclass
class Rotated:
    rows: int = 0  # re-encrypted by this run
    current: int = 0  # already under the newest key (an earlier, perhaps killed, run)
    changed_meanwhile: int = 0  # written by the service between read and rewrite: run again


async def _rotate_batch(
    session: AsyncSession,
    table: Table,
    key: Column,
    columns: list[Column],
    vault: IdentityVault,
    after: object,
    tally: Rotated,
    batch: int,
) -> tuple[int, object]:
    query = select(key, *columns).where(or_(*(c.is_not(None) for c in columns)))
    if after is not None:
        query = query.where(key > after)
    rows = (await session.execute(query.order_by(key).limit(batch))).all()
    for row in rows:
        old = {c: v for c, v in zip(columns, row[1:], strict=True) if v is not None}
        if all(vault.is_current(v) for v in old.values()):
            tally.current += 1
            continue
        # Compare and set: a value the service rewrote meanwhile is not overwritten.
        result = await session.execute(
            update(table)
            .where(key == row[0], *(c == v for c, v in old.items()))
            .values({c.name: vault.rotate(v) for c, v in old.items()})
        )
        if result.rowcount:  # type: ignore[attr-defined]
            tally.rows += 1
        else:
            tally.changed_meanwhile += 1
    return len(rows), rows[-1][0] if rows else after


Progress = Callable[[str, int, int], None]  # (table, rows seen, rows in the table)


async def rotate_all(
    sessions: async_sessionmaker[AsyncSession],
    vault: IdentityVault,
    *,
    batch: int = BATCH,
    progress: Progress | None = None,
) -> dict[str, Rotated]:
    """What was rewritten, per table; `progress` is told after every committed batch."""
    tallies: dict[str, Rotated] = {}
    for table, key, columns in encrypted_columns():
        tally, after, seen = tallies.setdefault(table.name, Rotated()), None, 0
        async with sessions() as session:
            total = await session.scalar(
                select(func.count())
                .select_from(table)
                .where(or_(*(c.is_not(None) for c in columns)))
            )
        while True:
            async with sessions.begin() as session:
                done, after = await _rotate_batch(
                    session, table, key, columns, vault, after, tally, batch
                )
            seen += done
            if progress is not None:
                progress(table.name, seen, total or 0)
            if done < batch:
                break
    return tallies


def progress_bar(table: str, seen: int, total: int) -> None:
    """`table [#####-----] 250/500` on stderr, redrawn in place."""
    width = 30
    filled = width * seen // total if total else width
    end = "\n" if seen >= total else ""
    bar = "#" * filled + "-" * (width - filled)
    print(f"\r{table:<20} [{bar}] {seen}/{total}", end=end, file=sys.stderr, flush=True)


async def _rotate() -> dict[str, Rotated]:
    async with prepared(with_secrets(load_settings())) as built:
        return await rotate_all(built.sessions, built.vault, progress=progress_bar)


def keys_rotate(args: argparse.Namespace) -> int:
    tallies = asyncio.run(_rotate())
    for table, tally in tallies.items():
        print(
            f"{table}: {tally.rows} rows re-encrypted, {tally.current} already under the newest key"
        )
    again = sum(tally.changed_meanwhile for tally in tallies.values())
    if again:
        print(f"{again} rows changed while rotating; run `jubao keys rotate` again")
        return 1
    total = sum(tally.rows for tally in tallies.values())
    print(f"{total} rows re-encrypted; all encrypted data is under the newest key")
    return 0
