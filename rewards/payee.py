"""The payee's details, for finance only: decrypted on a request that gives a reason, and
audited in the same transaction (SPEC §11: claim data on the payout page, audited)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from jubao import audit
from jubao.identity import IdentityVault
from rewards.ledger import Payee
from rewards.models import Reward


async def reveal_payee(
    session: AsyncSession,
    number: str,
    reward: Reward,
    *,
    actor: str,
    reason: str,
    vault: IdentityVault,
    now: datetime,
) -> Payee | None:
    """The payee of a claimed reward, with an audit entry holding the reason (never the
    details); None, and nothing audited, when nobody has claimed it."""
    if reward.payee_name_enc is None:
        return None
    await audit.append(
        session,
        actor=actor,
        action="reveal_payee",
        subject=number,
        detail={"reason": reason},
        at=now,
    )
    return Payee(
        name=vault.decrypt(reward.payee_name_enc),
        resident_id=vault.decrypt(reward.payee_id_enc or ""),
        bank=vault.decrypt(reward.payee_bank_enc or ""),
        account=vault.decrypt(reward.payee_account_enc or ""),
    )
