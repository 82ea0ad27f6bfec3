"""Many reports at once whose accept reminder is due, for the sweep to find: rows as
`services.file_report` writes them (numbered from the year's counter, the reporter's openid
encrypted and hashed, an Argon2 query-code hash, `next_reminder_at` from the reminder rules,
the filing event), written in two statements instead of a service call each — filing a
thousand reports one by one costs a thousand Argon2 hashes. The query code is one for all,
hashed once: nothing here looks at it."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from complaints import query_codes
from complaints.models import Report, ReportCounter, ReportEvent
from complaints.registry_models import Town
from complaints.reminders import next_moment, running_clocks
from complaints.report_numbers import format_number
from jubao.config import Settings
from jubao.identity import IdentityVault

ACCEPT_DAYS = 15  # the demo rules' time to accept or reject a report
PLACE = "塘桥镇东街一家无名五金加工作坊"
DESCRIPTION = "仓库消防通道被化工原料桶堵死，灭火器过期。"


async def load_received(
    session: AsyncSession,
    settings: Settings,
    vault: IdentityVault,
    *,
    count: int,
    accept_by: datetime,
    town: str = "塘桥镇",
) -> list[str]:
    """`count` anonymous WeChat reports, received ACCEPT_DAYS before `accept_by` and not yet
    accepted; their numbers. PostgreSQL (the counter's upsert)."""
    received_at = accept_by - timedelta(days=ACCEPT_DAYS)
    year = received_at.astimezone(settings.tz).year
    last = await session.scalar(
        postgresql.insert(ReportCounter)
        .values(year=year, last=count)
        .on_conflict_do_update(
            index_elements=[ReportCounter.year], set_={"last": ReportCounter.last + count}
        )
        .returning(ReportCounter.last)
    )
    assert last is not None
    town_id = await session.scalar(select(Town.id).where(Town.name == town))
    code_hash = await query_codes.hash_code(query_codes.new_code())
    rows = []
    for seq in range(last - count + 1, last + 1):
        openid = f"o-bulk-{year}-{seq}"
        report = Report(
            number=format_number(settings.report_prefix, year, seq),
            year=year,
            seq=seq,
            category="hazard",
            town_id=town_id,
            place=PLACE,
            details="",
            description=DESCRIPTION,
            channel="wechat",
            anonymous=True,
            reporter_openid_enc=vault.encrypt(openid),
            reporter_openid_hash=vault.lookup_hash(openid),
            query_code_hash=code_hash,
            status="received",
            urgent=False,
            case_filed=False,
            received_at=received_at,
            accept_by=accept_by,
        )
        report.next_reminder_at = next_moment(running_clocks(report), {})
        values = {column.key: getattr(report, column.key) for column in Report.__table__.columns}
        rows.append({key: value for key, value in values.items() if value is not None})
    filed = await session.execute(insert(Report).returning(Report.id, Report.number), rows)
    numbers = []
    events = []
    for report_id, number in filed:
        numbers.append(number)
        events.append(
            {
                "report_id": report_id,
                "at": received_at,
                "actor": "reporter",
                "action": "file",
                "from_status": "",
                "to_status": "received",
                "note": "匿名举报",
            }
        )
    await session.execute(insert(ReportEvent), events)
    return numbers
