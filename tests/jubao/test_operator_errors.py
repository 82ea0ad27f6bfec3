"""What an operator sees when something around the service is wrong: one line on stderr and an
exit code, never a traceback. The long-running commands run as real processes."""

from __future__ import annotations

import asyncio
import base64
import io
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from jubao.app import create_app
from jubao.cli import main
from jubao.config import Settings

NOWHERE = "postgresql://postgres@127.0.0.1:9/nothing"  # no server: connection refused
POSTGRES_URL = os.environ.get("JUBAO_TEST_POSTGRES_URL", "")
SECRETS = {
    "JUBAO_SECRET_KEY": "operator-test-secret",
    "JUBAO_IDENTITY_KEYS": base64.urlsafe_b64encode(b"k" * 32).decode(),
}
CLI_COMMANDS = [
    ["db", "upgrade"],
    ["registry", "load", "REGISTRY"],
    ["token", "create", "wang"],
    ["audit", "verify"],
    ["reminders", "run"],
    ["digest", "send"],
    ["outbox", "deliver"],
    ["rewards", "calc", "--kind", "violation", "--fine", "100000"],
]
REGISTRY = Path(__file__).parents[2] / "jubao" / "demo" / "registry.yaml"


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def jubao(
    *args: str, env: dict[str, str], stdin: str = "", cwd: Path
) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("JUBAO_")}
    return subprocess.run(
        [sys.executable, "-m", "jubao.cli", *args],
        input=stdin,
        env=environment | env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


@pytest.mark.parametrize("command", CLI_COMMANDS, ids=lambda command: "-".join(command[:2]))
def test_an_unreachable_database_is_one_line_and_exit_1(monkeypatch, capsys, command):
    for key, value in SECRETS.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("JUBAO_DATABASE_URL", NOWHERE)
    args = [str(REGISTRY) if part == "REGISTRY" else part for part in command]
    assert main(args) == 1
    line = one_line(capsys.readouterr().err)
    assert line.startswith("jubao: cannot use the database postgresql+asyncpg://")
    assert "127.0.0.1:9" in line and "refused" in line.lower()


def test_user_add_with_an_unreachable_database_is_one_line(monkeypatch, capsys):
    monkeypatch.setenv("JUBAO_DATABASE_URL", NOWHERE)
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-password\n"))
    assert main(["user", "add", "wang", "--role", "dispatcher"]) == 1
    assert one_line(capsys.readouterr().err).startswith("jubao: cannot use the database")


@pytest.mark.parametrize("command", ["serve", "worker"])
def test_the_long_running_commands_refuse_an_unreachable_database(tmp_path, command):
    done = jubao(command, env={"JUBAO_DATABASE_URL": NOWHERE, **SECRETS}, cwd=tmp_path)
    assert done.returncode == 1
    assert one_line(done.stderr).startswith("jubao: cannot use the database")


def test_a_missing_secret_is_named(tmp_path):
    only_one = {"JUBAO_DATABASE_URL": NOWHERE, "JUBAO_SECRET_KEY": "s"}
    done = jubao("serve", env=only_one, cwd=tmp_path)
    assert done.returncode == 2
    assert one_line(done.stderr) == (
        "jubao: configuration: with PostgreSQL, JUBAO_IDENTITY_KEYS must be set"
    )


@pytest.mark.parametrize("command", ["serve", "demo"])
def test_a_taken_port_is_one_line_and_nothing_starts(tmp_path, taken_port, command):
    env = {"JUBAO_DATABASE_URL": f"sqlite:///{tmp_path / 'jubao.db'}"}
    done = jubao(command, "--port", str(taken_port), env=env, cwd=tmp_path)
    assert done.returncode == 1
    line = one_line(done.stderr)
    assert line.startswith(f"jubao: cannot listen on 127.0.0.1:{taken_port}:")
    assert "in use" in line
    assert done.stdout == ""  # no banner, no scheduler output: nothing ran


@pytest.fixture
def empty_postgres() -> Iterator[str]:
    """A PostgreSQL database with no schema at all, as a new operator's is."""
    if not POSTGRES_URL:
        pytest.skip("JUBAO_TEST_POSTGRES_URL is not set")
    name = f"jubao_empty_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _admin(sql: str) -> None:
    engine = create_async_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.execute(text(sql))
    await engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("command", ["serve", "worker"])
def test_an_unmigrated_postgres_is_refused_until_db_upgrade(tmp_path, empty_postgres, command):
    env = {"JUBAO_DATABASE_URL": empty_postgres, **SECRETS}
    done = jubao(command, env=env, cwd=tmp_path)
    assert done.returncode == 1
    line = one_line(done.stderr)
    assert line.startswith("jubao: the database schema is not migrated")
    assert line.endswith("run `jubao db upgrade`")


@pytest.mark.postgres
async def test_health_is_503_with_the_reason_while_migrations_are_behind(empty_postgres):
    settings = Settings(
        database_url=empty_postgres, secret_key="s", identity_keys=(SECRETS["JUBAO_IDENTITY_KEYS"],)
    )
    async with TestClient(TestServer(create_app(settings))) as client:
        response = await client.get("/healthz")
        body = await response.json()
        api = await client.get("/api/v1/reports", headers={"Authorization": "Bearer x"})
        api_body = await api.json()
    assert response.status == 503 and body["status"] == "unavailable"
    assert "not migrated" in body["reason"] and "jubao db upgrade" in body["reason"]
    assert (api.status, api_body["error"]) == (500, "internal")  # what health warns of


@pytest.mark.postgres
@pytest.mark.parametrize(
    "command",
    [c for c in CLI_COMMANDS if c[:2] != ["db", "upgrade"]],
    ids=lambda command: "-".join(command[:2]),
)
def test_every_command_on_an_unmigrated_postgres_asks_for_db_upgrade(
    monkeypatch, capsys, empty_postgres, command
):
    for key, value in SECRETS.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("JUBAO_DATABASE_URL", empty_postgres)
    args = [str(REGISTRY) if part == "REGISTRY" else part for part in command]
    assert main(args) == 1
    assert one_line(capsys.readouterr().err).endswith("run `jubao db upgrade`")


def test_every_command_on_a_new_sqlite_file_migrates_it_first(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("JUBAO_DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-password\n"))
    assert main(["user", "add", "wang", "--role", "dispatcher"]) == 0
    assert main(["audit", "verify"]) == 0
    assert "user wang added" in capsys.readouterr().out
