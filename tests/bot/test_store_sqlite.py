"""The bot's SQLite statements store times exactly as SQLAlchemy does: range queries compare
the text (test_housekeeping purges rows written this way by ORM queries on their times)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.dialects import sqlite

from jubao.db import UtcDateTime
from jubao.raw_sql import sqlite_time


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 11, 27, 10, 0, tzinfo=timezone(timedelta(hours=8))),
        datetime(2026, 11, 27, 23, 59, 59, 999_999, tzinfo=UTC),
        datetime(2026, 1, 1, 0, 0, 0, 1, tzinfo=timezone(timedelta(hours=-5))),
    ],
)
def test_times_are_stored_as_sqlalchemy_stores_them(moment: datetime) -> None:
    dialect = sqlite.dialect()
    bind = UtcDateTime().dialect_impl(dialect).bind_processor(dialect)
    assert bind is not None
    assert sqlite_time(moment) == bind(moment)
