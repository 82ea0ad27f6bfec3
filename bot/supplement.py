"""补充: adding text or media to a filed report, as a short dialogue of its own (pure)."""

from __future__ import annotations

from dataclasses import replace

from bot import texts
from bot.answers import bare, read_reference
from bot.conversation import (
    Conversation,
    Draft,
    EvidenceItem,
    Inbound,
    Outcome,
    StartSupplement,
    Step,
    Supplement,
)
from complaints.vocabulary import EVIDENCE_LABELS

MAX_ITEMS = 9
MAX_TEXT = 2000
MEDIA = frozenset({"image", "voice", "video", "shortvideo", "location"})


def start(text: str) -> Outcome:
    """`补充 编号 [查询码]`: the service checks the right to add, then the dialogue goes on."""
    reference = read_reference(text, "补充")
    if reference is None:
        return Outcome(None, texts.SUPPLEMENT_USAGE)
    number, code = reference
    return Outcome(
        Conversation(Step.SUPPLEMENT, Draft(supplement=number)),
        texts.supplement_started(number),
        StartSupplement(number, code),
    )


def answer(conversation: Conversation, inbound: Inbound) -> Outcome | None:
    draft = conversation.draft
    number = draft.supplement
    if inbound.kind == "text" and bare(inbound.text) in ("完成", "结束"):
        return Outcome(None, texts.supplement_done(number, len(draft.evidence)))
    if len(draft.evidence) >= MAX_ITEMS:
        return Outcome(conversation, texts.SUPPLEMENT_FULL)
    if inbound.kind == "text":
        text = inbound.text.strip()
        if not text or len(text) > MAX_TEXT:
            return Outcome(conversation, texts.SUPPLEMENT_TEXT_LIMIT)
        kept = EvidenceItem("text")
        following = Conversation(Step.SUPPLEMENT, replace(draft, evidence=(*draft.evidence, kept)))
        return Outcome(
            following,
            texts.supplement_added(len(following.draft.evidence), "文字"),
            Supplement(number, text=text),
        )
    if inbound.kind not in MEDIA:
        return None
    item = EvidenceItem(
        inbound.kind, inbound.media_id, inbound.label, inbound.latitude, inbound.longitude
    )
    following = Conversation(Step.SUPPLEMENT, replace(draft, evidence=(*draft.evidence, item)))
    return Outcome(
        following,
        texts.supplement_added(len(following.draft.evidence), EVIDENCE_LABELS[inbound.kind]),
        Supplement(number, item=item),
    )
