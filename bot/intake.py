"""One inbound citizen message, handled exactly once inside the caller's transaction.

The message log row is claimed first (a retry finds it and gets the stored reply), then the
dialogue state is loaded, the pure `step` decides, its effect is carried out, and the new state
and the encrypted reply are written — all in one transaction.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.conversation import (
    Conversation,
    Draft,
    EvidenceItem,
    Inbound,
    ListOwn,
    Outcome,
    QueryOne,
    Step,
    Submit,
)
from bot.dialogue import needs_towns, step
from bot.models import Dialogue, InboundMessage
from complaints import services
from complaints.deadlines import last_day
from complaints.registry import town_names
from complaints.vocabulary import CATEGORY_LABELS, STATUS_LABELS
from jubao.config import Settings
from jubao.identity import IdentityVault


@dataclass(frozen=True)
class Envelope:
    channel: str
    openid: str
    account: str  # our account's id, the reply's sender
    msg_id: int | None  # None for events
    create_time: int
    inbound: Inbound


def _dialect(session: AsyncSession):  # type: ignore[no-untyped-def]
    return postgresql if session.bind.dialect.name == "postgresql" else sqlite


def _event_key(envelope: Envelope, vault: IdentityVault) -> str | None:
    if envelope.msg_id is not None:
        return None
    inbound = envelope.inbound
    raw = f"{envelope.openid}|{envelope.create_time}|{inbound.event}|{inbound.event_key}"
    return vault.lookup_hash(raw)


async def handle(
    session: AsyncSession,
    envelope: Envelope,
    *,
    vault: IdentityVault,
    settings: Settings,
    now: datetime,
) -> str:
    claimed = await session.scalar(
        _dialect(session)
        .insert(InboundMessage)
        .values(
            channel=envelope.channel,
            msg_id=envelope.msg_id,
            event_key=_event_key(envelope, vault),
            msg_type=envelope.inbound.kind,
            received_at=now,
        )
        .on_conflict_do_nothing()
        .returning(InboundMessage.id)
    )
    if claimed is None:
        return await stored_reply(session, envelope, vault)

    openid_hash = vault.lookup_hash(envelope.openid)
    stored = await session.scalar(
        select(Dialogue).where(Dialogue.openid_hash.in_(vault.lookup_hashes(envelope.openid)))
    )
    conversation = decode(vault.decrypt(stored.state_enc)) if stored else None
    towns = await town_names(session) if needs_towns(conversation) else []
    outcome = step(conversation, envelope.inbound, towns, now)
    reply = await _carry_out(session, outcome, envelope, openid_hash, vault, settings, now)

    if outcome.conversation is None:
        if stored is not None:
            await session.execute(
                delete(Dialogue).where(Dialogue.openid_hash == stored.openid_hash)
            )
    else:
        state = vault.encrypt(encode(outcome.conversation))
        if stored is not None:
            stored.state_enc, stored.updated_at = state, now
        else:
            session.add(Dialogue(openid_hash=openid_hash, state_enc=state, updated_at=now))
    await session.execute(
        update(InboundMessage)
        .where(InboundMessage.id == claimed)
        .values(reply_enc=vault.encrypt(reply) if reply else None)
    )
    return reply


async def stored_reply(session: AsyncSession, envelope: Envelope, vault: IdentityVault) -> str:
    """The reply given to the first delivery of this message ('' once erased or if none)."""
    key = _event_key(envelope, vault)
    condition = (
        InboundMessage.msg_id == envelope.msg_id
        if envelope.msg_id is not None
        else InboundMessage.event_key == key
    )
    reply_enc = await session.scalar(
        select(InboundMessage.reply_enc).where(
            InboundMessage.channel == envelope.channel, condition
        )
    )
    return vault.decrypt(reply_enc) if reply_enc else ""


async def _carry_out(
    session: AsyncSession,
    outcome: Outcome,
    envelope: Envelope,
    openid_hash: str,
    vault: IdentityVault,
    settings: Settings,
    now: datetime,
) -> str:
    effect = outcome.effect
    if isinstance(effect, Submit):
        filed = await services.file_report(
            session,
            new_report(effect.draft),
            envelope.openid,
            vault=vault,
            settings=settings,
            now=now,
        )
        return texts.submitted(filed.number, filed.code, last_day(filed.accept_by, settings.tz))
    if isinstance(effect, ListOwn):
        reports = await services.own_reports(session, vault.lookup_hashes(envelope.openid))
        if not reports:
            return texts.NO_OWN_REPORTS
        return texts.own_reports([_line(report, settings) for report in reports])
    if isinstance(effect, QueryOne):
        answer = await services.query_report(session, effect.number, effect.code, openid_hash, now)
        if answer.locked:
            return texts.QUERY_LOCKED
        if answer.report is None:
            return texts.QUERY_WRONG
        return _details(answer.report, settings)
    return outcome.reply


def new_report(draft: Draft) -> services.NewReport:
    return services.NewReport(
        category=draft.category,
        town=draft.town,
        place=draft.place,
        description=draft.description,
        details=draft.details,
        count=draft.count,
        evidence=tuple(services.NewEvidence(**asdict(item)) for item in draft.evidence),
        anonymous=draft.anonymous,
        name=draft.name,
        phone=draft.phone,
    )


def _line(report: services.ReportView, settings: Settings) -> str:
    day = report.received_at.astimezone(settings.tz).strftime("%Y-%m-%d")
    category = CATEGORY_LABELS[report.category]
    return f"{report.number} {category} {STATUS_LABELS[report.status]}（{day}提交）"


def _details(report: services.ReportView, settings: Settings) -> str:
    received = report.received_at.astimezone(settings.tz).strftime("%Y-%m-%d %H:%M")
    lines = [
        f"举报编号：{report.number}",
        f"类型：{CATEGORY_LABELS[report.category]}",
        f"镇（区）：{report.town}",
        f"提交时间：{received}",
        f"状态：{STATUS_LABELS[report.status]}",
    ]
    if report.status == "received":
        lines.append(f"我们将在{last_day(report.accept_by, settings.tz)}前作出是否受理的决定。")
    return "\n".join(lines)


def encode(conversation: Conversation) -> str:
    data = asdict(conversation)
    data["updated_at"] = conversation.updated_at.isoformat() if conversation.updated_at else None
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def decode(text: str) -> Conversation:
    data = json.loads(text)
    draft = data["draft"]
    draft["evidence"] = tuple(EvidenceItem(**item) for item in draft["evidence"])
    updated_at = data.get("updated_at")
    return Conversation(
        step=Step(data["step"]),
        draft=Draft(**draft),
        updated_at=datetime.fromisoformat(updated_at) if updated_at else None,
    )
