"""领奖: collecting a reward, as a short dialogue of its own (pure; SPEC §8, §11): the payee's
real name, his resident ID (checked, asked again when wrong), `开户行 账号` in one message, then
`1` to confirm. The service checks the right to claim before the first question counts."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from bot import claim_texts as texts
from bot.answers import bare, normalize, read_name, read_reference
from bot.conversation import Claim, Conversation, Draft, Inbound, Outcome, StartClaim, Step
from rewards.resident_id import read_resident_id

ACCOUNT = re.compile(r"\d{8,30}")
BANK_LIMITS = (2, 50)


def start(text: str) -> Outcome:
    """`领奖 编号 [查询码]`: ask the name; the effect first checks the right to claim."""
    reference = read_reference(text, "领奖")
    if reference is None:
        return Outcome(None, texts.CLAIM_USAGE)
    number, code = reference
    return Outcome(
        Conversation(Step.CLAIM_NAME, Draft(claim=number)),
        texts.claim_started(number),
        StartClaim(number, code),
    )


def question(conversation: Conversation, lead: str = "") -> str:
    draft = conversation.draft
    match conversation.step:
        case Step.CLAIM_NAME:
            return lead + texts.NAME_QUESTION
        case Step.CLAIM_ID:
            return lead + texts.ID_QUESTION
        case Step.CLAIM_BANK:
            return lead + texts.BANK_QUESTION
        case _:
            return lead + texts.summary(draft)


def read_bank_account(text: str) -> tuple[str, str] | None:
    """`开户行 账号` -> (bank, account digits); spaces inside the account are allowed."""
    words = normalize(text).split()
    cut = len(words)
    while cut > 0 and words[cut - 1].isdigit():  # the account: every trailing group of digits
        cut -= 1
    bank, account = " ".join(words[:cut]), "".join(words[cut:])
    if ACCOUNT.fullmatch(account) and BANK_LIMITS[0] <= len(bank) <= BANK_LIMITS[1]:
        return bank, account
    return None


def answer(conversation: Conversation, inbound: Inbound, today: date) -> Outcome | None:
    """The next outcome of a claim step, or None when the message does not answer it."""
    if inbound.kind != "text":
        return None
    draft, step = conversation.draft, conversation.step
    if step == Step.CLAIM_NAME:
        name = read_name(inbound.text)
        if name is None:
            return _retry(conversation, texts.BAD_NAME)
        return _advance(replace(draft, claim_name=name), Step.CLAIM_ID)
    if step == Step.CLAIM_ID:
        resident_id = read_resident_id(inbound.text, today)
        if resident_id is None:
            return _retry(conversation, texts.BAD_ID)
        return _advance(replace(draft, claim_id=resident_id), Step.CLAIM_BANK)
    if step == Step.CLAIM_BANK:
        bank_account = read_bank_account(inbound.text)
        if bank_account is None:
            return _retry(conversation, texts.BAD_BANK)
        bank, account = bank_account
        return _advance(replace(draft, claim_bank=bank, claim_account=account), Step.CLAIM_CONFIRM)
    word = bare(inbound.text)
    if word in ("1", "确认"):
        claim = Claim(draft.claim, draft.claim_name, draft.claim_id, draft.claim_bank,
                      draft.claim_account)  # fmt: skip
        return Outcome(None, effect=claim)
    if word in ("2", "重新填写"):
        return _advance(Draft(claim=draft.claim), Step.CLAIM_NAME)
    return _retry(conversation, texts.BAD_CONFIRM)


def _advance(draft: Draft, to: Step) -> Outcome:
    following = Conversation(to, draft)
    return Outcome(following, question(following))


def _retry(conversation: Conversation, problem: str) -> Outcome:
    return Outcome(conversation, question(conversation, f"{problem}\n"))
