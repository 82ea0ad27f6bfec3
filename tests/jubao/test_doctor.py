"""`jubao doctor` as an operator runs it (a real process): nothing wrong is exit 0; each
thing wrong is one line in plain words with what to do, and exit 1; no secret is ever printed.
WeChat is the fake API on loopback (tests/fake_wechat.py), reached by a real token fetch."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from sqlalchemy import text

from jubao.cli import build_parser
from jubao.config import Settings
from jubao.db import make_engine
from jubao.migrate import head_revision
from tests.conftest import CLOSED_PORT
from tests.fake_wechat import CREDENTIALS

WORK_AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
SECRET_KEY = "a-long-random-secret-key-for-doctor-tests-0123456789"


def healthy(settings: Settings, api_base: str) -> dict[str, str]:
    """The environment of an installation with nothing wrong."""
    return {
        "JUBAO_DATABASE_URL": settings.database_url,
        "JUBAO_SECRET_KEY": SECRET_KEY,
        "JUBAO_IDENTITY_KEYS": ",".join(settings.identity_keys),
        "JUBAO_PUBLIC_URL": "https://jubao.example.gov.cn",
        "JUBAO_MP_APPID": settings.mp_appid,
        "JUBAO_MP_SECRET": CREDENTIALS["mp_secret"],
        "JUBAO_MP_TOKEN": settings.mp_token,
        "JUBAO_MP_AES_KEY": settings.mp_aes_key,
        "JUBAO_MP_TEMPLATE_ID": "progress-template",
        "JUBAO_WORK_CORPID": CREDENTIALS["work_corpid"],
        "JUBAO_WORK_SECRET": CREDENTIALS["work_secret"],
        "JUBAO_WORK_AGENTID": CREDENTIALS["work_agentid"],
        "JUBAO_WORK_TOKEN": "work-token",
        "JUBAO_WORK_AES_KEY": WORK_AES_KEY,
        "JUBAO_WORK_CHATID": "safety-group",
        "JUBAO_MP_API_BASE": api_base,
        "JUBAO_WORK_API_BASE": api_base,
    }


async def doctor(env: dict[str, str], cwd: Path) -> tuple[int, str]:
    """Run `jubao doctor` with exactly these JUBAO_* variables; (exit code, stdout+stderr)."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("JUBAO_")}
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "jubao.cli", "doctor"),
        env=environment | env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(process.communicate(), 120)
    return process.returncode or 0, out.decode()


def wrong_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("wrong")]


def no_secret_in(out: str, env: dict[str, str]) -> None:
    for name in ("SECRET_KEY", "IDENTITY_KEYS", "MP_SECRET", "MP_AES_KEY", "WORK_SECRET"):
        value = env.get(f"JUBAO_{name}")
        for part in (value or "").split(","):
            if len(part) >= 8:
                assert part not in out, name
    assert "Traceback" not in out


def test_doctor_is_a_command_the_cli_lists():
    assert "doctor" in build_parser().format_help()


async def test_nothing_wrong_is_exit_0_and_says_so(settings, fake_api, tmp_path):
    env = healthy(settings, fake_api.url)
    code, out = await doctor(env, tmp_path)
    assert (code, wrong_lines(out)) == (0, []), out
    assert out.strip().endswith("Nothing is wrong.")
    assert "WeChat accepts the credentials" in out and "at revision" in out
    assert fake_api.token_fetches("mp") == 1 and fake_api.token_fetches("work") == 1
    no_secret_in(out, env)


async def test_each_wrong_setting_is_one_line_with_what_to_do(settings, fake_api, tmp_path):
    env = healthy(settings, fake_api.url) | {
        "JUBAO_MP_SECRET": "a-wrong-mp-secret-value",
        "JUBAO_MP_AES_KEY": "tooShortAESkey0123456789abcdefghijklmnopqr",  # 42
        "JUBAO_WORK_AGENTID": "",
        "JUBAO_PUBLIC_URL": "http://jubao.example.gov.cn",
        "JUBAO_WORK_SECRT": "a-typo",
    }
    code, out = await doctor(env, tmp_path)
    expected = [
        "WeChat refuses JUBAO_MP_SECRET: reset it",
        "JUBAO_MP_AES_KEY must be 43 characters, it has 42",
        "WeChat Work: JUBAO_WORK_AGENTID missing",
        "JUBAO_PUBLIC_URL is http",
        "JUBAO_WORK_SECRT is not a jubao setting",
    ]
    lines = wrong_lines(out)
    assert code == 1 and len(lines) == len(expected), out
    for phrase in expected:
        assert sum(phrase in line for line in lines) == 1, (phrase, out)
    assert out.strip().endswith("5 things are wrong.")
    no_secret_in(out, env)


async def test_postgresql_without_secrets_and_wechat_unreachable(settings, tmp_path):
    env = healthy(settings, CLOSED_PORT) | {
        "JUBAO_DATABASE_URL": "postgresql://postgres:hunter2-db-password@127.0.0.1:9/nothing",
        "JUBAO_SECRET_KEY": "",
        "JUBAO_IDENTITY_KEYS": "",
    }
    code, out = await doctor(env, tmp_path)
    lines = wrong_lines(out)
    assert code == 1, out
    assert any(
        "with PostgreSQL, JUBAO_SECRET_KEY and JUBAO_IDENTITY_KEYS must be" in x for x in lines
    )
    assert any(x.startswith("wrong  database: cannot use the database") for x in lines), out
    assert sum(f"cannot reach {CLOSED_PORT}" in line for line in lines) == 2, out
    assert "hunter2-db-password" not in out
    no_secret_in(out, env)


async def test_a_schema_behind_asks_for_db_upgrade(settings, fake_api, tmp_path):
    async def stamp(revision: str) -> None:  # the PostgreSQL database is the session's
        engine = make_engine(settings.database_url)
        async with engine.begin() as connection:
            await connection.execute(
                text("UPDATE alembic_version SET version_num = :revision"), {"revision": revision}
            )
        await engine.dispose()

    await stamp("0018")
    try:
        code, out = await doctor(healthy(settings, fake_api.url), tmp_path)
    finally:
        await stamp(head_revision())
    (line,) = wrong_lines(out)
    assert code == 1 and "at revision 0018" in line and "jubao db upgrade" in line, out


async def test_a_missing_sqlite_file_is_not_created(settings, fake_api, tmp_path):
    missing = tmp_path / "not-yet.db"
    env = healthy(settings, fake_api.url) | {"JUBAO_DATABASE_URL": f"sqlite:///{missing}"}
    code, out = await doctor(env, tmp_path)
    (line,) = wrong_lines(out)
    assert code == 1 and "does not exist" in line and "jubao db upgrade" in line, out
    assert not missing.exists()
