"""Intake on a caller's behalf: the petition office registers a hotline call, a visit, a letter
or an email as a report, through the bot's own filing service (`services.file_report`): the
same number, query code, deadlines and timeline; no openid, so the reporter is told nothing
through WeChat (the office tells the caller his number and code)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints import intake_submissions
from complaints.intake_rules import InvalidIntake, read_intake
from complaints.registry_models import Town
from complaints.services import Filed, UnknownTown, file_report
from jubao.config import Settings
from jubao.identity import IdentityVault


async def take_call(
    session: AsyncSession,
    fields: Mapping[str, object],
    by: str,
    *,
    vault: IdentityVault,
    settings: Settings,
    now: datetime,
    form_token: str | None = None,
) -> Filed:
    """File the report the fields describe, by the staff member `by` (a username); raises
    InvalidIntake with a message for him when a field is missing or wrong. With the console
    form's token, a form already submitted files nothing and answers what it filed then."""
    new = read_intake(fields)
    try:
        submitted_before = form_token is not None and not await intake_submissions.claim(
            session, form_token, now
        )
        if submitted_before:
            return await intake_submissions.earlier(session, form_token, vault, now)
        filed = await file_report(
            session, new, None, vault=vault, settings=settings, now=now, actor=by
        )
    except UnknownTown:
        raise InvalidIntake(f"没有这个镇（区）：{new.town}") from None
    except intake_submissions.StaleForm:
        raise InvalidIntake("这张登记表已失效，请重新打开登记页面填写。") from None
    if form_token is not None:
        await intake_submissions.complete(session, form_token, filed, vault)
    return filed


async def town_names(session: AsyncSession) -> list[str]:
    """The registered towns in registry order, for the form's select."""
    return list(await session.scalars(select(Town.name).order_by(Town.position, Town.id)))
