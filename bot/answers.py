"""Lenient readers for citizens' answers: pure functions from text to a value or None."""

from __future__ import annotations

import re
from collections.abc import Sequence

# Shared with the petition office's intake (console/), so they live in the domain.
from complaints.answer_rules import first_number as first_number
from complaints.answer_rules import normalize as normalize
from complaints.answer_rules import read_mobile as read_mobile
from complaints.answer_rules import read_name as read_name
from complaints.feedback_rules import RATING_ANSWERS

_SPACES = re.compile(r"\s+")
_PUNCTUATION = " .。,，、:：;；!！?？()（）【】[]「」\"'"


def tidy(text: str) -> str:
    """Free text as the citizen wrote it (full-width punctuation kept), spaces folded."""
    return _SPACES.sub(" ", text).strip()


def bare(text: str) -> str:
    """The answer without spaces and punctuation around or inside it: '１ 。' -> '1'."""
    return "".join(ch for ch in normalize(text) if ch not in _PUNCTUATION)


_CATEGORY_WORDS = (
    ("隐患", "hazard"),
    ("受伤", "injury"),
    ("瞒报", "concealed"),
    ("谎报", "concealed"),
    ("违法", "violation"),
)
_CATEGORY_NUMBERS = {"1": "hazard", "2": "injury", "3": "concealed", "4": "violation"}


def read_category(text: str) -> str | None:
    answer = bare(text)
    if answer in _CATEGORY_NUMBERS:
        return _CATEGORY_NUMBERS[answer]
    for word, category in _CATEGORY_WORDS:
        if word in answer:
            return category
    return None


def read_town(text: str, towns: Sequence[str]) -> str | None:
    """A number from the list, or text containing a town's name (the longest name wins)."""
    answer = bare(text)
    if answer.isascii() and answer.isdigit() and len(answer) <= 6:  # not "²", nor 5,000 digits
        index = int(answer)
        return towns[index - 1] if 1 <= index <= len(towns) else None
    return town_in(normalize(text), towns)


def town_in(text: str, towns: Sequence[str]) -> str | None:
    found = [name for name in towns if name in text]
    if not found:
        found = [name for name in towns if len(_stem(name)) >= 2 and _stem(name) in text]
    return max(found, key=len) if found else None


def _stem(name: str) -> str:
    return name.removesuffix("镇")


REPORT_NUMBER = re.compile(r"([A-Za-z]{1,10}-\d{4}-\d{6})")


def read_reference(text: str, verb: str) -> tuple[str, str | None] | None:
    """`VERB 编号 [查询码]` -> (number, 16-digit code or None); None when not of that form."""
    rest = normalize(text).removeprefix(verb).strip()
    match = REPORT_NUMBER.search(rest)
    if not match:
        return None
    code = re.sub(r"[\s\-]", "", rest[match.end() :])
    if code and not re.fullmatch(r"\d{16}", code):
        return None
    return match.group(1).upper(), code or None


def read_query(text: str) -> tuple[str, str] | None:
    """`查询 编号 查询码` -> (number, 16-digit code); None when it is not of that form."""
    reference = read_reference(text, "查询")
    if reference is None or reference[1] is None:
        return None
    return reference[0], reference[1]


def read_rating(text: str) -> tuple[str, str] | None:
    """`评价 编号 1|2|3` (or 满意, 基本满意, 不满意) -> (number, rating); None otherwise."""
    rest = normalize(text).removeprefix("评价").strip()
    match = REPORT_NUMBER.search(rest)
    if not match:
        return None
    rating = RATING_ANSWERS.get(re.sub(r"[\s。.!！]", "", rest[match.end() :]))
    return (match.group(1).upper(), rating) if rating else None


def read_number(text: str, verb: str) -> str | None:
    """`VERB 编号` -> the number; None when there is none or anything follows it."""
    reference = read_reference(text, verb)
    return reference[0] if reference and reference[1] is None else None


def read_objection(text: str) -> tuple[str, str] | None:
    """`异议 编号 理由` -> (number, reason); None without a number or a reason."""
    found = read_number_and_text(text, "异议")
    return (found[0], found[1][:500]) if found else None


def read_reply(text: str) -> tuple[str, str] | None:
    """`回复 编号 内容` (or `回复编号 内容`) -> (number, the text as typed); None without a
    number or a text."""
    return read_number_and_text(text, "回复")


def read_number_and_text(text: str, verb: str) -> tuple[str, str] | None:
    """`VERB 编号 TEXT` -> (number, TEXT as the citizen typed it); None without either."""
    rest = tidy(text).removeprefix(verb).strip()
    match = REPORT_NUMBER.search(normalize(rest))
    if not match:
        return None
    said = normalize(rest)[match.end() :].strip()
    as_typed = REPORT_NUMBER.search(rest)
    if as_typed:
        said = rest[as_typed.end() :].strip()
    return (match.group(1).upper(), said) if said else None
