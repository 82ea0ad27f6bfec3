"""One inbound citizen message, handled exactly once inside the caller's transaction.

The dialogue state is loaded, the pure `step` decides, its effect is carried out, and the new
state and the message log row with the encrypted reply are written, all in one transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.conversation import (
    Conversation,
    Draft,
    EvidenceItem,
    Inbound,
    ListOwn,
    Objection,
    Outcome,
    QueryOne,
    StartSupplement,
    Step,
    Submit,
    Supplement,
)
from bot.dialogue import needs_towns, step
from bot.store import MessageRow, Store, StoredDialogue
from complaints import objections, services, supplements
from complaints.deadlines import last_day
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


def _event_key(envelope: Envelope, vault: IdentityVault) -> str | None:
    if envelope.msg_id is not None:
        return None
    inbound = envelope.inbound
    raw = f"{envelope.openid}|{envelope.create_time}|{inbound.event}|{inbound.event_key}"
    return vault.lookup_hash(raw)


@dataclass(frozen=True)
class Handled:
    reply: str
    follow_up: bool = False  # background work was queued (evidence to fetch, messages to send)


class AlreadyHandled(Exception):
    """This message was handled before (a WeChat retry): roll back and answer as then."""


async def handle(
    session: AsyncSession,
    envelope: Envelope,
    *,
    vault: IdentityVault,
    settings: Settings,
    now: datetime,
) -> Handled:
    """Decide and write everything for one message; raises AlreadyHandled for a retry.

    The message log row is written last, with the reply, by an insert that does nothing when
    the message is already logged: a retry then rolls back whatever it did and gets the stored
    reply. On PostgreSQL a concurrent retry waits on the first delivery's row locks.
    """
    store = await Store.of(session)
    loaded, outcome = await _decide(store, envelope, vault, now)
    outcome = await _carry_out(session, outcome, envelope, loaded.hashes, vault, settings, now)
    return await _write(store, envelope, loaded, outcome, vault, now)


async def handle_plain(
    store: Store, envelope: Envelope, *, vault: IdentityVault, now: datetime
) -> Handled | None:
    """`handle` for a message whose step needs no report work (most dialogue answers), on the
    bot's store only; None, having written nothing, for any other message: `handle` decides
    it then, to the same outcome (`step` is pure)."""
    loaded, outcome = await _decide(store, envelope, vault, now)
    if outcome.effect is not None:
        return None
    return await _write(store, envelope, loaded, outcome, vault, now)


@dataclass(frozen=True)
class _Loaded:
    hashes: list[str]  # the sender's lookup hashes, newest key first
    stored: StoredDialogue | None


async def _decide(
    store: Store, envelope: Envelope, vault: IdentityVault, now: datetime
) -> tuple[_Loaded, Outcome]:
    """The sender's dialogue loaded and the pure `step` taken on this message."""
    hashes = vault.lookup_hashes(envelope.openid)
    stored = await store.load_dialogue(hashes)
    conversation = decode(vault.decrypt(stored.state_enc)) if stored else None
    towns = await store.town_names() if needs_towns(conversation) else []
    outcome = step(conversation, envelope.inbound, towns, now)
    return _Loaded(hashes, stored), outcome


async def _write(
    store: Store,
    envelope: Envelope,
    loaded: _Loaded,
    outcome: Outcome,
    vault: IdentityVault,
    now: datetime,
) -> Handled:
    """The new dialogue state, then the message log row with the reply (last: see handle)."""
    reply, stored = outcome.reply, loaded.stored
    if outcome.conversation is not None:
        state = vault.encrypt(encode(outcome.conversation))
        await store.save_dialogue(stored.key if stored else loaded.hashes[0], state, now)
    elif stored is not None:
        await store.drop_dialogue(stored.key)

    await log_message(store, envelope, reply, vault=vault, now=now, openid_hash=loaded.hashes[0])
    return Handled(reply, follow_up=_queues_work(outcome.effect))


def _queues_work(effect: object) -> bool:
    """Whether the effect left background work: messages to send or media to fetch."""
    if isinstance(effect, Supplement):
        return effect.item is not None and bool(effect.item.media_id)
    return isinstance(effect, Submit | Objection)


async def log_message(
    store: Store,
    envelope: Envelope,
    reply: str,
    *,
    vault: IdentityVault,
    now: datetime,
    openid_hash: str | None = None,
) -> None:
    """The message log row with its reply, encrypted, written last in the message's
    transaction; raises AlreadyHandled when the message was logged before (a retry)."""
    claimed = await store.claim_message(
        MessageRow(
            channel=envelope.channel,
            msg_id=envelope.msg_id,
            event_key=_event_key(envelope, vault),
            msg_type=envelope.inbound.kind,
            received_at=now,
            reply_enc=vault.encrypt(reply) if reply else None,
            openid_hash=openid_hash,
        )
    )
    if not claimed:
        raise AlreadyHandled


async def stored_reply(session: AsyncSession, envelope: Envelope, vault: IdentityVault) -> str:
    """The reply given to the first delivery of this message ('' once erased or if none)."""
    reply_enc = await (await Store.of(session)).logged_reply(
        envelope.channel, envelope.msg_id, _event_key(envelope, vault)
    )
    return vault.decrypt(reply_enc) if reply_enc else ""


async def _carry_out(
    session: AsyncSession,
    outcome: Outcome,
    envelope: Envelope,
    hashes: list[str],
    vault: IdentityVault,
    settings: Settings,
    now: datetime,
) -> Outcome:
    """The step's effect done; the outcome with the reply (and conversation) it leads to."""
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
        reply = texts.submitted(filed.number, filed.code, last_day(filed.accept_by, settings.tz))
        return replace(outcome, reply=reply)
    if isinstance(effect, ListOwn):
        reports = await services.own_reports(session, hashes)
        if not reports:
            return replace(outcome, reply=texts.NO_OWN_REPORTS)
        return replace(outcome, reply=texts.own_reports([_line(r, settings) for r in reports]))
    if isinstance(effect, QueryOne):
        answer = await services.query_report(session, effect.number, effect.code, hashes[0], now)
        if answer.locked:
            return replace(outcome, reply=texts.QUERY_LOCKED)
        if answer.report is None:
            return replace(outcome, reply=texts.QUERY_WRONG)
        return replace(outcome, reply=_details(answer.report, settings))
    if isinstance(effect, StartSupplement) and not await supplements.may_supplement(
        session, effect.number, effect.code, hashes, now
    ):
        return Outcome(None, texts.SUPPLEMENT_REFUSED)
    if isinstance(effect, Objection):
        answer = await objections.object_to(
            session, effect.number, effect.reason, hashes, settings=settings, vault=vault, now=now
        )
        reply = texts.OBJECTION_ANSWERS[answer.outcome].format(
            number=effect.number, date=answer.date
        )
        return replace(outcome, reply=reply)
    if isinstance(effect, Supplement):
        await supplements.add(session, effect.number, text=effect.text, item=effect.item, now=now)
    return outcome


def new_report(draft: Draft) -> services.NewReport:
    return services.NewReport(
        category=draft.category,
        town=draft.town,
        place=draft.place,
        description=draft.description,
        details=draft.details,
        count=draft.count,
        evidence=draft.evidence,
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


_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # built once, not per call


def encode(conversation: Conversation) -> str:
    """The conversation as compact JSON (by hand: dataclasses.asdict deep-copies, and this runs
    on every message)."""
    draft = conversation.draft
    data = {
        "step": conversation.step.value,
        "draft": {**vars(draft), "evidence": [vars(item) for item in draft.evidence]},
        "updated_at": conversation.updated_at.isoformat() if conversation.updated_at else None,
    }
    return _JSON.encode(data)


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
