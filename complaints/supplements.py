"""补充: a reporter adds text or media to his open report (or one whose code he holds)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints import query_codes
from complaints.lifecycle import OPEN
from complaints.models import Evidence, Report, ReportEvent
from complaints.new_report import NewEvidence
from complaints.vocabulary import EVIDENCE_LABELS
from jubao import audit


async def may_supplement(
    session: AsyncSession,
    number: str,
    code: str | None,
    sender_hashes: Sequence[str],
    now: datetime,
) -> bool:
    """True for an open report of the sender's, or with its right code. Wrong codes count
    towards the locks like 查询's; the answer never tells whether the number exists."""
    report = await session.scalar(select(Report).where(Report.number == number))
    if code is None:
        return bool(
            report and report.reporter_openid_hash in sender_hashes and report.status in OPEN
        )
    stored_hash = report.query_code_hash if report else None
    tried = await query_codes.try_code(session, number, code, stored_hash, sender_hashes[0], now)
    return tried == "ok" and report is not None and report.status in OPEN


async def add(
    session: AsyncSession, number: str, *, text: str, item: NewEvidence | None, now: datetime
) -> None:
    """Keep one addition as evidence of the report, with a timeline event by the reporter."""
    report = await session.scalar(select(Report).where(Report.number == number))
    if report is None:
        raise LookupError(number)
    evidence = Evidence(report_id=report.id, received_at=now)
    if item is None:
        evidence.kind, evidence.text, evidence.download_status = "text", text, "none"
        note = f"补充文字：{text}"
    else:
        evidence.kind, evidence.media_id = item.kind, item.media_id or None
        evidence.label, evidence.latitude, evidence.longitude = (
            item.label or None,
            item.latitude or None,
            item.longitude or None,
        )
        evidence.download_status = "pending" if item.media_id else "none"
        evidence.next_attempt_at = now if item.media_id else None
        note = f"补充{EVIDENCE_LABELS[item.kind]}"
    session.add(evidence)
    session.add(
        ReportEvent(
            report_id=report.id,
            at=now,
            actor="reporter",
            action="supplement",
            from_status=report.status,
            to_status=report.status,
            note=note,
        )
    )
    await audit.append(
        session,
        actor="reporter",
        action="supplement",
        subject=number,
        detail={"kind": evidence.kind},
        at=now,
    )
