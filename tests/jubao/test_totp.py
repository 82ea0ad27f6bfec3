"""TOTP codes as pure functions: a ±1 step window on the given time, a used step refused,
spaces ignored, and what the enrolment page shows (the otpauth URI as an SVG QR code, the
secret in groups of four)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import pyotp
import pytest

from jubao.totp import (
    ISSUER,
    accepted_step,
    grouped,
    new_secret,
    provisioning_uri,
    qr_svg,
    time_step,
)

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOW = datetime(2026, 11, 27, 2, 0, 10, tzinfo=UTC)


def code_at(at: datetime) -> str:
    return pyotp.TOTP(SECRET).at(at)


def test_the_current_code_and_its_neighbours_are_accepted():
    assert accepted_step(SECRET, code_at(NOW), NOW, None) == time_step(NOW)
    before, after = NOW - timedelta(seconds=30), NOW + timedelta(seconds=30)
    assert accepted_step(SECRET, code_at(before), NOW, None) == time_step(NOW) - 1
    assert accepted_step(SECRET, code_at(after), NOW, None) == time_step(NOW) + 1


def test_codes_two_steps_away_are_refused():
    for seconds in (-60, 60, -3600):
        assert accepted_step(SECRET, code_at(NOW + timedelta(seconds=seconds)), NOW, None) is None


def test_a_used_code_is_refused_and_the_next_one_is_not():
    used = accepted_step(SECRET, code_at(NOW), NOW, None)
    assert accepted_step(SECRET, code_at(NOW), NOW, used) is None
    assert accepted_step(SECRET, code_at(NOW), NOW + timedelta(seconds=20), used) is None
    older = code_at(NOW - timedelta(seconds=30))  # still in the window, but before the used one
    assert accepted_step(SECRET, older, NOW, used) is None
    later = NOW + timedelta(seconds=30)
    assert accepted_step(SECRET, code_at(later), later, used) == used + 1  # type: ignore[operator]


@pytest.mark.parametrize("spacing", ["{a} {b}", " {a}{b} ", "{a}\u3000{b}", "{a}  {b}\n"])
def test_spaces_in_a_code_are_ignored(spacing):
    code = code_at(NOW)
    typed = spacing.format(a=code[:3], b=code[3:])
    assert accepted_step(SECRET, typed, NOW, None) == time_step(NOW)


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "abcdef", "١٢٣٤٥٦"])
def test_what_is_not_six_digits_is_refused(typed):
    assert accepted_step(SECRET, typed, NOW, None) is None


def test_full_width_digits_read_as_digits():
    full_width = "".join(chr(ord(digit) + 0xFEE0) for digit in code_at(NOW))
    assert accepted_step(SECRET, full_width, NOW, None) == time_step(NOW)


def test_a_wrong_code_is_refused():
    right = code_at(NOW)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    assert accepted_step(SECRET, wrong, NOW, None) is None


def test_a_new_secret_is_160_random_bits_in_base32():
    first, second = new_secret(), new_secret()
    assert len(first) == 32 and first != second
    assert set(first) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def test_the_enrolment_uri_names_the_issuer_and_the_user():
    uri = urlsplit(provisioning_uri(SECRET, "wang"))
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert unquote(uri.path) == f"/{ISSUER}:wang"
    query = parse_qs(uri.query)
    assert query["secret"] == [SECRET] and query["issuer"] == [ISSUER]


def test_the_qr_code_is_inline_svg_and_the_secret_is_grouped_by_four():
    svg = qr_svg(provisioning_uri(SECRET, "wang"))
    assert svg.startswith("<svg") and svg.endswith("</svg>") and "<script" not in svg
    assert SECRET not in svg  # the secret is in the drawing, not in its text
    assert grouped(SECRET) == "JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP"
