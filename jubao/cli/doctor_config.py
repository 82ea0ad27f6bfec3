"""The configuration checks of `jubao doctor`: pure functions of the settings, each finding
one line in plain words with what to do. A finding names a setting, never prints its value
where the value is a secret."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from jubao.config import SECRETS_FILE, ConfigError, Settings, sqlite_folder, with_secrets

MIN_SECRET_KEY = 32
MP_APPID = re.compile(r"wx[0-9a-f]{16}")
AES_KEY_LENGTH = 43
# read by the test suite, the benchmarks and the docs, not by the service
DEVELOPMENT = ("JUBAO_TEST_POSTGRES_URL", "JUBAO_BENCH_POSTGRES_URL", "JUBAO_DOCS_SCREENSHOTS")


@dataclass(frozen=True)
class Finding:
    ok: bool
    text: str


def ok(text: str) -> Finding:
    return Finding(True, text)


def wrong(text: str) -> Finding:
    return Finding(False, text)


def secrets_findings(settings: Settings) -> tuple[list[Finding], Settings]:
    """The secret key and the identity keys; the settings with them, where they can be read
    (a SQLite deployment's generated file is read, never created, here)."""
    folder = sqlite_folder(settings.database_url)
    if folder is not None and not (settings.secret_key and settings.identity_keys):
        stored = folder / SECRETS_FILE
        if not Path(stored).exists():
            return [
                ok(f"secrets: generated into {stored} on first run (back it up then)")
            ], settings
    try:
        settings = with_secrets(settings)
    except ConfigError as error:
        return [wrong(f"secrets: {error}")], settings
    findings = [ok("secrets: JUBAO_SECRET_KEY and JUBAO_IDENTITY_KEYS are set")]
    if len(settings.secret_key) < MIN_SECRET_KEY:
        findings = [
            wrong(
                f"secrets: JUBAO_SECRET_KEY is shorter than {MIN_SECRET_KEY} characters: set a "
                "long random one (python3 -c 'import secrets; print(secrets.token_urlsafe(32))'); "
                "every console session ends when it changes"
            )
        ]
    return findings, settings


def _aes_key(name: str, key: str) -> Finding | None:
    if len(key) != AES_KEY_LENGTH:
        return wrong(
            f"{name} must be {AES_KEY_LENGTH} characters, it has {len(key)}: copy the "
            "EncodingAESKey again from WeChat's console, whole"
        )
    try:
        if len(base64.b64decode(key + "=", validate=True)) == 32:
            return None
    except (binascii.Error, ValueError):
        pass
    return wrong(f"{name} is not an EncodingAESKey (letters and digits only): copy it again")


def _missing(settings: Settings, names: tuple[str, ...]) -> list[str]:
    return [f"JUBAO_{name.upper()}" for name in names if not getattr(settings, name)]


def mp_findings(settings: Settings) -> list[Finding]:
    """The Official Account: appid, secret and token together, the AES key if any, the
    template for notices outside the 48-hour window."""
    needed = ("mp_appid", "mp_secret", "mp_token")
    missing = _missing(settings, needed)
    if len(missing) == len(needed):
        return [
            wrong(
                "Official Account: not configured, citizens cannot reach the service: set "
                "JUBAO_MP_APPID, JUBAO_MP_SECRET and JUBAO_MP_TOKEN "
                "(公众平台 → 设置与开发 → 基本配置)"
            )
        ]
    findings = []
    if missing:
        findings.append(
            wrong(
                f"Official Account: {' and '.join(missing)} missing: set it from 公众平台 → "
                "设置与开发 → 基本配置 (the three belong together)"
            )
        )
    if settings.mp_appid and not MP_APPID.fullmatch(settings.mp_appid):
        findings.append(
            wrong(
                "Official Account: JUBAO_MP_APPID is not an appid (wx and 16 hex digits): "
                "copy the AppID from 基本配置"
            )
        )
    if settings.mp_aes_key and (finding := _aes_key("JUBAO_MP_AES_KEY", settings.mp_aes_key)):
        findings.append(finding)
    if not settings.mp_template_id:
        findings.append(
            wrong(
                "Official Account: JUBAO_MP_TEMPLATE_ID is empty, so a notice to a citizen "
                "outside the 48-hour window cannot be sent: add the progress template and set it"
            )
        )
    if not findings:
        mode = "encrypted" if settings.mp_aes_key else "plaintext"
        findings.append(ok(f"Official Account: configured ({mode} callbacks)"))
    return findings


def work_findings(settings: Settings) -> list[Finding]:
    """The WeChat Work app: corp id, secret, agent id, token and AES key together, and a way
    to the group."""
    needed = ("work_corpid", "work_secret", "work_agentid", "work_token", "work_aes_key")
    missing = _missing(settings, needed)
    if len(missing) == len(needed):
        return [
            wrong(
                "WeChat Work: not configured, officers get no messages and cannot answer: set "
                "JUBAO_WORK_CORPID, _SECRET, _AGENTID, _TOKEN and _AES_KEY "
                "(企业微信管理后台 → 应用管理)"
            )
        ]
    findings = []
    if missing:
        findings.append(
            wrong(
                f"WeChat Work: {' and '.join(missing)} missing: set it from the app's page in "
                "企业微信管理后台 (the five belong together)"
            )
        )
    if settings.work_agentid and not settings.work_agentid.isdigit():
        findings.append(wrong("WeChat Work: JUBAO_WORK_AGENTID is the app's AgentId, digits only"))
    if settings.work_aes_key and (finding := _aes_key("JUBAO_WORK_AES_KEY", settings.work_aes_key)):
        findings.append(finding)
    if not (settings.work_chatid or settings.work_webhook_key):
        findings.append(
            wrong(
                "WeChat Work: neither JUBAO_WORK_CHATID nor JUBAO_WORK_WEBHOOK_KEY is set, so "
                "assignment cards for the group are skipped: set one of them"
            )
        )
    if not findings:
        findings.append(ok("WeChat Work: configured"))
    return findings


def public_url_findings(settings: Settings) -> list[Finding]:
    """JUBAO_PUBLIC_URL: an absolute https URL staff can open on their phones."""
    url = settings.public_url
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - validates the port
    except ValueError:
        return [wrong("JUBAO_PUBLIC_URL is not a URL: set https://HOST (the address staff open)")]
    if parts.scheme not in ("http", "https") or not host:
        return [wrong("JUBAO_PUBLIC_URL must be https://HOST[/PATH]: set the address staff open")]
    if parts.query or parts.fragment or parts.username or parts.password:
        return [wrong("JUBAO_PUBLIC_URL must have no user, query or fragment: set https://HOST")]
    if _loopback(host):
        return [
            wrong(
                f"JUBAO_PUBLIC_URL is {url}, this machine only: links sent to staff will not "
                "open on their phones; set the address they reach the service at"
            )
        ]
    if parts.scheme == "http":
        return [
            wrong(
                "JUBAO_PUBLIC_URL is http: console logins and links to staff go unencrypted "
                "and the session cookie is not Secure; serve it behind https and set that URL"
            )
        ]
    return [ok(f"JUBAO_PUBLIC_URL: {url}")]


def _loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def config_findings(settings: Settings) -> tuple[list[Finding], Settings]:
    """Every configuration check; the settings with their secrets filled in where possible."""
    findings, settings = secrets_findings(settings)
    findings += mp_findings(settings) + work_findings(settings) + public_url_findings(settings)
    return findings, settings


def environ_names(environ: Mapping[str, str]) -> list[str]:
    """JUBAO_* variables set that jubao does not know (a typo leaves a setting at default)."""
    known = {f"JUBAO_{name.upper()}" for name in Settings.__dataclass_fields__}
    known |= {"JUBAO_CONFIG", *DEVELOPMENT}
    return sorted(name for name in environ if name.startswith("JUBAO_") and name not in known)
