"""`jubao user add`, `jubao token create`, `jubao audit verify`."""

from __future__ import annotations

import asyncio
import io

import pytest

from jubao.auth import staff_for_token
from jubao.cli import main
from jubao.roles import Role
from tests.database import run_in_transaction


@pytest.fixture
def db_url(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("JUBAO_DATABASE_URL", url)
    assert main(["db", "upgrade"]) == 0
    registry = tmp_path / "registry.yaml"
    registry.write_text("towns: [{name: 塘桥镇}]\n", encoding="utf-8")
    assert main(["registry", "load", str(registry)]) == 0
    return url


def add(monkeypatch, *argv: str, password: str = "correct horse battery") -> int:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    return main(["user", "add", *argv])


def test_user_and_token(db_url, monkeypatch, capsys):
    assert add(monkeypatch, "wang", "--role", "dispatcher") == 0
    assert (
        add(
            monkeypatch,
            "zhangwei",
            "--role",
            "officer",
            "--town",
            "塘桥镇",
            "--wework-id",
            "zhangwei",
        )
        == 0
    )
    capsys.readouterr()
    assert main(["token", "create", "zhangwei"]) == 0
    token = capsys.readouterr().out.strip()
    assert len(token) >= 40
    staff = asyncio.run(run_in_transaction(db_url, lambda s: staff_for_token(s, token)))
    assert staff.username == "zhangwei" and staff.role == Role.OFFICER
    assert staff.town == "塘桥镇" and staff.wework_id == "zhangwei"
    assert asyncio.run(run_in_transaction(db_url, lambda s: staff_for_token(s, "x" * 43))) is None


@pytest.mark.parametrize(
    ("argv", "password", "complaint"),
    [
        (["wang", "--role", "dispatcher"], "short", "at least 8"),
        (["li", "--role", "officer", "--town", "火星镇"], "long enough pw", "unknown town"),
    ],
)
def test_bad_accounts_are_refused(db_url, monkeypatch, capsys, argv, password, complaint):
    assert add(monkeypatch, *argv, password=password) == 1
    assert complaint in capsys.readouterr().err


def test_duplicate_user_is_refused(db_url, monkeypatch, capsys):
    assert add(monkeypatch, "wang", "--role", "leader") == 0
    assert add(monkeypatch, "wang", "--role", "leader") == 1
    assert "exists" in capsys.readouterr().err


def test_token_for_unknown_user(db_url, capsys):
    assert main(["token", "create", "nobody"]) == 1
    assert "no user" in capsys.readouterr().err


def test_audit_verify_on_an_empty_log(db_url, capsys):
    assert main(["audit", "verify"]) == 0
    assert "intact" in capsys.readouterr().out
