"""Time-based one-time codes (RFC 6238, pyotp) for the console's optional second factor: pure
functions of a secret, a code and the time — the time is always the caller's clock, never the
system's, so tests and the demo's shifted clock agree with the authenticator app.

A code is accepted for its own 30-second step and one step either side (a phone's clock drifts,
a person types slowly). A step at or before the last one accepted for the account is refused:
a code seen over someone's shoulder, or replayed from a log, is worth nothing once used
(RFC 6238 §5.2).
"""

from __future__ import annotations

import hmac
import unicodedata
from datetime import datetime

import pyotp
import segno

ISSUER = "举报受理平台"  # what the authenticator app shows above the code
STEP_SECONDS = 30
WINDOW = 1  # steps accepted either side of now
DIGITS = 6


def new_secret() -> str:
    """A fresh random secret: 160 bits in base32, as RFC 4226 recommends."""
    return pyotp.random_base32()


def time_step(now: datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def accepted_step(secret: str, code: str, now: datetime, last_step: int | None) -> int | None:
    """The time step `code` belongs to when it is valid at `now` and newer than `last_step`,
    else None. Spaces in the code are ignored ("123 456" as apps show it), and full-width
    digits (a Chinese input method's) read as digits."""
    typed = "".join(unicodedata.normalize("NFKC", code).split())
    if len(typed) != DIGITS or not (typed.isascii() and typed.isdigit()):
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    current = time_step(now)
    for step in range(current - WINDOW, current + WINDOW + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), typed):
            return step
    return None


def provisioning_uri(secret: str, username: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The URI as an inline SVG QR code (segno; no image files, no scripts)."""
    return segno.make(uri, error="m").svg_inline(
        scale=4, dark="#1f2d3d", light="#ffffff", title="两步验证二维码"
    )


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
