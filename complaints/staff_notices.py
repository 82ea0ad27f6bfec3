"""Messages to staff in WeChat Work, rendered from a template and queued in the outbox inside
the caller's transaction: `notify_staff`. Staff messages carry a report's facts and never the
reporter's name, phone or openid (SPEC §9): no template is given them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from jubao.auth import User
from jubao.identity import IdentityVault
from notifications import outbox
from notifications.channels import Channel
from notifications.texts import render

GROUP = "group"  # the assignment group chat (appchat or robot)
ROLES = {"dispatchers": "dispatcher", "leaders": "leader", "finance": "finance"}

# Who hears: GROUP, a role's plural ("dispatchers", "leaders", "finance": every user in that
# role with a WeChat Work id), or the wework_ids of particular people.
Audience = str | Sequence[str]


async def staff_wework_ids(session: AsyncSession, role: str) -> list[str]:
    """The WeChat Work ids of the users in `role`, in order."""
    rows = await session.scalars(
        select(User.wework_id)
        .where(User.role == role, User.wework_id.is_not(None))
        .order_by(User.wework_id)
    )
    return list(rows)


async def notify_staff(
    session: AsyncSession,
    audience: Audience,
    key: str,
    template: str,
    *,
    vault: IdentityVault,
    now: datetime,
    **context: object,
) -> bool:
    """Queue `template` rendered with `context` for `audience` under the idempotency `key`;
    False when no one is there to tell, or the key was queued before."""
    if audience == GROUP:
        channel, recipient = Channel.WORK_GROUP, None
    else:
        if isinstance(audience, str):
            wework_ids: Sequence[str] = await staff_wework_ids(session, ROLES[audience])
        else:
            wework_ids = audience
        if not wework_ids:
            return False
        channel, recipient = Channel.WORK_APP, "|".join(wework_ids)
    return await outbox.put(
        session,
        key=key,
        channel=channel,
        recipient=recipient,
        text=render(template, **context),
        vault=vault,
        now=now,
    )
