"""The questions of a report dialogue and the answers each step accepts (SPEC §6): one pure
function per step, `ANSWERS`, taking the conversation and the message and returning the next
outcome, or None when the message does not answer the question (it is asked again)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from bot import supplement, texts
from bot.answers import (
    bare,
    first_number,
    normalize,
    read_category,
    read_mobile,
    read_name,
    read_town,
    tidy,
    town_in,
)
from bot.conversation import (
    Conversation,
    Draft,
    EvidenceItem,
    Inbound,
    Outcome,
    Step,
    Submit,
)
from complaints.vocabulary import EVIDENCE_LABELS

MAX_EVIDENCE = 9
MEDIA_KINDS = frozenset({"image", "voice", "video", "shortvideo"})
DESCRIPTION_LIMITS = (10, 2000)


def start() -> Outcome:
    """A new dialogue: the notice and the first question."""
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
        return start()
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
