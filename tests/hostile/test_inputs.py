"""The validators of jubao/inputs.py, as properties of every value of a kind."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jubao.inputs import (
    INT64_MAX,
    MAX_JSON_DEPTH,
    MAX_PAGE,
    BadInput,
    integer,
    message_id,
    page_number,
    parse_json,
)
from tests.hostile.conftest import HOSTILE


def nested(levels: int) -> str:
    return '{"a":' * levels + "1" + "}" * levels


def test_json_nested_up_to_the_bound_is_read_and_one_more_level_refused():
    assert isinstance(parse_json(nested(MAX_JSON_DEPTH)), dict)
    for levels in (MAX_JSON_DEPTH + 1, 100_000):
        with pytest.raises(BadInput):
            parse_json(nested(levels))
    assert parse_json('{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}') == {"a": "[" * 40}


@given(st.text())
@HOSTILE
def test_any_text_parses_or_is_refused_never_another_error(text):
    with contextlib.suppress(BadInput):
        parse_json(text)


@given(st.integers())
@HOSTILE
def test_a_number_is_read_when_short_and_refused_when_long(number):
    if len(str(number)) <= 40:
        assert parse_json(str(number)) == number
    else:
        with pytest.raises(BadInput):
            parse_json(str(number))


@given(st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF)))
@HOSTILE
def test_strings_with_nul_or_lone_surrogates_are_refused(text):
    raw = json.dumps({"note": text})
    unstorable = "\x00" in text or any(0xD800 <= ord(c) <= 0xDFFF for c in text)
    if unstorable:
        with pytest.raises(BadInput):
            parse_json(raw)
    else:
        assert parse_json(raw) == {"note": text}


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-Infinity", "1e999", '{"x": [1e400]}'])
def test_no_infinite_or_undefined_number_passes(raw):
    with pytest.raises(BadInput):
        parse_json(raw)


@given(st.text(max_size=12))
@HOSTILE
def test_a_page_is_ascii_digits_within_range(raw):
    wanted = raw.isascii() and raw.isdigit() and 1 <= int(raw) <= MAX_PAGE
    if wanted:
        assert page_number(raw) == int(raw)
    else:
        with pytest.raises(BadInput):
            page_number(raw)


@given(st.integers() | st.text(max_size=25))
@HOSTILE
def test_a_msg_id_is_a_positive_64_bit_integer(value):
    text = str(value)
    fits = text.strip().isascii() and text.strip().isdigit() and 0 < int(text) <= INT64_MAX
    if fits:
        assert message_id(text) == int(text)
    else:
        with pytest.raises(BadInput):
            message_id(text)


@given(st.integers() | st.text(max_size=8) | st.floats() | st.booleans())
@HOSTILE
def test_an_integer_in_range_or_refused(value):
    try:
        number = integer(value, "n", low=0, high=100)
    except BadInput:
        return
    assert isinstance(number, int) and 0 <= number <= 100 and not isinstance(value, bool | float)
