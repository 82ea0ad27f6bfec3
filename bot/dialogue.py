"""The citizen's report dialogue (SPEC §6) as a pure state machine.

`step(conversation, inbound, towns, now)` returns the next conversation, the reply and at most one
effect for the service to carry out (file the report, list or query reports). No I/O here.
Outside a dialogue it reads commands (举报, 查询, 补充, 异议, 领奖, 评价, 催办, 回复); inside
one, 取消 and 帮助, and every other message answers the current step (bot/report_steps.py,
bot/claim.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from bot import claim, claim_texts, supplement, texts
from bot.answers import (
    bare,
    read_number,
    read_objection,
    read_query,
    read_rating,
    read_reply,
)
from bot.conversation import (
    Conversation,
    Inbound,
    ListOwn,
    Objection,
    Outcome,
    QueryOne,
    Rate,
    Reply,
    Step,
    Subscriptions,
    Urge,
)
from bot.report_steps import ANSWERS, question, start
from complaints.thread_rules import MAX_TEXT

IDLE_LIMIT = timedelta(hours=24)
SUBSCRIPTION_EVENTS = frozenset({"subscribe_msg_popup_event", "subscribe_msg_change_event"})
CLAIM_STEPS = frozenset({Step.CLAIM_NAME, Step.CLAIM_ID, Step.CLAIM_BANK, Step.CLAIM_CONFIRM})


def needs_towns(conversation: Conversation | None) -> bool:
    """Whether `step` may need the town list for this conversation (the service loads it then)."""
    return conversation is not None and conversation.step in (Step.CATEGORY, Step.TOWN)


def step(
    conversation: Conversation | None, inbound: Inbound, towns: Sequence[str], now: datetime
) -> Outcome:
    if inbound.kind == "event" and inbound.event in SUBSCRIPTION_EVENTS:
        return Outcome(conversation, effect=Subscriptions(inbound.choices))  # a dialogue goes on
    expired = (
        conversation is not None
        and conversation.updated_at is not None
        and now - conversation.updated_at > IDLE_LIMIT
    )
    if conversation is None or expired:
        outcome = _idle(inbound)
        if expired and outcome.conversation is None and outcome.reply:
            outcome = replace(outcome, reply=texts.EXPIRED + outcome.reply)
    else:
        outcome = _in_dialogue(conversation, inbound, towns, now)
    if outcome.conversation is not None:
        outcome = replace(outcome, conversation=replace(outcome.conversation, updated_at=now))
    return outcome


def _idle(inbound: Inbound) -> Outcome:
    """No dialogue in progress: start one, answer a command, or explain."""
    if inbound.kind == "event":
        if inbound.event == "click" and inbound.event_key == "REPORT":
            return start()
        if inbound.event == "click" and inbound.event_key == "QUERY":
            return Outcome(None, effect=ListOwn())  # the menu's 查询: as the text 查询
        if inbound.event == "click" and inbound.event_key == "CLAIM":
            return claim.start("领奖")  # the menu's 领奖: how to name the report
        if inbound.event in ("subscribe", "subscribe_scan"):
            return Outcome(None, texts.WELCOME)
        if inbound.event == "click":
            return Outcome(None, texts.HELP)
        return Outcome(None)
    if inbound.kind != "text":
        return Outcome(None, texts.HELP)
    word = bare(inbound.text)
    if word in ("举报", "我要举报"):
        return start()
    if word == "取消":
        return Outcome(None, texts.NOTHING_TO_CANCEL)
    if word == "查询":
        return Outcome(None, effect=ListOwn())
    if word.startswith("异议"):
        objection = read_objection(inbound.text)
        if objection is None:
            return Outcome(None, texts.OBJECTION_USAGE)
        return Outcome(None, effect=Objection(*objection))
    if word.startswith("补充"):
        return supplement.start(inbound.text)
    if word.startswith("领奖"):
        return claim.start(inbound.text)
    if word.startswith("评价"):
        rating = read_rating(inbound.text)
        return Outcome(None, effect=Rate(*rating)) if rating else Outcome(None, texts.RATE_USAGE)
    if word.startswith("催办"):
        number = read_number(inbound.text, "催办")
        return Outcome(None, effect=Urge(number)) if number else Outcome(None, texts.URGE_USAGE)
    if word.startswith("回复"):
        return _reply(inbound.text)
    if word.startswith("查询"):
        query = read_query(inbound.text)
        if query is None:
            return Outcome(None, texts.QUERY_USAGE)
        return Outcome(None, effect=QueryOne(*query))
    return Outcome(None, texts.HELP)


def _reply(text: str) -> Outcome:
    found = read_reply(text)
    if found is None:
        return Outcome(None, texts.REPLY_USAGE)
    if len(found[1]) > MAX_TEXT:
        return Outcome(None, texts.REPLY_TOO_LONG)
    return Outcome(None, effect=Reply(*found))


def _in_dialogue(
    conversation: Conversation, inbound: Inbound, towns: Sequence[str], now: datetime
) -> Outcome:
    word = bare(inbound.text) if inbound.kind == "text" else ""
    if conversation.step in CLAIM_STEPS:
        return _claiming(conversation, inbound, word, now)
    if word == "取消":
        if conversation.step == Step.SUPPLEMENT:  # what was sent is kept already
            draft = conversation.draft
            return Outcome(None, texts.supplement_done(draft.supplement, len(draft.evidence)))
        return Outcome(None, texts.CANCELLED)
    if word == "帮助":
        return Outcome(conversation, question(conversation, towns, texts.IN_DIALOGUE_HELP))
    if inbound.kind == "event" and not (inbound.event == "click" and inbound.event_key == "REPORT"):
        return Outcome(conversation)  # menu views, subscriptions: nothing to answer
    answer = ANSWERS[conversation.step](conversation, inbound, towns)
    if answer is None:
        return Outcome(conversation, question(conversation, towns))
    return answer


def _claiming(conversation: Conversation, inbound: Inbound, word: str, now: datetime) -> Outcome:
    if word == "取消":
        return Outcome(None, claim_texts.cancelled(conversation.draft.claim))
    if word == "帮助":
        return Outcome(conversation, claim.question(conversation, claim_texts.IN_CLAIM_HELP))
    if inbound.kind == "event" and not (inbound.event == "click" and inbound.event_key == "REPORT"):
        return Outcome(conversation)  # menu views, subscriptions: nothing to answer
    answer = claim.answer(conversation, inbound, now.date())
    if answer is None:
        return Outcome(conversation, claim.question(conversation))
    return answer
