"""The servers bench.callback loads, each in a subprocess on a free loopback port: jubao (the
demo, or `jubao serve` on a given database) and the bare handler."""

from __future__ import annotations

import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.fernet import Fernet

from bench.callback_messages import check_reply, official_account
from bench.common import clean_environ, say
from jubao.demo import DEMO_MP

ROOT = Path(__file__).resolve().parent.parent
REGISTRY = ROOT / "jubao" / "demo" / "registry.yaml"
HOST = "127.0.0.1"
STARTUP_SECONDS = 60
STOP_SECONDS = 10


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def child_env(tmpdir: Path, **variables: str) -> dict[str, str]:
    """This environment without any JUBAO_* setting, quiet logs, temporary files in `tmpdir`."""
    return clean_environ(TMPDIR=str(tmpdir), PYTHONUNBUFFERED="1", **variables)


def jubao_command() -> list[str]:
    script = Path(sys.executable).with_name("jubao")
    return [str(script)] if script.exists() else [sys.executable, "-m", "jubao.cli"]


@contextmanager
def serving(argv: Sequence[str], env: dict[str, str], port: int, log: Path) -> Iterator[str]:
    """Run a server until the block ends (terminated, then killed); yields its base URL."""
    with serving_process(argv, env, port, log) as (base_url, _):
        yield base_url


@contextmanager
def serving_process(
    argv: Sequence[str], env: dict[str, str], port: int, log: Path
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """As serving(), yielding the process too (its pid, for its memory)."""
    base_url = f"http://{HOST}:{port}"
    with log.open("wb") as output:
        process = subprocess.Popen(
            list(argv),
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a Ctrl-C reaches us only; we stop the server in order
        )
        try:
            wait_healthy(process, base_url, log)
            yield base_url, process
        finally:
            stop(process)


def wait_healthy(process: subprocess.Popen[bytes], base_url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{tail(log)}")
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server not healthy after {STARTUP_SECONDS}s:\n{tail(log)}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(STOP_SECONDS)


def tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@dataclass(frozen=True)
class Target:
    name: str
    serve: list[str]  # the command, "{port}" filled in
    env: dict[str, str]
    prepare: list[list[str]] = field(default_factory=list)  # commands to run first


def serve_environment(workdir: Path, database_url: str, **more: str) -> dict[str, str]:
    """`jubao serve`'s environment on this database, as the demo's Official Account, with
    fresh secrets (a database the bench made: nothing encrypted before)."""
    return child_env(
        workdir,
        JUBAO_DATABASE_URL=database_url,
        JUBAO_SECRET_KEY=secrets.token_urlsafe(32),
        JUBAO_IDENTITY_KEYS=Fernet.generate_key().decode(),
        JUBAO_MP_TOKEN=DEMO_MP["mp_token"],
        JUBAO_MP_AES_KEY=DEMO_MP["mp_aes_key"],
        JUBAO_MP_APPID=DEMO_MP["mp_appid"],
        JUBAO_MEDIA_DIR=str(workdir / "media"),
        **more,
    )


def prepare_steps(jubao: list[str]) -> list[list[str]]:
    """A new database made ready for `jubao serve`: migrated, the demo registry loaded."""
    return [[*jubao, "db", "upgrade"], [*jubao, "registry", "load", str(REGISTRY)]]


def jubao_target(database_url: str, tmpdir: Path) -> Target:
    jubao = jubao_command()
    listen = ["--host", HOST, "--port", "{port}"]
    if not database_url:
        return Target("jubao /wechat/mp (SQLite)", [*jubao, "demo", *listen], child_env(tmpdir))
    env = serve_environment(tmpdir, database_url)
    serve = [*jubao, "serve", *listen]
    return Target("jubao /wechat/mp (PostgreSQL)", serve, env, prepare_steps(jubao))


def bare_target(tmpdir: Path) -> Target:
    argv = [sys.executable, "-m", "bench.callback", "--bare-server", "{port}"]
    return Target("bare aiohttp handler", argv, child_env(tmpdir))


def start(target: Target, workdir: Path, stack: ExitStack) -> str:
    """The target running until the stack closes, its reply checked; its base URL."""
    for command in target.prepare:
        subprocess.run(
            command, cwd=ROOT, env=target.env, stdout=sys.stderr, check=True, timeout=120
        )
    port = free_port()
    argv = [part.replace("{port}", str(port)) for part in target.serve]
    say(f"{target.name}: starting on port {port}")
    base_url = stack.enter_context(serving(argv, target.env, port, workdir / f"{slug(target)}.log"))
    check_reply(base_url, official_account())
    say(f"{target.name}: reply checked")
    return base_url


def slug(target: Target) -> str:
    return re.sub(r"\W+", "-", target.name).strip("-").lower()
