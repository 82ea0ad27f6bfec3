"""`jubao keys rotate`: every encrypted column re-encrypted under the newest of
JUBAO_IDENTITY_KEYS, so an old key can then be dropped from the list.

Encrypted columns are found by their name: every column ending in `_enc` on any table (the
reporter's identity, reward claim data, dialogue states, stored replies, outbox recipients,
staff TOTP secrets and secrets being enrolled). A new encrypted column is covered by naming it
so. Rows are rewritten in batches, one transaction each; running it again is harmless.

Keyed lookup hashes (an openid's hash) are not recomputed: lookups match under every listed
key, so the old key stays listed for them.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass

from sqlalchemy import Column, Table, or_, select, update
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
    rows: int = 0
    changed_meanwhile: int = 0  # written by the service between read and rewrite: run again


async def _rotate_batch(
    session: AsyncSession,
    table: Table,
    key: Column,
    columns: list[Column],
    vault: IdentityVault,
    after: object,
    tally: Rotated,
) -> tuple[int, object]:
    query = select(key, *columns).where(or_(*(c.is_not(None) for c in columns)))
    if after is not None:
        query = query.where(key > after)
    rows = (await session.execute(query.order_by(key).limit(BATCH))).all()
    for row in rows:
        old = {c: v for c, v in zip(columns, row[1:], strict=True) if v is not None}
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


async def rotate_all(
    sessions: async_sessionmaker[AsyncSession], vault: IdentityVault
) -> dict[str, Rotated]:
    """What was rewritten, per table."""
    tallies: dict[str, Rotated] = {}
    for table, key, columns in encrypted_columns():
        tally, after = tallies.setdefault(table.name, Rotated()), None
        while True:
            async with sessions.begin() as session:
                done, after = await _rotate_batch(session, table, key, columns, vault, after, tally)
            if done < BATCH:
                break
    return tallies


async def _rotate() -> dict[str, Rotated]:
    async with prepared(with_secrets(load_settings())) as built:
        return await rotate_all(built.sessions, built.vault)


def keys_rotate(args: argparse.Namespace) -> int:
    tallies = asyncio.run(_rotate())
    for table, tally in tallies.items():
        print(f"{table}: {tally.rows} rows re-encrypted")
    again = sum(tally.changed_meanwhile for tally in tallies.values())
    if again:
        print(f"{again} rows changed while rotating; run `jubao keys rotate` again")
        return 1
    print("all encrypted data is under the newest key")
    return 0
