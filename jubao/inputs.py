"""One validator per kind of untrusted value, used at every edge (SPEC §10): JSON bodies parsed
with a bound on depth and on the length of numbers, integers in a range, page numbers as ASCII
digits, text free of what no database column takes (NUL, lone surrogates).

Each raises `BadInput` with a Simplified Chinese message; the edges turn it into their refusal
(the API's 422, the console's 422 page, a WeChat callback's 400)."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping

MAX_JSON_DEPTH = 32  # our bodies are two levels deep; nothing legitimate comes near
MAX_NUMBER_CHARS = 40  # a JSON number's text: int64 is 19 digits, a yuan amount fewer
MAX_PAGE = 1_000_000  # a page further than any list will ever reach
INT64_MAX = 2**63 - 1  # SQLite's INTEGER and PostgreSQL's BIGINT

_BRACKETS = re.compile(r'"(?:[^"\\]|\\.)*"|[^\[\]{}"]+')  # strings and all but brackets
_FORBIDDEN = re.compile("[\x00\ud800-\udfff]")  # NUL; lone surrogates (not encodable)


class BadInput(ValueError):
    """An untrusted value refused; `str(error)` is the message for the user (zh-CN)."""


def clean(text: str, name: str = "输入") -> str:
    """`text` unchanged, or BadInput when it holds a NUL byte or a lone surrogate (PostgreSQL
    refuses NUL in text, and neither database can store a lone surrogate)."""
    if _FORBIDDEN.search(text):
        raise BadInput(f"{name} 含有不允许的字符")
    return text


def clean_all(values: Iterable[tuple[str, str]]) -> None:
    """Every (name, value) pair of a query string or a form checked with `clean`."""
    for name, value in values:
        clean(name, "参数名")
        clean(value, name)


def json_depth(text: str) -> int:
    """How deeply the arrays and objects of a JSON text nest, counted without parsing it and
    only until past MAX_JSON_DEPTH (an unclosed string ends the count: the parser refuses it
    afterwards)."""
    depth = deepest = 0
    for char in _BRACKETS.sub("", text):
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_JSON_DEPTH:  # enough to refuse: read no further
                break
        elif char in "]}":
            depth -= 1
        else:  # the quote of an unterminated string: the rest is inside it
            break
    return deepest


def _integer_text(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise BadInput("数字过长")
    return int(text)


def _float_text(text: str) -> float:
    if len(text) > MAX_NUMBER_CHARS:
        raise BadInput("数字过长")
    return float(text)  # 1e999 is inf: refused after the parse


def _no_constant(name: str) -> object:
    raise BadInput(f"JSON 中不允许 {name}")


def parse_json(raw: str | bytes) -> object:
    """A JSON document parsed with bounds: nesting up to MAX_JSON_DEPTH, numbers of at most
    MAX_NUMBER_CHARS characters, no NaN or Infinity, finite floats, text `clean`; BadInput
    otherwise (malformed JSON included)."""
    try:
        text = raw.decode() if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        raise BadInput("请求体应为 UTF-8 编码的 JSON") from None
    if json_depth(text) > MAX_JSON_DEPTH:
        raise BadInput(f"JSON 嵌套超过 {MAX_JSON_DEPTH} 层")
    try:
        value = json.loads(
            text, parse_int=_integer_text, parse_float=_float_text, parse_constant=_no_constant
        )
    except (json.JSONDecodeError, RecursionError):
        raise BadInput("请求体不是有效的 JSON") from None
    _check_values(value)
    return value


def _check_values(value: object) -> None:
    if isinstance(value, str):
        clean(value, "文字")
    elif isinstance(value, float) and not math.isfinite(value):
        raise BadInput("数字超出范围")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            clean(key, "字段名")
            _check_values(item)
    elif isinstance(value, list):
        for item in value:
            _check_values(item)


def integer(value: object, name: str, *, low: int = 0, high: int = INT64_MAX) -> int:
    """An integer within [low, high] from an int or its decimal text (ASCII digits only)."""
    if isinstance(value, bool):
        raise BadInput(f"{name} 应为整数")
    if isinstance(value, str):
        text = value.strip()
        digits = text[1:] if text[:1] == "-" else text
        if not digits.isascii() or not digits.isdigit() or len(digits) > MAX_NUMBER_CHARS:
            raise BadInput(f"{name} 应为整数")
        value = int(text)
    if not isinstance(value, int):
        raise BadInput(f"{name} 应为整数")
    if not low <= value <= high:
        raise BadInput(f"{name} 应在 {low} 到 {high} 之间")
    return value


def page_number(raw: str | None, name: str = "page") -> int:
    """A page of a list: ASCII digits from 1 to MAX_PAGE (absent: 1)."""
    if raw is None:
        return 1
    if not raw.isascii() or not raw.isdigit() or len(raw) > 7 or not 1 <= int(raw) <= MAX_PAGE:
        raise BadInput(f"{name} 应为正整数（1 到 {MAX_PAGE}）")
    return int(raw)


def message_id(raw: str) -> int:
    """A WeChat MsgId: a 64-bit integer, positive (WeChat's are; the database's column is
    BIGINT)."""
    text = raw.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 19 or not 0 < int(text) <= INT64_MAX:
        raise BadInput("MsgId 应为 64 位正整数")
    return int(text)
