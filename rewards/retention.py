"""Retention (SPEC §10): the identity and claim data of a report finished more than
`retention_years` ago (a registry setting, default 5) is erased, each erasure audited.

A report is finished when it is closed (`closed_at`), or rejected, transferred or merged (the
moment of its last event). Erased: the reporter's openid and its keyed hash, his name and phone,
the query code's hash (so the code no longer opens the report, for 查询, 补充 or 领奖), and the
payee's name, resident ID, bank and account on the reward. Kept: everything the statistics
count (category, town, dates, status, finding, fine, the reward's amounts and dates) and the
`anonymous` flag. It lives here, not in complaints, because it erases the reward's claim too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from complaints.models import Report, ReportEvent
from complaints.registry_settings import setting
from jubao.audit import append
from rewards.models import Reward

DEFAULT_YEARS = 5
ERASED = "erased"  # the query code hash after erasure: no code ever matches it
BATCH = 100
ENDED_WITHOUT_CLOSING = ("rejected", "transferred", "merged")


def cutoff(now: datetime, years: int) -> datetime:
    """`years` calendar years before `now` (29 February counts back to 28 February)."""
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


def retention_years(value: str | None) -> int:
    """The registry's setting, or the default when it has none."""
    return int(value) if value is not None else DEFAULT_YEARS


@dataclass
class Erasure:
    erased: int = 0
    years: int = DEFAULT_YEARS


async def _due(session: AsyncSession, before: datetime) -> list[tuple[int, str, datetime]]:
    """(id, number, finished at) of up to BATCH finished reports whose identity is still kept."""
    last_event = (
        select(func.max(ReportEvent.at))
        .where(ReportEvent.report_id == Report.id)
        .correlate(Report)
        .scalar_subquery()
    )
    finished = func.coalesce(Report.closed_at, last_event)
    rows = await session.execute(
        select(Report.id, Report.number, finished)
        .where(
            Report.query_code_hash != ERASED,
            or_(
                and_(Report.status == "closed", Report.closed_at <= before),
                and_(Report.status.in_(ENDED_WITHOUT_CLOSING), last_event <= before),
            ),
        )
        .order_by(Report.id)
        .limit(BATCH)
    )
    return [(row[0], row[1], row[2]) for row in rows]


async def erase_batch(session: AsyncSession, now: datetime, years: int) -> int:
    """Erase one batch; the number of reports erased (fewer than BATCH: nothing more is due)."""
    due = await _due(session, cutoff(now, years))
    for report_id, number, finished in due:
        await session.execute(
            update(Report)
            .where(Report.id == report_id)
            .values(
                reporter_openid_enc=None,
                reporter_openid_hash=None,
                reporter_name_enc=None,
                reporter_phone_enc=None,
                query_code_hash=ERASED,
            )
        )
        await session.execute(
            update(Reward)
            .where(Reward.report_id == report_id)
            .values(payee_name_enc=None, payee_id_enc=None, payee_bank_enc=None,
                    payee_account_enc=None)
        )  # fmt: skip
        detail = {"finished_at": finished, "retention_years": years}
        await append(
            session, actor="system", action="identity_erase", subject=number, detail=detail, at=now
        )
    return len(due)


async def erase_expired(sessions: async_sessionmaker[AsyncSession], now: datetime) -> Erasure:
    """Every report due as of `now`, one transaction per batch (a killed run resumes)."""
    async with sessions() as session:
        years = retention_years(await setting(session, "retention_years"))
    result = Erasure(years=years)
    while True:
        async with sessions.begin() as session:
            done = await erase_batch(session, now, years)
        result.erased += done
        if done < BATCH:
            return result
