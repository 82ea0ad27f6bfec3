"""Tracebacks in the log keep their frames and drop what a database quotes of the data."""

from __future__ import annotations

import io
import logging

from jubao.logs import SafeFormatter, safe_traceback


class DriverError(Exception):
    """Like asyncpg's errors: the message, then DETAIL quoting the failing row."""


def failing_insert() -> None:
    try:
        raise DriverError(
            'new row violates check constraint "x"\nDETAIL:  Failing row (举报人张三)'
        )
    except DriverError as error:
        raise RuntimeError("(DriverError) new row violates check constraint") from error


def test_the_chain_keeps_frames_and_first_lines_only() -> None:
    try:
        failing_insert()
    except RuntimeError as error:
        text = safe_traceback(error)
    assert text.count("Traceback (most recent call last)") == 2
    assert "failing_insert" in text and 'violates check constraint "x"' in text
    assert "DriverError" in text and "RuntimeError" in text
    assert "张三" not in text and "DETAIL" not in text


def test_the_service_log_formats_every_traceback_so() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(SafeFormatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("tests.safe")
    logger.addHandler(handler)
    try:
        try:
            failing_insert()
        except RuntimeError:
            logger.exception("request failed")
    finally:
        logger.removeHandler(handler)
    assert "request failed" in stream.getvalue() and "failing_insert" in stream.getvalue()
    assert "张三" not in stream.getvalue()
