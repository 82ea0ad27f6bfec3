"""The resident ID a claimant types: the check digit and the birth date decide."""

from __future__ import annotations

from datetime import date

import pytest

from rewards.resident_id import check_digit, read_resident_id

TODAY = date(2026, 12, 7)
VALID = "11010519491231002X"  # the standard's own example


def test_the_standards_example_is_valid_and_canonical():
    assert check_digit(VALID[:17]) == "X"
    assert read_resident_id(VALID, TODAY) == VALID
    assert read_resident_id(" 110105 19491231 002x ", TODAY) == VALID


def with_check(first17: str) -> str:
    return first17 + check_digit(first17)


@pytest.mark.parametrize(
    "text",
    [
        "110105194912310021",  # wrong check digit
        "11010519491231002",  # 17 digits
        "1101051949123100211",  # 19 digits
        with_check("11010519490230002"),  # 30 February, check digit right
        with_check("11010520270101001"),  # born after today, check digit right
        with_check("01010519491231002"),  # starts with 0
        "11010519491231002Y",
        "",
    ],
)
def test_anything_else_is_refused(text):
    assert read_resident_id(text, TODAY) is None


def test_born_today_is_accepted():
    number = with_check("32058220261207001")
    assert read_resident_id(number, TODAY) == number


def test_every_check_digit_is_reachable():
    seen = {check_digit(f"3205821990010{n:04d}") for n in range(200)}
    assert seen == set("0123456789X")
