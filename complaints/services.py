"""Filing and looking up reports. Services flush, never commit: the caller owns the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints import query_codes
from complaints.deadline_rules import rules_in_force
from complaints.enterprises import match_enterprise
from complaints.models import Evidence, Report, ReportEvent
from complaints.new_report import NewReport
from complaints.registry_models import Enterprise, Town
from complaints.reminders import next_moment, running_clocks
from complaints.report_numbers import format_number, next_seq
from complaints.routing import is_urgent
from complaints.vocabulary import CHANNEL_LABELS
from jubao.config import Settings
from jubao.identity import IdentityVault


@dataclass(frozen=True)
class Filed:
    number: str
    code: str  # "" when it can no longer be shown (an intake form resent after 10 minutes)
    accept_by: datetime
    again: bool = False  # the same intake form sent again: this was filed before, not now


class UnknownTown(LookupError):
    pass


async def file_report(
    session: AsyncSession,
    new: NewReport,
    openid: str | None,
    *,
    vault: IdentityVault,
    settings: Settings,
    now: datetime,
    actor: str = "reporter",
) -> Filed:
    """Number, store and return a confirmed report; the query code is returned once. The one
    intake path: the citizen's in the bot (his `openid`), or a caller's taken by the petition
    office (no openid; `actor` is the dispatcher's username, `new.channel` how it came)."""
    town_id = await session.scalar(select(Town.id).where(Town.name == new.town))
    if town_id is None:
        raise UnknownTown(new.town)
    enterprise = match_enterprise(new.place, (await session.scalars(select(Enterprise))).all())
    deaths = new.count if new.category == "concealed" else None
    in_force = await rules_in_force(session)
    code = query_codes.new_code()
    code_hash = await query_codes.hash_code(code)
    year = now.astimezone(settings.tz).year
    seq = await next_seq(session, year)
    named = not new.anonymous
    report = Report(
        number=format_number(settings.report_prefix, year, seq),
        year=year,
        seq=seq,
        category=new.category,
        town_id=town_id,
        place=new.place,
        details=new.details,
        injured=new.count if new.category == "injury" else None,
        deaths=deaths,
        description=new.description,
        channel=new.channel,
        anonymous=new.anonymous,
        reporter_openid_enc=vault.encrypt(openid) if openid else None,
        reporter_openid_hash=vault.lookup_hash(openid) if openid else None,
        reporter_name_enc=vault.encrypt(new.name) if named else None,
        reporter_phone_enc=vault.encrypt(new.phone) if named else None,
        query_code_hash=code_hash,
        status="received",
        enterprise_id=enterprise.id if enterprise else None,
        urgent=is_urgent(
            enterprise.code if enterprise else None,
            bool(enterprise and enterprise.blacklisted),
            deaths,
        ),
        received_at=now,
        accept_by=in_force.ends("accept", now, settings.tz),
    )
    report.next_reminder_at = next_moment(running_clocks(report), {})
    session.add(report)
    await session.flush()
    session.add_all(
        Evidence(
            report_id=report.id,
            kind=item.kind,
            media_id=item.media_id or None,
            label=item.label or None,
            latitude=item.latitude or None,
            longitude=item.longitude or None,
            download_status="pending" if item.media_id else "none",
            next_attempt_at=now if item.media_id else None,
            received_at=now,
        )
        for item in new.evidence
    )
    session.add(  # filing is the first event of every timeline
        ReportEvent(
            report_id=report.id,
            at=now,
            actor=actor,
            action="file",
            from_status="",
            to_status=report.status,
            note=filing_note(new),
        )
    )
    await session.flush()
    return Filed(report.number, query_codes.display_code(code), report.accept_by)


def filing_note(new: NewReport) -> str:
    named = "匿名举报" if new.anonymous else "实名举报"
    return named if new.channel == "wechat" else f"{CHANNEL_LABELS[new.channel]}登记，{named}"


@dataclass(frozen=True)
class ReportView:
    """What a reporter may see of a report."""

    number: str
    category: str
    town: str
    status: str
    received_at: datetime
    accept_by: datetime


_VIEW_COLUMNS = (
    Report.number,
    Report.category,
    Town.name,
    Report.status,
    Report.received_at,
    Report.accept_by,
)


async def own_reports(
    session: AsyncSession, openid_hashes: Sequence[str], limit: int = 10
) -> list[ReportView]:
    rows = await session.execute(
        select(*_VIEW_COLUMNS)
        .join(Town, Town.id == Report.town_id)
        .where(Report.reporter_openid_hash.in_(openid_hashes))
        .order_by(Report.received_at.desc(), Report.id.desc())
        .limit(limit)
    )
    return [ReportView(*row) for row in rows]


@dataclass(frozen=True)
class QueryAnswer:
    report: ReportView | None = None
    locked: bool = False


async def query_report(
    session: AsyncSession, number: str, code: str, sender_hash: str, now: datetime
) -> QueryAnswer:
    """The report to anyone holding its code; wrong codes count towards the one-hour locks."""
    stored_hash = await session.scalar(
        select(Report.query_code_hash).where(Report.number == number)
    )
    tried = await query_codes.try_code(session, number, code, stored_hash, sender_hash, now)
    if tried != "ok":
        return QueryAnswer(locked=tried == "locked")
    row = (
        await session.execute(
            select(*_VIEW_COLUMNS)
            .join(Town, Town.id == Report.town_id)
            .where(Report.number == number)
        )
    ).one()
    return QueryAnswer(report=ReportView(*row))
