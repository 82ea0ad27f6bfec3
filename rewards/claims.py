"""领奖 from the Official Account: who may start a claim (the named reporter from his own
WeChat, anyone holding the query code — an anonymous reporter only so), and the claim itself,
which keeps the payee's details encrypted and tells finance."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints import query_codes
from complaints.lifecycle import Actor, LifecycleError
from complaints.models import Report
from jubao.config import Settings
from jubao.identity import IdentityVault
from rewards.flow import RewardStatus
from rewards.ledger import NoReward, Payee, act
from rewards.models import Reward

REPORTER = Actor("reporter", None)  # acts by the rules, like the system


async def may_claim(
    session: AsyncSession,
    number: str,
    code: str | None,
    sender_hashes: Sequence[str],
    now: datetime,
) -> str:
    """ok; code_needed (his anonymous report, asked without the code); locked; or refused —
    which never tells whether the number exists. Wrong codes count like 查询's."""
    report = await session.scalar(select(Report).where(Report.number == number))
    if code is None:
        if report is None or report.reporter_openid_hash not in sender_hashes:
            return "refused"
        if report.anonymous:
            return "code_needed"
    else:
        stored_hash = report.query_code_hash if report else None
        tried = await query_codes.try_code(
            session, number, code, stored_hash, sender_hashes[0], now
        )
        if tried != "ok":
            return "locked" if tried == "locked" else "refused"
    assert report is not None
    status = await session.scalar(select(Reward.status).where(Reward.report_id == report.id))
    return "ok" if status == RewardStatus.NOTIFIED else "refused"


async def claim(
    session: AsyncSession,
    number: str,
    payee: Payee,
    *,
    settings: Settings,
    vault: IdentityVault,
    now: datetime,
) -> str | None:
    """Record the claim; the amount to be paid, or None when the reward can no longer be
    claimed (the window passed, or it was claimed already)."""
    try:
        reward, _ = await act(
            session, number, "claim", {}, REPORTER, settings=settings, vault=vault, now=now,
            payee=payee,
        )  # fmt: skip
    except (LifecycleError, NoReward):
        return None
    return f"{reward.amount:.2f}"
