"""Settings: defaults, TOML, environment precedence, and generated secrets."""

from __future__ import annotations

import stat

import pytest
from cryptography.fernet import Fernet

from jubao.config import SECRETS_FILE, ConfigError, Settings, load_settings, with_secrets


def test_defaults_give_a_local_service():
    settings = load_settings({})
    assert settings.database_url == "sqlite+aiosqlite:///./jubao.db"
    assert (settings.host, settings.port) == ("127.0.0.1", 8080)
    assert settings.report_prefix == "ZJG" and settings.timezone == "Asia/Shanghai"
    assert settings.scheduler is True


def test_environment_wins_over_the_toml_file(tmp_path):
    config = tmp_path / "jubao.toml"
    config.write_text('port = 9000\nreport_prefix = "SZ"\nscheduler = "off"\n', encoding="utf-8")
    settings = load_settings({"JUBAO_CONFIG": str(config), "JUBAO_PORT": "9100"})
    assert settings.port == 9100 and settings.report_prefix == "SZ"
    assert settings.scheduler is False


@pytest.mark.parametrize(
    ("environ", "complaint"),
    [
        ({"JUBAO_PORT": "eighty"}, "JUBAO_PORT"),
        ({"JUBAO_SCHEDULER": "maybe"}, "JUBAO_SCHEDULER"),
        ({"JUBAO_TIMEZONE": "Mars/Olympus"}, "JUBAO_TIMEZONE"),
        ({"JUBAO_TRUSTED_PROXIES": "10.0.0.5,proxy.local"}, "'proxy.local' is not an address"),
        ({"JUBAO_TRUSTED_PROXIES": "172.30.80.0/33"}, "JUBAO_TRUSTED_PROXIES"),
    ],
)
def test_bad_values_are_named(environ, complaint):
    with pytest.raises(ConfigError, match=complaint):
        load_settings(environ)


def test_unknown_toml_key_is_refused(tmp_path):
    config = tmp_path / "jubao.toml"
    config.write_text("colour = 'red'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="colour"):
        load_settings({"JUBAO_CONFIG": str(config)})


def test_secrets_are_generated_once_beside_the_sqlite_file(tmp_path):
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    first = with_secrets(settings)
    second = with_secrets(settings)
    path = tmp_path / SECRETS_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert first.secret_key and first.identity_keys
    assert (first.secret_key, first.identity_keys) == (second.secret_key, second.identity_keys)


def test_postgres_needs_its_secrets_given():
    settings = Settings(database_url="postgresql+asyncpg://db/jubao")
    with pytest.raises(ConfigError, match="JUBAO_IDENTITY_KEYS"):
        with_secrets(settings)
    given = settings.replace(secret_key="s", identity_keys=(Fernet.generate_key().decode(),))
    assert with_secrets(given) == given


def test_malformed_identity_key_is_refused():
    settings = Settings(
        database_url="postgresql+asyncpg://db/j", secret_key="s", identity_keys=("not-a-key",)
    )
    with pytest.raises(ConfigError, match="URL-safe base64"):
        with_secrets(settings)


def test_trusted_proxies_take_addresses_and_networks():
    settings = load_settings({"JUBAO_TRUSTED_PROXIES": "10.0.0.5, 172.30.80.0/24,fd00::/8"})
    assert settings.trusted_proxies == ("10.0.0.5", "172.30.80.0/24", "fd00::/8")
