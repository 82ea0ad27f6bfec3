"""Logging: levels from JUBAO_LOG_LEVEL; tracebacks that keep the frames but only the first
line of each error's message (PostgreSQL's DETAIL quotes the failing row: a citizen's words);
an access log that never prints query strings (WeChat puts the sender's openid there); and a
filter on the handler that blanks, in every record of every logger, what looks like a reporter's
identity: a WeChat openid, a mobile number, a resident ID, and any run of 12 or more digits (a
bank account, a query code, spaced or not). Names cannot be recognised: they are never logged."""

from __future__ import annotations

import logging
import re
import traceback
from typing import TextIO

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from jubao.outage import is_database_error, safe_message, scrubbed

MESSAGE_LIMIT = 300
REDACTED = "[redacted]"
IDENTITY_LIKE = re.compile(
    r"(?<![0-9A-Za-z_-])o[0-9A-Za-z_-]{27}(?![0-9A-Za-z_-])"  # a WeChat openid: o + 27
    r"|(?<!\d)\d{17}[\dXx](?![0-9A-Za-z])"  # a resident ID
    r"|(?<!\d)\d{4}(?:[ -]?\d{4}){2,4}(?:[ -]?\d{1,3})?(?!\d)"  # an account, a query code
    r"|(?<!\d)\d{12,}(?!\d)"
    r"|(?<!\d)(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)"  # a mainland mobile number
)


def redact(text: str) -> str:
    """`text` with whatever looks like a reporter's identity blanked."""
    return IDENTITY_LIKE.sub(REDACTED, text)


class IdentityFilter(logging.Filter):
    """Rewrites each record's message, arguments merged in, with `redact`; keeps every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def _first_line(error: BaseException, scrub: bool = False) -> str:
    if is_database_error(error):  # its text may quote a statement's values
        return safe_message(error)
    lines = str(error).strip().splitlines()
    first = scrubbed(lines[0]) if lines and scrub else lines[0] if lines else ""
    return first[:MESSAGE_LIMIT] + ("…" if len(first) > MESSAGE_LIMIT else "")


def safe_traceback(error: BaseException) -> str:
    """The traceback of `error` and of the errors that caused it, each with its frames and
    its type, and of its message the first line only (never DETAIL, HINT or a statement)."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    scrub = any(is_database_error(failure) for failure in chain)  # and what led to it
    parts = []
    for failure in reversed(chain):
        frames = "".join(traceback.format_tb(failure.__traceback__))
        name = f"{type(failure).__module__}.{type(failure).__qualname__}"
        parts.append(
            f"Traceback (most recent call last):\n{frames}{name}: {_first_line(failure, scrub)}"
        )
    return "\n\nwhich led to\n\n".join(parts)


class SafeFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        # Another handler may have cached its own rendering of the traceback on the record
        # (logging.Formatter does): never reuse it, it may carry a statement's values.
        cached, record.exc_text = record.exc_text, None
        try:
            return super().format(record)
        finally:
            record.exc_text = cached

    def formatException(self, ei) -> str:  # type: ignore[no-untyped-def]
        return redact(safe_traceback(ei[1])) if ei[1] is not None else ""


def handler(stream: TextIO | None = None) -> logging.Handler:
    """The service's log handler: safe tracebacks, identity filtered out."""
    made = logging.StreamHandler(stream)
    made.setFormatter(SafeFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    made.addFilter(IdentityFilter())
    return made


def configure(level: str) -> None:
    logging.basicConfig(level=level.upper(), handlers=[handler()])
    # APScheduler tells of every run at INFO (every few seconds); failures still show.
    logging.getLogger("apscheduler").setLevel(
        max(logging.WARNING, logging.getLevelName(level.upper()))
    )


class PathOnlyAccessLogger(AbstractAccessLogger):
    @property
    def enabled(self) -> bool:
        return self.logger.isEnabledFor(logging.INFO)

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            "%s %s %s %.1fms", request.method, request.path, response.status, time * 1000
        )
