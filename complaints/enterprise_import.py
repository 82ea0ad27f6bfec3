"""Importing a bureau's enterprise list (`jubao registry import-enterprises FILE` and the
console's upload): read the file, check its rows, match each to a stored enterprise by credit
code (else by name), and write the new and the changed ones in batches — a few statements for
thousands of rows. Good rows are written, bad rows reported; the same file twice changes
nothing. `plan` decides (pure); `import_enterprises` reads and writes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.enterprise_file import read_table
from complaints.enterprise_rows import COLUMNS, EnterpriseRow, RowError, parse_rows
from complaints.registry_models import Enterprise, Town

BATCH = 1000  # rows per INSERT or UPDATE statement
STORED = ("name", "credit_code", "town_id", "address", "code", "blacklisted")
Progress = Callable[[int, int], None]  # (rows done, rows in the file)


@dataclass(frozen=True)
class Stored:
    """An enterprise as stored, the columns the import compares."""

    id: int
    name: str
    credit_code: str | None
    town_id: int | None
    address: str
    code: str
    blacklisted: bool


@dataclass
class Plan:
    inserts: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)  # each with its "id"
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int
    unchanged: int
    errors: tuple[RowError, ...]
    total: int  # data rows in the file

    @property
    def failed_rows(self) -> int:
        return len({error.row for error in self.errors})

    def line(self) -> str:
        """「新增 12，更新 3，未变 3670」, and the failed rows when there are any."""
        text = f"新增 {self.created}，更新 {self.updated}，未变 {self.unchanged}"
        return text + (f"，出错 {self.failed_rows} 行" if self.errors else "")


def plan(rows: Sequence[EnterpriseRow], stored: Sequence[Stored], town_ids: dict[str, int]) -> Plan:
    """What to insert and update for `rows`. A row matches the enterprise with its credit code,
    else the one with its name; a name or code that belongs to another enterprise is an error
    on the row, as is a second row matching an enterprise an earlier row matched."""
    by_code = {item.credit_code: item for item in stored if item.credit_code}
    by_name = {item.name: item for item in stored}
    claimed: dict[int, int] = {}  # enterprise id → the row that matched it
    result = Plan()

    def refuse(row: EnterpriseRow, column: str, problem: str) -> None:
        result.errors.append(RowError(row.row, COLUMNS[column][0], problem))

    for row in rows:
        target = by_code.get(row.credit_code) if row.credit_code else None
        named = by_name.get(row.name)
        if target is None and named is not None:
            if row.credit_code and named.credit_code:
                refuse(row, "name", f"已登记为另一统一社会信用代码 {named.credit_code} 的企业")
                continue
            target = named
        elif target is not None and named is not None and named.id != target.id:
            refuse(row, "name", f"已是另一企业（代码 {named.credit_code or '无'}）的名称")
            continue
        if target is not None and target.id in claimed:
            refuse(row, "name", f"与第{claimed[target.id]}行是同一家企业")
            continue
        values: dict[str, Any] = {
            "name": row.name,
            "credit_code": row.credit_code or (target.credit_code if target else None),
            "town_id": town_ids[row.town],
            # a column the file lacks keeps what is stored
            "address": _given(row.address, target.address if target else ""),
            "code": row.code,
            "blacklisted": _given(row.blacklisted, target.blacklisted if target else False),
        }
        if target is None:
            result.inserts.append({**values, "aliases": []})
            continue
        claimed[target.id] = row.row
        if all(getattr(target, key) == values[key] for key in STORED):
            result.unchanged += 1
        else:
            result.updates.append({"id": target.id, **values})
    return result


def _given(value: Any, kept: Any) -> Any:
    return kept if value is None else value


async def import_enterprises(
    session: AsyncSession, content: bytes, *, progress: Progress | None = None
) -> ImportSummary:
    """Import the file's bytes (CSV or XLSX); raises ImportFileError, writing nothing, when the
    file cannot be read or lacks a required column. Flushes; the caller commits."""
    table = read_table(content)
    towns = {name: id_ for id_, name in await session.execute(select(Town.id, Town.name))}
    parsed = parse_rows(table, towns)
    columns = [getattr(Enterprise, key) for key in ("id", *STORED)]
    stored = [Stored(*row) for row in await session.execute(select(*columns))]
    decided = plan(parsed.rows, stored, towns)
    errors = sorted([*parsed.errors, *decided.errors], key=lambda error: error.row)
    done = decided.unchanged + len({error.row for error in errors})
    if progress:
        progress(done, parsed.total)
    for statement, batch_rows in (
        (insert(Enterprise), decided.inserts),
        (update(Enterprise), decided.updates),
    ):
        for start in range(0, len(batch_rows), BATCH):
            batch = batch_rows[start : start + BATCH]
            await session.execute(statement, batch)
            done += len(batch)
            if progress:
                progress(done, parsed.total)
    return ImportSummary(
        created=len(decided.inserts),
        updated=len(decided.updates),
        unchanged=decided.unchanged,
        errors=tuple(errors),
        total=parsed.total,
    )
