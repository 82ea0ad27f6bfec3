"""The 18-digit resident identity number (GB 11643-1999): read it as a citizen types it and
check its date of birth and its check digit. Pure; the claim dialogue asks again when it fails."""

from __future__ import annotations

import re
from datetime import date

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_DIGITS = "10X98765432"  # indexed by the weighted sum mod 11
SHAPE = re.compile(r"[1-9]\d{16}[\dX]")


def check_digit(first17: str) -> str:
    return CHECK_DIGITS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def read_resident_id(text: str, today: date) -> str | None:
    """The number in canonical form (capital X), or None when it is not a valid one: spaces
    are dropped, a small x is accepted, the birth date must be a real day not after `today`."""
    number = re.sub(r"\s+", "", text).upper()
    if not SHAPE.fullmatch(number):
        return None
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None
    if born > today or born.year < 1900:
        return None
    return number if check_digit(number[:17]) == number[17] else None
