"""The citizen's report dialogue (SPEC §6) as a pure state machine.

`step(conversation, inbound, towns, now)` returns the next conversation, the reply and at most one
effect for the service to carry out (file the report, list or query reports). No I/O here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from bot import supplement, texts
from bot.answers import (
    bare,
    first_number,
    normalize,
    read_category,
    read_mobile,
    read_name,
    read_objection,
    read_query,
    read_town,
    tidy,
    town_in,
)
from bot.conversation import (
    Conversation,
    Draft,
    EvidenceItem,
    Inbound,
    ListOwn,
    Objection,
    Outcome,
    QueryOne,
    Step,
    Submit,
)
from complaints.vocabulary import EVIDENCE_LABELS

IDLE_LIMIT = timedelta(hours=24)
MAX_EVIDENCE = 9
MEDIA_KINDS = frozenset({"image", "voice", "video", "shortvideo"})
DESCRIPTION_LIMITS = (10, 2000)


def needs_towns(conversation: Conversation | None) -> bool:
    """Whether `step` may need the town list for this conversation (the service loads it then)."""
    return conversation is not None and conversation.step in (Step.CATEGORY, Step.TOWN)


def step(
    conversation: Conversation | None, inbound: Inbound, towns: Sequence[str], now: datetime
) -> Outcome:
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
        outcome = _in_dialogue(conversation, inbound, towns)
    if outcome.conversation is not None:
        outcome = replace(outcome, conversation=replace(outcome.conversation, updated_at=now))
    return outcome


def _idle(inbound: Inbound) -> Outcome:
    """No dialogue in progress: start one, answer a command, or explain."""
    if inbound.kind == "event":
        if inbound.event == "click" and inbound.event_key == "REPORT":
            return _start()
        if inbound.event in ("subscribe", "subscribe_scan"):
            return Outcome(None, texts.WELCOME)
        if inbound.event == "click":
            return Outcome(None, texts.HELP)
        return Outcome(None)
    if inbound.kind != "text":
        return Outcome(None, texts.HELP)
    word = bare(inbound.text)
    if word in ("举报", "我要举报"):
        return _start()
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
    if word.startswith("查询"):
        query = read_query(inbound.text)
        if query is None:
            return Outcome(None, texts.QUERY_USAGE)
        return Outcome(None, effect=QueryOne(*query))
    return Outcome(None, texts.HELP)


def _start() -> Outcome:
    return Outcome(Conversation(Step.CATEGORY), f"{texts.NOTICE}\n\n{texts.CATEGORY_QUESTION}")


def question(conversation: Conversation, towns: Sequence[str], lead: str = "") -> str:
    """The current question, after `lead` (a correction or help); the summary makes room."""
    if conversation.step == Step.CONFIRM:
        return texts.summary(conversation.draft, lead)
    return lead + _question(conversation, towns)


def _question(conversation: Conversation, towns: Sequence[str]) -> str:
    draft = conversation.draft
    match conversation.step:
        case Step.CATEGORY:
            return texts.CATEGORY_QUESTION
        case Step.TOWN:
            return texts.town_question(towns)
        case Step.PLACE:
            return texts.PLACE_QUESTION
        case Step.DETAILS:
            return texts.INJURY_QUESTION if draft.category == "injury" else texts.DEATHS_QUESTION
        case Step.DESCRIPTION:
            return texts.DESCRIPTION_QUESTION
        case Step.EVIDENCE:
            return texts.EVIDENCE_QUESTION
        case Step.IDENTITY:
            return texts.IDENTITY_QUESTION
        case Step.NAME:
            return texts.NAME_QUESTION
        case Step.PHONE:
            return texts.PHONE_QUESTION
        case Step.SUPPLEMENT:
            return texts.supplement_started(draft.supplement)
        case _:
            raise ValueError(conversation.step)


def _in_dialogue(conversation: Conversation, inbound: Inbound, towns: Sequence[str]) -> Outcome:
    word = bare(inbound.text) if inbound.kind == "text" else ""
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


def _advance(conversation: Conversation, draft: Draft, to: Step, towns: Sequence[str]) -> Outcome:
    following = Conversation(to, draft)
    return Outcome(following, question(following, towns))


def _retry(conversation: Conversation, problem: str, towns: Sequence[str]) -> Outcome:
    return Outcome(conversation, question(conversation, towns, f"{problem}\n"))


def _category(conversation: Conversation, inbound: Inbound, towns: Sequence[str]) -> Outcome | None:
    if inbound.kind != "text":
        return None
    category = read_category(inbound.text)
    if category is None:
        return _retry(conversation, texts.BAD_CATEGORY, towns)
    return _advance(conversation, replace(conversation.draft, category=category), Step.TOWN, towns)


def _town(conversation: Conversation, inbound: Inbound, towns: Sequence[str]) -> Outcome | None:
    draft = conversation.draft
    if inbound.kind == "location":
        town = town_in(normalize(inbound.label), towns)
        if town is None:
            return _retry(conversation, texts.BAD_TOWN, towns)
        spot = EvidenceItem(
            "location", label=inbound.label, latitude=inbound.latitude, longitude=inbound.longitude
        )
        draft = replace(draft, town=town, evidence=(*draft.evidence, spot))
        return _advance(conversation, draft, Step.PLACE, towns)
    if inbound.kind != "text":
        return None
    town = read_town(inbound.text, towns)
    if town is None:
        return _retry(conversation, texts.BAD_TOWN, towns)
    return _advance(conversation, replace(draft, town=town), Step.PLACE, towns)


def _place(conversation: Conversation, inbound: Inbound, towns: Sequence[str]) -> Outcome | None:
    if inbound.kind != "text":
        return None
    place = tidy(inbound.text)
    if not 2 <= len(place) <= 200:
        return _retry(conversation, texts.BAD_PLACE, towns)
    draft = replace(conversation.draft, place=place)
    following = Step.DETAILS if draft.category in ("injury", "concealed") else Step.DESCRIPTION
    return _advance(conversation, draft, following, towns)


def _details(conversation: Conversation, inbound: Inbound, towns: Sequence[str]) -> Outcome | None:
    if inbound.kind != "text":
        return None
    details = tidy(inbound.text)[:200]
    count = first_number(details)
    if count is None:
        return _retry(conversation, texts.BAD_COUNT, towns)
    draft = replace(conversation.draft, details=details, count=count)
    return _advance(conversation, draft, Step.DESCRIPTION, towns)


def _description(
    conversation: Conversation, inbound: Inbound, towns: Sequence[str]
) -> Outcome | None:
    if inbound.kind != "text":
        return None
    description = inbound.text.strip()
    low, high = DESCRIPTION_LIMITS
    if len(description) < low:
        return _retry(conversation, texts.DESCRIPTION_TOO_SHORT, towns)
    if len(description) > high:
        return _retry(conversation, texts.DESCRIPTION_TOO_LONG, towns)
    draft = replace(conversation.draft, description=description)
    return _advance(conversation, draft, Step.EVIDENCE, towns)


def _evidence(conversation: Conversation, inbound: Inbound, towns: Sequence[str]) -> Outcome | None:
    draft = conversation.draft
    if inbound.kind == "text":
        if bare(inbound.text) in ("完成", "跳过"):
            return _advance(conversation, draft, Step.IDENTITY, towns)
        description = f"{draft.description}\n{inbound.text.strip()}"
        if len(description) > DESCRIPTION_LIMITS[1]:
            return Outcome(conversation, texts.EVIDENCE_TEXT_TOO_LONG)
        return Outcome(
            Conversation(Step.EVIDENCE, replace(draft, description=description)),
            texts.EVIDENCE_TEXT_ADDED,
        )
    if inbound.kind not in MEDIA_KINDS and inbound.kind != "location":
        return None
    if len(draft.evidence) >= MAX_EVIDENCE:
        return Outcome(conversation, texts.EVIDENCE_FULL)
    item = EvidenceItem(
        inbound.kind, inbound.media_id, inbound.label, inbound.latitude, inbound.longitude
    )
    draft = replace(draft, evidence=(*draft.evidence, item))
    reply = texts.evidence_received(len(draft.evidence), EVIDENCE_LABELS[inbound.kind])
    return Outcome(Conversation(Step.EVIDENCE, draft), reply)


def _identity(conversation: Conversation, inbound: Inbound, towns: Sequence[str]) -> Outcome | None:
    if inbound.kind != "text":
        return None
    answer = bare(inbound.text)
    if answer in ("1", "实名"):
        draft = replace(conversation.draft, anonymous=False)
        return _advance(conversation, draft, Step.NAME, towns)
    if answer in ("2", "匿名"):
        draft = replace(conversation.draft, anonymous=True, name="", phone="")
        return _advance(conversation, draft, Step.CONFIRM, towns)
    return _retry(conversation, texts.BAD_IDENTITY, towns)


def _name(conversation: Conversation, inbound: Inbound, towns: Sequence[str]) -> Outcome | None:
    if inbound.kind != "text":
        return None
    name = read_name(inbound.text)
    if name is None:
        return _retry(conversation, texts.BAD_NAME, towns)
    return _advance(conversation, replace(conversation.draft, name=name), Step.PHONE, towns)


def _phone(conversation: Conversation, inbound: Inbound, towns: Sequence[str]) -> Outcome | None:
    if inbound.kind != "text":
        return None
    phone = read_mobile(inbound.text)
    if phone is None:
        return _retry(conversation, texts.BAD_PHONE, towns)
    return _advance(conversation, replace(conversation.draft, phone=phone), Step.CONFIRM, towns)


def _confirm(conversation: Conversation, inbound: Inbound, towns: Sequence[str]) -> Outcome | None:
    if inbound.kind != "text":
        return None
    answer = bare(inbound.text)
    if answer in ("1", "提交"):
        return Outcome(None, effect=Submit(conversation.draft))
    if answer in ("2", "重新填写"):
        return _start()
    if answer in ("3", "取消"):
        return Outcome(None, texts.CANCELLED)
    return _retry(conversation, texts.BAD_CONFIRM, towns)


ANSWERS = {
    Step.CATEGORY: _category,
    Step.TOWN: _town,
    Step.PLACE: _place,
    Step.DETAILS: _details,
    Step.DESCRIPTION: _description,
    Step.EVIDENCE: _evidence,
    Step.IDENTITY: _identity,
    Step.NAME: _name,
    Step.PHONE: _phone,
    Step.CONFIRM: _confirm,
    Step.SUPPLEMENT: lambda conversation, inbound, towns: supplement.answer(conversation, inbound),
}
