"""Officers' commands in the WeChat Work app (SPEC §7), read by a pure parser."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.answers import REPORT_NUMBER, normalize, tidy


class Verb(StrEnum):
    TAKE = "接收"
    RETURN = "退回"
    PROGRESS = "进展"
    SUBSTANTIATED = "属实"
    UNSUBSTANTIATED = "不属实"
    MINE = "我的"
    OVERDUE = "逾期"
    HELP = "帮助"


NEEDS_TEXT = {
    Verb.RETURN: "理由",
    Verb.PROGRESS: "内容",
    Verb.SUBSTANTIATED: "说明",
    Verb.UNSUBSTANTIATED: "说明",
}
NEEDS_NUMBER = frozenset({Verb.TAKE, *NEEDS_TEXT})


@dataclass(frozen=True)
class Command:
    verb: Verb
    number: str = ""
    text: str = ""


@dataclass(frozen=True)
class Unreadable:
    problem: str  # what to tell the officer


def parse(message: str) -> Command | Unreadable:
    text = normalize(message)
    # 不属实 before 属实: the longer verb wins
    verb = next((v for v in sorted(Verb, key=lambda v: -len(v.value)) if text.startswith(v)), None)
    if verb is None:
        return Unreadable("没有这个指令。")
    rest = text[len(verb.value) :].strip()
    if verb not in NEEDS_NUMBER:
        return Command(verb)
    match = REPORT_NUMBER.match(rest)
    if not match:
        return Unreadable(
            f"请写明举报编号，例如：{verb.value} ZJG-2026-000123"
            + (f" {NEEDS_TEXT[verb]}" if verb in NEEDS_TEXT else "")
        )
    number, detail = match.group(1).upper(), rest[match.end() :].strip()
    as_typed = REPORT_NUMBER.search(tidy(message))  # keep the officer's own punctuation
    if as_typed:
        detail = tidy(message)[as_typed.end() :].strip()
    if verb in NEEDS_TEXT and not detail:
        return Unreadable(
            f"请在编号后写明{NEEDS_TEXT[verb]}：{verb.value} {number} {NEEDS_TEXT[verb]}"
        )
    return Command(verb, number, detail)
