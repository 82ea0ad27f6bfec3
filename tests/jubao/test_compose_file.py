"""docker-compose.yml and .env.example as an operator runs them (there is no Docker engine here):
every `jubao` command is one the CLI has, every JUBAO_* variable a setting, the order is
postgres -> migrate -> web and worker, no password is written in the file, and the health
checks, run as written, tell a live `jubao serve` / `jubao worker` from a dead one."""

from __future__ import annotations

import ipaddress
import os
import re
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest
import yaml

from jubao.cli import build_parser
from jubao.config import Settings, load_settings
from tests.faults.heartbeats import JUBAO, MAX_AGE, exit_status, next_beat, until_unhealthy
from tests.faults.processes import Serve

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_TEXT = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
COMPOSE = yaml.safe_load(COMPOSE_TEXT)
SERVICES = COMPOSE["services"]
IMAGE = "jubao:local"
JUBAO_SERVICES = sorted(name for name, s in SERVICES.items() if s.get("image") == IMAGE)
SETTING_NAMES = {f"JUBAO_{field.name.upper()}" for field in fields(Settings)} | {"JUBAO_CONFIG"}
INTERPOLATION = re.compile(r"\$\{(\w+)(?::?[-?][^}]*)?\}")


def env_example() -> dict[str, str]:
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    pairs = (line.split("=", 1) for line in lines if line.strip() and not line.startswith("#"))
    return {name.strip(): value.strip() for name, value in pairs}


def interpolated(value: str, variables: dict[str, str]) -> str:
    """`${NAME}`, `${NAME:?message}`, `${NAME:-default}` as compose fills them in."""

    def fill(match: re.Match[str]) -> str:
        default = match.group(0).partition(":-")[2].rstrip("}") if ":-" in match.group(0) else ""
        return variables.get(match.group(1)) or default

    return INTERPOLATION.sub(fill, value)


def service_environment(name: str) -> dict[str, str]:
    """What the container sees: .env (env_file) under the service's `environment:`."""
    variables = env_example()
    service_env = {
        k: interpolated(str(v), variables) for k, v in SERVICES[name]["environment"].items()
    }
    return variables | service_env


def test_the_image_is_built_once_and_shared() -> None:
    assert set(JUBAO_SERVICES) == {"migrate", "web", "worker"}
    built = [name for name, service in SERVICES.items() if "build" in service]
    assert built == ["migrate"], "one service builds jubao:local, the others use it"
    for name in ("web", "worker"):
        assert SERVICES[name]["pull_policy"] == "never", f"{name} would try to pull {IMAGE}"


@pytest.mark.parametrize("name", JUBAO_SERVICES)
def test_every_jubao_command_is_one_the_cli_has(name: str) -> None:
    command = SERVICES[name]["command"]
    assert command[0] == "jubao"
    args = build_parser().parse_args(command[1:])  # a usage error exits the test
    assert hasattr(args, "command"), f"`{' '.join(command)}` only prints help"
    assert (
        args.command
        == {
            "migrate": "database:upgrade",
            "web": "server:serve",
            "worker": "server:worker",
        }[name]
    )


def test_every_jubao_variable_is_a_setting() -> None:
    used = set(re.findall(r"\bJUBAO_[A-Z0-9_]+", COMPOSE_TEXT)) | {
        name for name in env_example() if name.startswith("JUBAO_")
    }
    assert used, "no JUBAO_* variable found"
    assert used <= SETTING_NAMES, f"not settings: {sorted(used - SETTING_NAMES)}"


def test_every_variable_the_compose_file_interpolates_is_in_env_example() -> None:
    wanted = set(INTERPOLATION.findall(COMPOSE_TEXT))
    assert "POSTGRES_PASSWORD" in wanted
    assert wanted <= set(env_example()), f"missing in .env.example: {wanted - set(env_example())}"


@pytest.mark.parametrize("name", JUBAO_SERVICES)
def test_each_service_configuration_loads(name: str) -> None:
    settings = load_settings(service_environment(name))
    assert settings.database_url.startswith("postgresql+asyncpg://jubao:change-me@postgres:5432/")
    assert settings.media_dir == "/data/media"


def test_postgres_16_is_healthy_before_the_migration_and_web_and_worker_wait_for_it() -> None:
    postgres = SERVICES["postgres"]
    assert postgres["image"] == "postgres:16"
    assert postgres["healthcheck"]["test"][1] == "pg_isready"
    assert postgres["restart"] == "unless-stopped"
    assert postgres["volumes"] == ["pgdata:/var/lib/postgresql/data"]
    assert "pgdata" in COMPOSE["volumes"]
    migrate = SERVICES["migrate"]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    for name in ("web", "worker"):
        assert SERVICES[name]["depends_on"] == {
            "migrate": {"condition": "service_completed_successfully"}
        }, f"{name} may start before the schema is migrated"
        assert SERVICES[name]["restart"] == "unless-stopped"


def test_no_password_is_written_in_the_compose_file() -> None:
    password = SERVICES["postgres"]["environment"]["POSTGRES_PASSWORD"]
    assert password.startswith("${POSTGRES_PASSWORD:?"), "a missing password must stop compose"
    for name in JUBAO_SERVICES:
        url = SERVICES[name]["environment"]["JUBAO_DATABASE_URL"]
        written = re.match(r"postgresql://jubao:(.*)@postgres:5432/jubao$", url)
        assert written and INTERPOLATION.fullmatch(written.group(1)), url
    for line in COMPOSE_TEXT.splitlines():
        if re.search(r"(PASSWORD|SECRET|_KEY|TOKEN)\w*\s*[:=]\s*\S", line):
            assert "${" in line, f"a literal secret: {line.strip()}"


def test_web_runs_no_scheduler_publishes_no_port_and_trusts_only_the_proxy() -> None:
    web, proxy = SERVICES["web"], SERVICES["proxy"]
    assert load_settings(service_environment("web")).scheduler is False
    assert load_settings(service_environment("worker")).scheduler is True
    assert "ports" not in web, "a fixed host port breaks `docker compose up --scale web=N`"
    assert web["expose"] == ["8080"]
    address = proxy["networks"]["default"]["ipv4_address"]
    subnet = COMPOSE["networks"]["default"]["ipam"]["config"][0]["subnet"]
    assert ipaddress.ip_address(address) in ipaddress.ip_network(subnet)
    assert address in load_settings(service_environment("web")).trusted_proxies
    mounted = proxy["volumes"][0].split(":")[0]
    nginx = (ROOT / mounted).read_text(encoding="utf-8")
    assert "set $web http://web:8080;" in nginx and "resolver 127.0.0.11" in nginx


def health_command(name: str, replace: tuple[str, str] = ("", "")) -> list[str]:
    """The service's health check as Docker runs it, with this venv's Python or jubao."""
    kind, program, *arguments = SERVICES[name]["healthcheck"]["test"]
    assert kind == "CMD" and program in ("python", "jubao")
    found = {"python": sys.executable, "jubao": JUBAO}[program]
    return [found, *(part.replace(*replace) for part in arguments)]


def option_value(command: list[str], option: str) -> str:
    assert option in command, f"{option} missing from {command}"
    return command[command.index(option) + 1]


def test_the_worker_health_check_reads_the_heartbeat_the_worker_writes_and_starts_nothing() -> None:
    command, check = SERVICES["worker"]["command"], SERVICES["worker"]["healthcheck"]["test"]
    written = option_value(command, "--heartbeat")
    assert option_value(check, "--check-heartbeat") == written
    assert written.startswith("/tmp/"), "the image's user jubao may write only /tmp and /data"
    args = build_parser().parse_args(check[2:])
    assert args.command == "heartbeat:check", "the check would start a worker"
    assert args.max_age == float(option_value(check, "--max-age")) >= 30  # six ticks


def sqlite_environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUBAO_")}
    return env | {
        "JUBAO_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'jubao.db'}",
        "JUBAO_MEDIA_DIR": str(tmp_path / "media"),
        "JUBAO_SCHEDULER": "off",
        **extra,
    }


def test_the_web_health_check_passes_on_a_live_serve_and_fails_without_it(tmp_path) -> None:
    serve = Serve(sqlite_environment(tmp_path), tmp_path)
    check_env = sqlite_environment(tmp_path, JUBAO_PORT=str(serve.port))
    serve.start()  # waits for /healthz
    try:
        ran = subprocess.run(health_command("web"), env=check_env, capture_output=True, timeout=30)
        assert ran.returncode == 0, ran.stderr.decode()
    finally:
        serve.stop()
    ran = subprocess.run(health_command("web"), env=check_env, capture_output=True, timeout=30)
    assert ran.returncode != 0, "healthy with no server listening"


async def test_the_worker_health_check_passes_while_it_beats_and_fails_once_it_is_gone(
    tmp_path,
) -> None:
    named = option_value(SERVICES["worker"]["command"], "--heartbeat")
    here = (named, str(tmp_path / "worker.heartbeat"))  # the container's /tmp
    options = [part.replace(*here) for part in SERVICES["worker"]["command"][2:]]
    check = health_command("worker", here)
    check[check.index("--max-age") + 1] = f"{MAX_AGE:g}"
    worker = Serve(sqlite_environment(tmp_path), tmp_path, command="worker", options=options)
    worker.start()
    try:
        await next_beat(Path(here[1]), worker)
        status, stderr = await exit_status(check)
        assert status == 0, stderr + worker.log_text()
    finally:
        worker.kill()
    stderr = await until_unhealthy(check)
    assert stderr.startswith("jubao: the worker's last heartbeat is") and stderr.count("\n") == 1
