"""The plan of the query the sweep runs to find what is due, and the plan lines that read a whole
table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ClauseElement, Executable, Select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.ext.compiler import compiles

from bench.sweep_data import NOW
from complaints.sweep import BATCH as SWEEP_BATCH
from complaints.sweep import due_query


class Explain(Executable, ClauseElement):
    """EXPLAIN … before a statement, its bound parameters processed as in the real query."""

    inherit_cache = False

    def __init__(self, statement: Select[Any], prefix: str) -> None:
        self.statement = statement
        self.prefix = prefix


@compiles(Explain)
def _compile_explain(element: Explain, compiler: Any, **kw: Any) -> str:
    sql = compiler.process(element.statement, **kw)
    compiler._result_columns = []  # the rows are plan lines, not the statement's columns
    return f"{element.prefix} {sql}"


def sweep_query() -> Select[Any]:
    """The statement the sweep runs to find what is due (complaints.sweep.due_query), with the
    batch limit of the scheduled job."""
    return due_query(NOW, SWEEP_BATCH)


def sql_literal(value: Any) -> str:
    if isinstance(value, datetime):
        return f"'{value.isoformat()}'"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(value)


async def generic_plan(session: AsyncSession, prefix: str) -> str:
    """PostgreSQL's generic plan of the due query: the plan a prepared statement (asyncpg
    caches them per connection) switches to after five executions if it looks no dearer."""
    connection = await session.connection()
    compiled = sweep_query().compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )
    values = ", ".join(sql_literal(compiled.params[name]) for name in compiled.positiontup or ())
    name = "bench_due"
    await connection.exec_driver_sql("SET LOCAL plan_cache_mode = force_generic_plan")
    await connection.exec_driver_sql(f"PREPARE {name} AS {compiled.string}")
    rows = (await connection.exec_driver_sql(f"{prefix} EXECUTE {name}({values})")).all()
    await connection.exec_driver_sql(f"DEALLOCATE {name}")
    return "\n".join(row[0] for row in rows)


async def plans(
    sessions: async_sessionmaker[AsyncSession], dialect: str, analyze_it: bool
) -> dict[str, str]:
    """The due query's plan; on PostgreSQL the custom plan (for these parameter values) and the
    generic plan ("due generic")."""
    if dialect == "postgresql":
        prefix = "EXPLAIN (ANALYZE, BUFFERS)" if analyze_it else "EXPLAIN"
    else:
        prefix = "EXPLAIN QUERY PLAN"
    found: dict[str, str] = {}
    async with sessions() as session:
        rows = (await session.execute(Explain(sweep_query(), prefix))).all()
        if dialect == "postgresql":
            found["due"] = "\n".join(row[0] for row in rows)
            found["due generic"] = await generic_plan(session, prefix)
        else:
            depth: dict[int, int] = {0: -1}
            lines = []
            for node, parent, _, detail in rows:
                depth[node] = depth.get(parent, -1) + 1
                lines.append("  " * depth[node] + detail)
            found["due"] = "\n".join(lines)
        await session.rollback()
    return found


def full_scans(plan: str) -> list[str]:
    """Plan lines that read all of reports: a sequential scan, or a walk of an index other than
    next_reminder_at's (a search by it reads only what is due)."""

    def whole(line: str) -> bool:
        return "Seq Scan on reports" in line or (
            line.startswith("SCAN reports") and "ix_reports_next_reminder_at" not in line
        )

    lines = (line.strip().removeprefix("->").strip() for line in plan.splitlines())
    return [line for line in lines if whole(line)]


def ledger_scans(plan: str) -> list[str]:
    """Plan lines reading the whole reminder ledger (it keeps every reminder ever recorded)."""
    lines = (line.strip().removeprefix("->").strip() for line in plan.splitlines())
    return [
        line
        for line in lines
        if "Seq Scan on reminder_ledger" in line or line.startswith("SCAN reminder_ledger")
    ]
