"""Settings from the environment and an optional TOML file (SPEC §3); the environment wins."""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import secrets
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from cryptography.fernet import Fernet
from sqlalchemy.engine import make_url

SECRETS_FILE = "jubao-secrets.toml"


class ConfigError(Exception):
    """A setting is missing or malformed; the message tells the operator which."""


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite+aiosqlite:///./jubao.db"
    # PostgreSQL connections per process (web or worker), and no more: see jubao/db.py
    database_pool_size: int = 10
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str = "http://127.0.0.1:8080"
    secret_key: str = ""
    identity_keys: tuple[str, ...] = ()
    report_prefix: str = "ZJG"
    timezone: str = "Asia/Shanghai"
    mp_appid: str = ""
    mp_secret: str = ""
    mp_token: str = ""
    mp_aes_key: str = ""
    mp_template_id: str = ""
    mp_subscribe_template_id: str = ""  # the subscribe message (订阅通知) for progress notices
    work_corpid: str = ""
    work_secret: str = ""
    work_agentid: str = ""
    work_token: str = ""
    work_aes_key: str = ""
    work_chatid: str = ""
    work_webhook_key: str = ""
    mp_api_base: str = "https://api.weixin.qq.com"
    work_api_base: str = "https://qyapi.weixin.qq.com"
    media_dir: str = "./media"
    scheduler: bool = True
    log_level: str = "INFO"
    # Reverse proxies whose X-Forwarded-For names the client (rate limits by address).
    trusted_proxies: tuple[str, ...] = ()

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def replace(self, **changes: object) -> Settings:
        return dataclasses.replace(self, **changes)


def _convert(name: str, kind: object, raw: object) -> object:
    if kind in (int, "int"):
        try:
            return int(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise ConfigError(f"JUBAO_{name.upper()} must be a whole number, not {raw!r}") from None
    if kind in (bool, "bool"):
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("on", "true", "1", "yes"):
            return True
        if text in ("off", "false", "0", "no"):
            return False
        raise ConfigError(f"JUBAO_{name.upper()} must be on or off, not {raw!r}")
    if kind in (tuple[str, ...], "tuple[str, ...]"):
        items = raw if isinstance(raw, list) else str(raw).split(",")
        return tuple(str(item).strip() for item in items if str(item).strip())
    return str(raw)


def async_url(url: str) -> str:
    """The URL with our async driver: `postgresql://` and `postgres://` mean asyncpg,
    `sqlite://` means the inline SQLite driver (aiosqlite's interface)."""
    parsed = make_url(url)
    drivers = {"postgresql": "postgresql+asyncpg", "postgres": "postgresql+asyncpg"}
    drivers["sqlite"] = "sqlite+aiosqlite"
    if parsed.drivername in drivers:
        return parsed.set(drivername=drivers[parsed.drivername]).render_as_string(
            hide_password=False
        )
    return url


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Defaults, then the TOML file named by JUBAO_CONFIG, then JUBAO_* variables."""
    environ = os.environ if environ is None else environ
    values: dict[str, object] = {}
    if path := environ.get("JUBAO_CONFIG"):
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise ConfigError(f"JUBAO_CONFIG {path}: {error}") from None
        for key, value in data.items():
            values[key.lower().removeprefix("jubao_")] = value
    for field in fields(Settings):
        env_name = f"JUBAO_{field.name.upper()}"
        if env_name in environ:
            values[field.name] = environ[env_name]
    known = {field.name: field.type for field in fields(Settings)}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ConfigError(f"unknown settings in JUBAO_CONFIG: {', '.join(unknown)}")
    settings = Settings(**{k: _convert(k, known[k], v) for k, v in values.items()})
    try:
        settings = settings.replace(database_url=async_url(settings.database_url))
    except Exception:
        raise ConfigError(
            "JUBAO_DATABASE_URL is not a database URL (sqlite:///FILE or postgresql://…)"
        ) from None
    try:
        settings.tz  # noqa: B018 - validates the zone name early
    except Exception:
        raise ConfigError(f"JUBAO_TIMEZONE {settings.timezone!r} is not a time zone") from None
    try:
        proxy_networks(settings.trusted_proxies)
    except ValueError as error:
        raise ConfigError(
            f"JUBAO_TRUSTED_PROXIES: {str(error)!r} is not an address or a network"
            " (such as 10.0.0.5 or 172.30.80.0/24)"
        ) from None
    return settings


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def proxy_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    """JUBAO_TRUSTED_PROXIES as networks (an address is a network of one); a ValueError names
    the entry that is neither."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ValueError(entry) from None
    return tuple(networks)


def sqlite_folder(database_url: str) -> Path | None:
    url = make_url(database_url)
    if not url.drivername.startswith("sqlite"):
        return None
    database = url.database or ""
    if database in ("", ":memory:"):
        return Path.cwd()
    return Path(database).expanduser().resolve().parent


def with_secrets(settings: Settings) -> Settings:
    """Fill in JUBAO_SECRET_KEY and JUBAO_IDENTITY_KEYS, generating them beside a SQLite file."""
    if settings.secret_key and settings.identity_keys:
        _check_identity_keys(settings.identity_keys)
        return settings
    folder = sqlite_folder(settings.database_url)
    if folder is None:
        missing = [
            f"JUBAO_{name.upper()}"
            for name in ("secret_key", "identity_keys")
            if not getattr(settings, name)
        ]
        raise ConfigError(f"with PostgreSQL, {' and '.join(missing)} must be set")
    stored = _stored_secrets(folder / SECRETS_FILE)
    settings = settings.replace(
        secret_key=settings.secret_key or stored["secret_key"],
        identity_keys=settings.identity_keys or tuple(stored["identity_keys"]),
    )
    _check_identity_keys(settings.identity_keys)
    return settings


def _stored_secrets(path: Path) -> dict:
    if path.exists():
        return tomllib.loads(path.read_text(encoding="utf-8"))
    path.parent.mkdir(parents=True, exist_ok=True)
    secret_key = secrets.token_urlsafe(32)
    identity_key = Fernet.generate_key().decode()
    text = (
        "# Generated by jubao on first run. Keep this file private and backed up:\n"
        "# without identity_keys the reporters' identities cannot be read.\n"
        f'secret_key = "{secret_key}"\n'
        f'identity_keys = ["{identity_key}"]\n'
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return {"secret_key": secret_key, "identity_keys": [identity_key]}


def _check_identity_keys(keys: tuple[str, ...]) -> None:
    for key in keys:
        try:
            Fernet(key)
        except ValueError:
            raise ConfigError(
                "JUBAO_IDENTITY_KEYS must be 32-byte keys in URL-safe base64, comma-separated"
            ) from None
