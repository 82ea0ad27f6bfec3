"""One inbound citizen message, handled exactly once inside the caller's transaction.

The sender's message is counted (bot/flood.py: past the limit it is answered so and goes no
further), his dialogue state is loaded, the pure `step` decides, its effect is carried out
(bot/effects.py), and the new state and the message log row with the encrypted reply are
written, all in one transaction. Most messages only answer a question of the dialogue: their
step has no effect, and `handle_dialogue_only` takes them on any Store without a session.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.conversation import Conversation, Draft, EvidenceItem, Outcome, Step
from bot.dialogue import needs_towns, step
from bot.effects import carry_out, queues_work
from bot.exactly_once import Envelope, log_message
from bot.flood import WINDOW, over_limit
from bot.store import CoreStore, Store, StoredDialogue
from jubao.config import Settings
from jubao.identity import IdentityVault
from jubao.rate_limits import window_start


@dataclass(frozen=True)
class Handled:
    reply: str
    follow_up: bool = False  # background work was queued (evidence to fetch, messages to send)


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
    store = await CoreStore.of(session)
    loaded = await _load(store, envelope, vault, now)
    refused = await _refused(store, envelope, loaded, vault, now)
    if refused is not None:
        return refused
    outcome = await _decide(store, envelope, loaded, now)
    outcome = await carry_out(session, outcome, envelope, loaded.hashes, vault, settings, now)
    return await _write(store, envelope, loaded, outcome, vault, now)


async def handle_dialogue_only(
    store: Store, envelope: Envelope, *, vault: IdentityVault, now: datetime
) -> Handled | None:
    """`handle` for a message whose step has no effect (most dialogue answers), on the
    bot's store only; None, having written nothing, for any other message: `handle` decides
    it then, to the same outcome (`step` is pure)."""
    loaded = await _load(store, envelope, vault, now)
    refused = await _refused(store, envelope, loaded, vault, now)
    if refused is not None:
        return refused
    outcome = await _decide(store, envelope, loaded, now)
    if outcome.effect is not None:
        return None
    return await _write(store, envelope, loaded, outcome, vault, now)


@dataclass(frozen=True)
class _Loaded:
    hashes: list[str]  # the sender's lookup hashes, newest key first
    stored: StoredDialogue | None
    conversation: Conversation | None  # the stored dialogue, decrypted
    count: int  # his messages in the flood limit's window, this one included


async def _load(store: Store, envelope: Envelope, vault: IdentityVault, now: datetime) -> _Loaded:
    """The sender's message counted and his dialogue loaded, in one go."""
    hashes = vault.lookup_hashes(envelope.openid)
    count, stored = await store.count_and_load("mp", hashes, window_start(now, WINDOW))
    conversation = decode(vault.decrypt(stored.state_enc)) if stored else None
    return _Loaded(hashes, stored, conversation, count)


async def _refused(
    store: Store, envelope: Envelope, loaded: _Loaded, vault: IdentityVault, now: datetime
) -> Handled | None:
    """Past the flood limit: the message answered and logged, going no further."""
    reply = await over_limit(
        store, envelope, loaded.count, sender=loaded.hashes[0], vault=vault, now=now
    )
    return Handled(reply) if reply is not None else None


async def _decide(store: Store, envelope: Envelope, loaded: _Loaded, now: datetime) -> Outcome:
    """The pure `step` taken on this message."""
    conversation = loaded.conversation
    towns = await store.town_names() if needs_towns(conversation) else []
    return step(conversation, envelope.inbound, towns, now)


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
    return Handled(reply, follow_up=queues_work(outcome.effect))


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
