"""The servers of `python -m bench`'s callback rows: jubao (`jubao serve`, scheduler off) on a
database URL, the bare handler, and WeRoBot under gunicorn from .bench-venv/ (made on first use:
WeRoBot and gunicorn are never the project's dependencies)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from contextlib import ExitStack
from pathlib import Path

from bench.bare_baseline import BARE_REPLY
from bench.callback_messages import PATH, check_reply, official_account, signed_reports
from bench.callback_servers import (
    HOST,
    ROOT,
    Target,
    child_env,
    free_port,
    jubao_command,
    prepare_steps,
    serve_environment,
    serving_process,
    slug,
)
from bench.common import say
from jubao.demo import DEMO_MP

BENCH_VENV = ROOT / ".bench-venv"
BENCH_PACKAGES = ("werobot==1.13.1", "gunicorn", "cryptography")
INSTALLED_MARK = BENCH_VENV / ".installed-werobot"


def bench_venv() -> Path:
    """.bench-venv/ with WeRoBot, gunicorn and cryptography (WeRoBot's encrypted mode needs it),
    made the first time; its bin folder."""
    if not INSTALLED_MARK.exists():
        say(f"making {BENCH_VENV} with {', '.join(BENCH_PACKAGES)} (first use)")
        subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
        pip = [str(BENCH_VENV / "bin" / "python"), "-m", "pip", "install", "-q"]
        subprocess.run([*pip, *BENCH_PACKAGES], check=True, stdout=sys.stderr)
        INSTALLED_MARK.touch()
    return BENCH_VENV / "bin"


def werobot_target(workdir: Path) -> Target:
    """WeRoBot (bench/werobot_app.py) under gunicorn, one sync worker per core, its SQLite
    session storage in the run's folder."""
    env = child_env(
        workdir,
        WEROBOT_TOKEN=DEMO_MP["mp_token"],
        WEROBOT_AES_KEY=DEMO_MP["mp_aes_key"],
        WEROBOT_APP_ID=DEMO_MP["mp_appid"],
        WEROBOT_SESSION_FILE=str(workdir / "werobot_session.sqlite3"),
        WEROBOT_REPLY=BARE_REPLY,
    )
    workers = os.cpu_count() or 1
    argv = [
        str(bench_venv() / "gunicorn"),
        "-w",
        str(workers),
        "-b",
        f"{HOST}:{{port}}",
        "--chdir",
        str(ROOT / "bench"),
        "werobot_app:app",
    ]
    return Target(f"WeRoBot, gunicorn -w {workers}, SQLite session", argv, env)


def jubao_serve_target(name: str, database_url: str, workdir: Path, *, prepare: bool) -> Target:
    """`jubao serve` with the scheduler off (as a web process of a scaled deployment) on this
    database; `prepare`: migrate and load the demo registry first."""
    jubao = jubao_command()
    env = serve_environment(workdir, database_url, JUBAO_SCHEDULER="off")
    serve = [*jubao, "serve", "--host", HOST, "--port", "{port}"]
    return Target(name, serve, env, prepare_steps(jubao) if prepare else [])


def start(target: Target, workdir: Path, stack: ExitStack) -> tuple[str, int]:
    """The target running until the stack closes, one reply decrypted and checked (signature,
    app id, the notice's text); its base URL and pid."""
    for command in target.prepare:
        subprocess.run(
            command, cwd=ROOT, env=target.env, stdout=sys.stderr, check=True, timeout=300
        )
    port = free_port()
    argv = [part.replace("{port}", str(port)) for part in target.serve]
    say(f"{target.name}: starting on port {port}")
    log = workdir / f"{slug(target)}-{port}.log"
    base_url, process = stack.enter_context(serving_process(argv, target.env, port, log))
    check_reply(base_url, official_account())
    check_refuses_forgery(base_url)
    say(f"{target.name}: reply decrypted and checked, a forged signature refused")
    return base_url, process.pid


def check_refuses_forgery(base_url: str) -> None:
    """A message whose msg_signature is not the token's must get no encrypted answer: the
    target really checks the message's signature (WeRoBot answers 500, jubao 4xx)."""
    (signed,) = signed_reports(1, official_account())
    query = re.sub(r"msg_signature=[0-9a-f]+", "msg_signature=" + "0" * 40, signed.query)
    if query == signed.query:
        raise RuntimeError("no msg_signature in the signed request to forge")
    request = urllib.request.Request(
        f"{base_url}{PATH}?{query}", data=signed.body, method="POST",
        headers={"Content-Type": "text/xml"},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read().decode(errors="replace")
    except urllib.error.HTTPError:
        return
    if "<Encrypt>" in body:
        raise RuntimeError(f"{base_url} answered a message with a forged signature")
