"""A console intake form files its report once. The form carries a random token; the first
submission takes it (INSERT … ON CONFLICT DO NOTHING, in the transaction that files the report),
and the same form sent again — a reload of the confirmation page, a double click, a browser's
resend — finds it and shows the report it filed instead of filing a second one. On PostgreSQL
a second submission arriving while the first is in flight waits on the token's row and then
finds it. The query code is kept sealed for 10 minutes, like a stored bot reply, so that the
resent form can show it again; then only the number is shown."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.models import IntakeSubmission, Report
from complaints.services import Filed
from jubao.db import insert_ignoring_conflicts
from jubao.identity import IdentityVault

CODE_SHOWN_FOR = timedelta(minutes=10)
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
TABLE = IntakeSubmission.__table__


class StaleForm(ValueError):
    """A token that no form of ours carries."""


def new_token() -> str:
    return secrets.token_urlsafe(16)


def kept_token(token: str | None) -> str:
    """The token a form shown again (422) carries: its own, or a new one for a token no form
    of ours carries, so that the corrected form can be sent."""
    return token if token and TOKEN.fullmatch(token) else new_token()


def _hashed(token: str) -> str:
    if not TOKEN.fullmatch(token):
        raise StaleForm(token)
    return hashlib.sha256(token.encode()).hexdigest()


async def claim(session: AsyncSession, token: str, now: datetime) -> bool:
    """Take the form's token for this submission; False when the form was submitted before."""
    statement = (
        insert_ignoring_conflicts(session.get_bind().dialect.name, TABLE)
        .values(token_hash=_hashed(token), submitted_at=now)
        .returning(TABLE.c.token_hash)
    )
    return (await session.execute(statement)).first() is not None


async def complete(session: AsyncSession, token: str, filed: Filed, vault: IdentityVault) -> None:
    """Record what the claimed submission filed (same transaction as the filing)."""
    report_id = select(Report.id).where(Report.number == filed.number).scalar_subquery()
    await session.execute(
        update(IntakeSubmission)
        .where(IntakeSubmission.token_hash == _hashed(token))
        .values(report_id=report_id, code_enc=vault.encrypt(filed.code))
    )


async def earlier(session: AsyncSession, token: str, vault: IdentityVault, now: datetime) -> Filed:
    """What the form filed when it was first submitted; its code while it is still kept."""
    columns = (Report.number, Report.accept_by, IntakeSubmission.code_enc)
    query = (
        select(*columns, IntakeSubmission.submitted_at)
        .join(Report, Report.id == IntakeSubmission.report_id)
        .where(IntakeSubmission.token_hash == _hashed(token))
    )
    number, accept_by, code_enc, submitted_at = (await session.execute(query)).one()
    kept = code_enc is not None and now - submitted_at < CODE_SHOWN_FOR
    code = vault.decrypt(code_enc) if kept else ""
    return Filed(number, code, accept_by, again=True)


async def erase_codes(session: AsyncSession, now: datetime) -> int:
    """Forget the query codes of forms submitted more than 10 minutes ago."""
    result = await session.execute(
        update(IntakeSubmission)
        .where(
            IntakeSubmission.submitted_at < now - CODE_SHOWN_FOR,
            IntakeSubmission.code_enc.is_not(None),
        )
        .values(code_enc=None)
    )
    return result.rowcount  # type: ignore[attr-defined,no-any-return]
