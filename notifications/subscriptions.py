"""Subscribe messages (订阅通知): a citizen who accepted our template in WeChat's popup may be
sent progress notices by `/cgi-bin/message/subscribe/bizsend` after the 48-hour window has
closed; a government account's subscription is long-term, so it holds until he withdraws it.
WeChat tells us with `subscribe_msg_popup_event` (his choice in the popup) and
`subscribe_msg_change_event` (a change in his settings)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Boolean, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from jubao.db import Base, UtcDateTime, dialect_module

ACCEPT = "accept"


class Subscription(Base):
    """A citizen's (keyed hash) latest choice for one subscribe-message template."""

    __tablename__ = "subscriptions"

    openid_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    template_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    accepted: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


def choices_of(event_data: object) -> tuple[tuple[str, str], ...]:
    """(template id, accept|reject) from the event's `List` (one entry or many)."""
    entries = event_data.get("List") if isinstance(event_data, dict) else None
    if isinstance(entries, dict):
        entries = [entries]
    found = []
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and entry.get("TemplateId"):
            status = str(entry.get("SubscribeStatusString") or "").strip().lower()
            found.append((str(entry["TemplateId"]).strip()[:128], status))
    return tuple(found)


async def record(
    session: AsyncSession, openid_hash: str, choices: Iterable[tuple[str, str]], now: datetime
) -> None:
    """His choices replace what we knew (the latest event wins)."""
    dialect = dialect_module((await session.connection()).dialect.name)
    for template_id, status in choices:
        values = {"accepted": status == ACCEPT, "updated_at": now}
        statement = dialect.insert(Subscription).values(
            openid_hash=openid_hash, template_id=template_id, **values
        )
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=["openid_hash", "template_id"], set_=values
            )
        )


async def subscribed(session: AsyncSession, hashes: Sequence[str], template_id: str) -> bool:
    if not template_id:
        return False
    accepted = await session.scalar(
        select(Subscription.accepted)
        .where(Subscription.openid_hash.in_(hashes), Subscription.template_id == template_id)
        .order_by(Subscription.updated_at.desc())
        .limit(1)
    )
    return bool(accepted)
