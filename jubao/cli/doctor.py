"""`jubao doctor`: what is wrong with this installation, one line each with what to do.

It checks the configuration (jubao/cli/doctor_config.py), the database (reachable, schema at
this version's head) and the WeChat credentials, by fetching a token from JUBAO_MP_API_BASE and
JUBAO_WORK_API_BASE. It changes nothing: no migration, no file, no stored token. No secret is
printed, nor a database password. Exit 0 when nothing is wrong, 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import async_sessionmaker

from jubao import migrate
from jubao.cli.doctor_config import Finding, config_findings, environ_names, ok, wrong
from jubao.clock import Clock
from jubao.config import ConfigError, Settings, load_settings
from jubao.db import DatabaseUnavailable, check_reachable, make_engine, safe_url
from notifications.wechat_api import Api, WeChatClient
from notifications.wechat_errors import BAD_REPLY, HTTP_ERROR, NETWORK, TIMEOUT, WeChatError

CONNECT_SECONDS = 10.0
WECHAT_SECONDS = 10.0
WHERE = {"mp": "公众平台 → 设置与开发 → 基本配置", "work": "企业微信管理后台 → 应用管理 → the app"}
NAMES = {
    "mp": ("Official Account", "JUBAO_MP_APPID", "JUBAO_MP_SECRET", "JUBAO_MP_API_BASE"),
    "work": ("WeChat Work", "JUBAO_WORK_CORPID", "JUBAO_WORK_SECRET", "JUBAO_WORK_API_BASE"),
}
WRONG_ID = frozenset({40013})  # invalid appid / corpid
WRONG_SECRET = frozenset({40001, 40125})  # invalid credential / appsecret
NOT_WHITELISTED = frozenset({40164, 60020, 61004})  # this server's IP is not allowed


def sqlite_file(settings: Settings) -> Path | None:
    """The SQLite database's file, None for PostgreSQL or an in-memory database."""
    url = make_url(settings.database_url)
    if not url.drivername.startswith("sqlite") or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database).expanduser()


async def database_findings(settings: Settings) -> list[Finding]:
    """Reachable, and at this version's schema; a missing SQLite file is not created."""
    path = sqlite_file(settings)
    if path is not None and not path.exists():
        return [
            wrong(f"database: {path} does not exist: run `jubao db upgrade` (or `jubao serve`)")
        ]
    engine = make_engine(settings.database_url)
    try:
        try:
            await asyncio.wait_for(check_reachable(engine), CONNECT_SECONDS)
        except TimeoutError:
            url = safe_url(settings.database_url)
            return [wrong(f"database: {url} does not answer: check that it runs and the URL")]
        except DatabaseUnavailable as error:
            return [wrong(f"database: {error}: check that it runs, the URL and the password")]
        behind = await migrate.schema_behind(engine)
    finally:
        await engine.dispose()
    if behind:
        return [wrong(f"database: {behind}")]
    return [
        ok(f"database: {safe_url(settings.database_url)} at revision {migrate.head_revision()}")
    ]


def token_finding(api: Api, settings: Settings, error: WeChatError | None) -> Finding:
    """One line for a token fetch: what WeChat said, in words, and what to do."""
    title, id_name, secret_name, base_name = NAMES[api]
    base = settings.mp_api_base if api == "mp" else settings.work_api_base
    if error is None:
        return ok(f"{title}: WeChat accepts the credentials (a token was fetched from {base})")
    code = error.errcode
    if code in WRONG_ID:
        advice = f"WeChat does not know {id_name}: copy it again from {WHERE[api]}"
    elif code in WRONG_SECRET:
        advice = f"WeChat refuses {secret_name}: reset it in {WHERE[api]} and set the new one"
    elif code in NOT_WHITELISTED:
        advice = (
            f"WeChat refuses this server's IP address: add it to the IP whitelist in {WHERE[api]}"
        )
    elif code in (TIMEOUT, NETWORK, HTTP_ERROR, BAD_REPLY):
        advice = f"cannot reach {base} ({error.errmsg}): check the network, a proxy or {base_name}"
    else:
        advice = f"WeChat answered errcode {code} to the token request: look it up in WeChat's docs"
    return wrong(f"{title}: {advice}")


async def wechat_findings(settings: Settings) -> list[Finding]:
    """A token fetch for each API whose id and secret are set."""
    apis: list[Api] = []
    if settings.mp_appid and settings.mp_secret:
        apis.append("mp")
    if settings.work_corpid and settings.work_secret:
        apis.append("work")
    if not apis:
        return []
    # check_credentials fetches past the shared token cache: the client needs no database
    client = WeChatClient(settings, async_sessionmaker(), Clock(), timeout=WECHAT_SECONDS)
    findings = []
    async with client:
        for api in apis:
            try:
                await client.check_credentials(api)
                findings.append(token_finding(api, settings, None))
            except WeChatError as error:
                findings.append(token_finding(api, settings, error))
    return findings


async def all_findings(settings: Settings) -> list[Finding]:
    findings, settings = config_findings(settings)
    findings += [
        wrong(f"{name} is not a jubao setting (a typo?): it is ignored; see docs/operations.md")
        for name in environ_names(os.environ)
    ]
    findings += await database_findings(settings)
    return findings + await wechat_findings(settings)


def doctor(args: argparse.Namespace) -> int:
    try:
        settings = load_settings()
    except ConfigError as error:
        print(f"wrong  configuration: {error}")
        print("1 thing is wrong.")
        return 1
    findings = asyncio.run(all_findings(settings))
    for finding in findings:
        print(f"{'ok   ' if finding.ok else 'wrong'}  {finding.text}")
    problems = sum(not finding.ok for finding in findings)
    if problems:
        print(f"{problems} thing{'s are' if problems > 1 else ' is'} wrong.")
        return 1
    print("Nothing is wrong.")
    return 0


if __name__ == "__main__":
    sys.exit(doctor(argparse.Namespace()))
