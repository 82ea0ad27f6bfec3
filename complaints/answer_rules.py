"""Lenient readers of what a reporter says, shared by the bot's dialogue and the petition
office's intake form: pure functions from text to a value or None."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Full-width digits, letters and spaces to their ASCII forms; spaces folded; trimmed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip()


_CHINESE_DIGITS = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_NUMBER = re.compile(r"\d+|[零一二两三四五六七八九十百]+")


def first_number(text: str) -> int | None:
    """The first count in the text, in Arabic digits or Chinese numerals (一…九十九, 两)."""
    for match in _NUMBER.finditer(normalize(text)):
        value = _number_value(match.group())
        if value is not None:
            return value
    return None


def _number_value(token: str) -> int | None:
    if token.isascii() and token.isdigit() and len(token) <= 9:  # int() refuses "²"
        return int(token)
    if "百" in token:
        head, _, rest = token.partition("百")
        hundreds = _CHINESE_DIGITS.get(head, 1 if head == "" else -1)
        tail = _number_value(rest.lstrip("零")) if rest.lstrip("零") else 0
        if hundreds < 0 or tail is None:
            return None
        return hundreds * 100 + tail
    if "十" in token:
        head, _, rest = token.partition("十")
        tens = _CHINESE_DIGITS.get(head, -1) if head else 1
        ones = _CHINESE_DIGITS.get(rest, -1) if rest else 0
        return tens * 10 + ones if tens >= 0 and ones >= 0 else None
    if len(token) == 1:
        return _CHINESE_DIGITS.get(token)
    return None


def read_name(text: str) -> str | None:
    name = normalize(text)
    if 2 <= len(name) <= 20 and not any(ch.isdigit() for ch in name):
        return name
    return None


def read_mobile(text: str) -> str | None:
    """11 digits starting with 1, after removing spaces, dashes and a leading +86."""
    digits = re.sub(r"[\s\-]", "", normalize(text))
    digits = digits.removeprefix("+86")
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits if re.fullmatch(r"1\d{10}", digits) else None
