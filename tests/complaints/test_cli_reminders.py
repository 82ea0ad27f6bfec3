"""`jubao reminders run --at`: one sweep as of a given time, local when naive."""

from __future__ import annotations

import asyncio
import io
import sqlite3
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import make_url

from jubao.cli import iso_time, main
from jubao.cli.jobs import parse_at
from jubao.config import Settings, load_settings, with_secrets
from tests.database import run_in_transaction
from tests.factories import filed_report


@pytest.fixture
def db(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("JUBAO_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'r.db'}")
    monkeypatch.setenv("JUBAO_MP_API_BASE", "http://127.0.0.1:9")
    monkeypatch.setenv("JUBAO_WORK_API_BASE", "http://127.0.0.1:9")
    registry = tmp_path / "registry.yaml"
    registry.write_text("towns: [{name: 塘桥镇}]\n", encoding="utf-8")
    assert main(["registry", "load", str(registry)]) == 0
    settings = with_secrets(load_settings())
    filed_at = datetime(2026, 11, 27, 2, tzinfo=UTC)
    asyncio.run(
        run_in_transaction(
            settings.database_url,
            lambda s: filed_report(s, settings, at=filed_at, openid="o-cli"),
        )
    )
    return settings


def test_a_sweep_as_of_a_local_time(db, capsys):
    assert main(["reminders", "run", "--at", "2026-12-09T23:59"]) == 0
    assert "reminders sent: 0" in capsys.readouterr().out
    assert main(["reminders", "run", "--at", "2026-12-10T00:00"]) == 0  # 3 days before, local
    assert "reminders sent: 1" in capsys.readouterr().out
    assert main(["reminders", "run", "--at", "2026-12-10T00:00+08:00"]) == 0
    assert "reminders sent: 0" in capsys.readouterr().out


def test_a_report_that_fails_is_counted_and_the_exit_code_says_so(db, capsys):
    """The database refuses the report's reminder (bad data, a bug): it is counted, and the
    run says so in its exit code."""
    with sqlite3.connect(make_url(db.database_url).database) as connection:
        connection.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON reminder_ledger "
            "BEGIN SELECT RAISE(ABORT, 'refused'); END"
        )
    assert main(["reminders", "run", "--at", "2026-12-10T00:00"]) == 1
    assert "reminders sent: 0" in (out := capsys.readouterr().out) and "reports failed: 1" in out


def test_at_parsing():
    settings = Settings()
    local, utc = iso_time("2026-12-10T00:00"), iso_time("2026-12-10T00:00Z")
    assert parse_at(local, settings) == datetime(2026, 12, 9, 16, tzinfo=UTC)
    assert parse_at(utc, settings) == datetime(2026, 12, 10, tzinfo=UTC)


@pytest.mark.parametrize("command", [["reminders", "run"], ["digest", "send"]])
def test_a_bad_time_is_a_usage_error_not_a_traceback(capsys, command):
    with pytest.raises(SystemExit) as exit_:
        main([*command, "--at", "next tuesday"])
    assert exit_.value.code == 2
    assert "is not an ISO 8601 time" in capsys.readouterr().err


def test_digest_send_queues_once_per_dispatcher_and_day(db, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("long enough password\n"))
    assert main(["user", "add", "wang", "--role", "dispatcher", "--wework-id", "wang-wx"]) == 0
    assert main(["digest", "send", "--at", "2026-12-12T09:00"]) == 0
    assert "digests queued: 1" in capsys.readouterr().out
    assert main(["digest", "send", "--at", "2026-12-12T09:05"]) == 0
    assert "digests queued: 0" in capsys.readouterr().out
