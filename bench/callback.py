"""Benchmark of POST /wechat/mp: encrypted 举报 messages from distinct citizens, driven by wrk.

    python -m bench.callback [--duration 10] [--connections 32] [--rounds 3] [--requests N]
                             [--json] [--database-url postgresql+asyncpg://...]

Two targets, each in its own subprocess on a free loopback port, both running for the whole
benchmark, loaded in turn (`--rounds` rounds of one load each, the order swapped every round),
each load with fresh messages (new openids, new MsgIds, current timestamps; every message is
sent once, since a repeated MsgId is a retry):

- jubao itself: `jubao demo` (a new temporary SQLite database with the demo towns and the demo
  Official Account), or with --database-url `jubao serve` on that database after
  `jubao db upgrade` and `jubao registry load` (use a scratch database: rows are left behind);
- a bare aiohttp handler (`--bare-server PORT`, below) doing the same protocol work minus the
  database: the same checks, wechatpy's decryption and parse, a fixed reply of the same text as
  jubao's first answer, encrypted.

Once each server is up a single message is sent and its reply decrypted to check it really is
the report notice; during each load the wrk script (bench/callback.lua) counts non-200 responses
and 200s without an encrypted reply. Prints req/s, p50, p99 and errors for every load, each
round's ratio and their median: this machine's speed drifts by a quarter within minutes, and a
ratio of two loads seconds apart, the median of several, holds still where one pair did not.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from aiohttp import web
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.replies import TextReply

from bot import texts
from bot.protocol import (
    MAX_BODY_BYTES,
    Refusal,
    cdata_safe,
    check_signature,
    check_timestamp,
    parse_xml,
    require,
)
from jubao.demo import DEMO_MP
from jubao.demo.wechat import OfficialAccountSide, SignedRequest

ROOT = Path(__file__).resolve().parent.parent
LUA_SCRIPT = Path(__file__).with_name("callback.lua")
REGISTRY = ROOT / "jubao" / "demo" / "registry.yaml"
HOST = "127.0.0.1"
PATH = "/wechat/mp"
NOTICE_MARK = "举报须知"  # in jubao's answer to 举报
STARTUP_SECONDS = 60
STOP_SECONDS = 10
# Fresh messages per target when --requests is not given: duration x this rate, at least
# MIN_REQUESTS; well above what one Python process answers here. Should a run use them all, the
# wrk script stops, says so, and the rate is taken over the time until then.
HEADROOM_RATE = 3_000
MIN_REQUESTS = 20_000


# --- the bare handler: the same protocol work as jubao's callback, without the database ---

BARE_REPLY = f"{texts.NOTICE}\n\n{texts.CATEGORY_QUESTION}"  # jubao's answer to a first 举报


@dataclass(frozen=True)
class BareAccount:
    token: str
    crypto: WeChatCrypto


BARE = web.AppKey("bare", BareAccount)


async def bare_callback(request: web.Request) -> web.Response:
    account = request.app[BARE]
    now = datetime.now(UTC)
    try:
        message, nonce = await bare_read(request, account, now)
    except Refusal as refusal:
        return web.Response(status=refusal.status, text=refusal.reason)
    stamp = int(now.timestamp())
    xml = TextReply(
        source=message.target, target=message.source, content=cdata_safe(BARE_REPLY), time=stamp
    ).render()
    encrypted = account.crypto.encrypt_message(xml, nonce, str(stamp))
    return web.Response(text=encrypted, content_type="application/xml")


async def bare_read(
    request: web.Request, account: BareAccount, now: datetime
) -> tuple[object, str]:
    """The parsed message and the request's nonce; the same checks, in the same order, as jubao."""
    signature, timestamp, nonce, msg_signature = require(
        request.query, "signature", "timestamp", "nonce", "msg_signature"
    )
    if request.query.get("encrypt_type") != "aes":
        raise Refusal(400, "safe mode: only AES-encrypted messages are accepted")
    check_timestamp(timestamp, now)
    if (request.content_length or 0) > MAX_BODY_BYTES:
        raise Refusal(413, "body over 1 MB")
    outer = parse_xml(await request.read())
    check_signature(signature, account.token, timestamp, nonce)
    encrypted = outer.get("Encrypt") or ""
    check_signature(msg_signature, account.token, timestamp, nonce, encrypted)
    try:
        inner = account.crypto.decrypt_message(
            {"Encrypt": encrypted}, msg_signature, timestamp, nonce
        )
    except Exception:
        raise Refusal(400, "message cannot be decrypted") from None
    parse_xml(inner.encode())  # jubao parses the inner document the hardened way first, too
    return parse_message(inner), nonce


async def bare_healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def bare_app() -> web.Application:
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    token = DEMO_MP["mp_token"]
    app[BARE] = BareAccount(token, WeChatCrypto(token, DEMO_MP["mp_aes_key"], DEMO_MP["mp_appid"]))
    app.router.add_get("/healthz", bare_healthz)
    app.router.add_post(PATH, bare_callback)
    return app


def run_bare_server(port: int) -> None:
    web.run_app(bare_app(), host=HOST, port=port, access_log=None, print=None)


# --- messages ---


def official_account() -> OfficialAccountSide:
    return OfficialAccountSide(DEMO_MP["mp_token"], DEMO_MP["mp_appid"], DEMO_MP["mp_aes_key"])


def signed_reports(count: int, side: OfficialAccountSide) -> list[SignedRequest]:
    """`count` encrypted 举报 messages from as many new citizens, stamped now, new MsgIds."""
    tag = secrets.token_hex(6)  # openids and MsgIds new on every run, even on a kept database
    first_msg_id = 2**61 + secrets.randbelow(2**60)
    now = int(time.time())
    signed = []
    for n in range(count):
        openid = f"oBench{tag}{n:010d}"  # 28 characters, as WeChat's
        xml = side.message(openid, "text", first_msg_id + n, now, Content="举报")
        signed.append(side.request(xml, timestamp=now))
    return signed


def write_requests(path: Path, signed: Sequence[SignedRequest]) -> None:
    """One request a line for bench/callback.lua: query, tab, body (single-line XML)."""
    with path.open("w", encoding="utf-8") as handle:
        for request in signed:
            body = request.body.decode()
            if "\n" in body or "\t" in body:
                raise RuntimeError("a request body does not fit on one line")
            handle.write(f"{request.query}\t{body}\n")


def check_reply(base_url: str, side: OfficialAccountSide) -> str:
    """Send one fresh message and decrypt the answer; it must be the report notice."""
    (signed,) = signed_reports(1, side)
    request = urllib.request.Request(
        f"{base_url}{PATH}?{signed.query}",
        data=signed.body,
        headers={"Content-Type": "text/xml"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read().decode()
    try:
        reply = side.read_reply(body)
    except ValueError as error:
        raise RuntimeError(f"the reply to 举报 cannot be read: {error}") from None
    if NOTICE_MARK not in reply:
        raise RuntimeError(f"unexpected reply to 举报: {reply[:200]!r}")
    return reply


# --- subprocesses ---


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def child_env(tmpdir: Path, **variables: str) -> dict[str, str]:
    """This environment without any JUBAO_* setting, quiet logs, temporary files in `tmpdir`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUBAO_")}
    env.update(JUBAO_LOG_LEVEL="WARNING", TMPDIR=str(tmpdir), PYTHONUNBUFFERED="1")
    env.update(variables)
    return env


def jubao_command() -> list[str]:
    script = Path(sys.executable).with_name("jubao")
    return [str(script)] if script.exists() else [sys.executable, "-m", "jubao.cli"]


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


@contextmanager
def serving(argv: Sequence[str], env: dict[str, str], port: int, log: Path) -> Iterator[str]:
    """Run a server until the block ends (terminated, then killed); yields its base URL."""
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
            yield base_url
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


# --- wrk ---


@dataclass(frozen=True)
class Load:
    duration: int
    connections: int
    timeout: int


@dataclass
class Result:
    name: str
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int
    responses: int
    non_2xx: int
    socket_errors: int
    bad_replies: int
    messages_available: int
    exhausted: bool
    wrk: dict[str, int] = field(repr=False)


BENCH_LINE = re.compile(r"^BENCH (.*)$", re.MULTILINE)


def run_wrk(base_url: str, requests_file: Path, load: Load) -> dict[str, int]:
    argv = [
        "wrk",
        "-t1",
        f"-c{load.connections}",
        f"-d{load.duration}s",
        f"--timeout={load.timeout}s",
        "--latency",
        "-s",
        str(LUA_SCRIPT),
        f"{base_url}{PATH}",
        "--",
        str(requests_file),
    ]
    done = subprocess.run(
        argv, capture_output=True, text=True, timeout=load.duration + 60, check=False
    )
    match = BENCH_LINE.search(done.stdout)
    if done.returncode != 0 or match is None:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return {key: int(float(value)) for key, value in re.findall(r"(\w+)=(\S+)", match.group(1))}


def to_result(name: str, wrk: dict[str, int]) -> Result:
    exhausted = bool(wrk["exhausted"])
    if exhausted and wrk["active_us"] > 0:
        # wrk divides by the whole duration, idle rest included; use the active time instead
        rate = wrk["answered_at_stop"] / (wrk["active_us"] / 1e6)
    else:
        rate = wrk["requests"] / (wrk["duration_us"] / 1e6)
    socket_errors = wrk["connect"] + wrk["read"] + wrk["write"] + wrk["timeout"]
    return Result(
        name=name,
        requests_per_s=round(rate, 1),
        p50_ms=round(wrk["p50_us"] / 1000, 2),
        p99_ms=round(wrk["p99_us"] / 1000, 2),
        errors=wrk["non2xx"] + socket_errors + wrk["bad"],
        responses=wrk["requests"],
        non_2xx=wrk["non2xx"],
        socket_errors=socket_errors,
        bad_replies=wrk["bad"],
        messages_available=wrk["available"] - 1,  # wrk takes the first to check the script
        exhausted=exhausted,
        wrk=wrk,
    )


# --- targets ---


@dataclass(frozen=True)
class Target:
    name: str
    serve: list[str]  # the command, "{port}" filled in
    env: dict[str, str]
    prepare: list[list[str]] = field(default_factory=list)  # commands to run first


def jubao_target(database_url: str, tmpdir: Path) -> Target:
    jubao = jubao_command()
    listen = ["--host", HOST, "--port", "{port}"]
    if not database_url:
        return Target("jubao /wechat/mp (SQLite)", [*jubao, "demo", *listen], child_env(tmpdir))
    from cryptography.fernet import Fernet

    env = child_env(
        tmpdir,
        JUBAO_DATABASE_URL=database_url,
        JUBAO_SECRET_KEY=secrets.token_urlsafe(32),
        JUBAO_IDENTITY_KEYS=Fernet.generate_key().decode(),
        JUBAO_MP_TOKEN=DEMO_MP["mp_token"],
        JUBAO_MP_AES_KEY=DEMO_MP["mp_aes_key"],
        JUBAO_MP_APPID=DEMO_MP["mp_appid"],
        JUBAO_MEDIA_DIR=str(tmpdir / "media"),
    )
    prepare = [[*jubao, "db", "upgrade"], [*jubao, "registry", "load", str(REGISTRY)]]
    return Target("jubao /wechat/mp (PostgreSQL)", [*jubao, "serve", *listen], env, prepare)


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


def load_round(target: Target, base_url: str, load: Load, count: int, workdir: Path) -> Result:
    """One wrk run of `load` on a running target, with `count` fresh messages."""
    requests_file = workdir / f"{slug(target)}.requests"
    write_requests(requests_file, signed_reports(count, official_account()))
    say(f"{target.name}: wrk -t1 -c{load.connections} -d{load.duration}s")
    result = to_result(target.name, run_wrk(base_url, requests_file, load))
    if result.exhausted:
        say(f"{target.name}: all {count} messages used before the end; rate from active time")
    return result


# --- report ---


@dataclass(frozen=True)
class Round:
    jubao: Result
    bare: Result

    @property
    def ratio(self) -> float:
        bare = self.bare.requests_per_s
        return self.jubao.requests_per_s / bare if bare else 0.0


def median_ratio(rounds: Sequence[Round]) -> float:
    return statistics.median(r.ratio for r in rounds)


def table(rounds: Sequence[Round]) -> str:
    width = max(len(r.jubao.name) for r in rounds)
    header = f"{'round':<5}  {'target':<{width}}  {'req/s':>9}  {'p50 ms':>8}  {'p99 ms':>8}"
    lines = [f"{header}  {'errors':>6}  {'ratio':>5}"]
    for number, one in enumerate(rounds, 1):
        for result in (one.jubao, one.bare):
            flag = "  (messages exhausted)" if result.exhausted else ""
            mark = f"{one.ratio:>5.2f}" if result is one.jubao else " " * 5
            lines.append(
                f"{number:<5}  {result.name:<{width}}  {result.requests_per_s:>9.1f}"
                f"  {result.p50_ms:>8.2f}  {result.p99_ms:>8.2f}  {result.errors:>6}  {mark}{flag}"
            )
    spread = sorted(r.ratio for r in rounds)
    lines.append(
        f"ratio (jubao/bare), median of {len(rounds)} rounds: {median_ratio(rounds):.2f}"
        f" (range {spread[0]:.2f}-{spread[-1]:.2f}; target >= 0.5)"
    )
    return "\n".join(lines)


def as_json(rounds: Sequence[Round], load: Load) -> str:
    document = {
        "load": asdict(load) | {"threads": 1},
        "rounds": [
            {"jubao": asdict(r.jubao), "bare": asdict(r.bare), "ratio": round(r.ratio, 3)}
            for r in rounds
        ],
        "ratio": round(median_ratio(rounds), 3),
        "target_ratio": 0.5,
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


# --- command line ---


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.callback",
        description="POST /wechat/mp under wrk: jubao against a bare aiohttp handler",
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds per target (10)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (32)")
    parser.add_argument("--timeout", type=int, default=5, help="wrk request timeout, s (5)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of jubao then bare (3)")
    parser.add_argument(
        "--requests",
        type=int,
        help=f"fresh messages per target (default: duration x {HEADROOM_RATE}, "
        f"at least {MIN_REQUESTS})",
    )
    parser.add_argument(
        "--database-url",
        default="",
        help="benchmark `jubao serve` on this (scratch) PostgreSQL database instead of the demo",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--bare-server", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if min(args.duration, args.connections, args.timeout, args.rounds) < 1:
        parser.error("--duration, --connections, --timeout and --rounds must be at least 1")
    if args.requests is not None and args.requests < 2:
        parser.error("--requests must be at least 2")
    return args


def interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.bare_server:
        run_bare_server(args.bare_server)
        return 0
    if shutil.which("wrk") is None:
        say("bench.callback: wrk is not installed (apt-get install wrk)")
        return 1
    signal.signal(signal.SIGTERM, interrupt)  # so that the servers and wrk are stopped as well
    load = Load(args.duration, args.connections, args.timeout)
    count = args.requests or max(MIN_REQUESTS, math.ceil(args.duration * HEADROOM_RATE))
    try:
        rounds = run_all(args.database_url, load, count, args.rounds)
    except KeyboardInterrupt:
        say("bench.callback: interrupted")
        return 130
    except (RuntimeError, subprocess.SubprocessError, OSError) as error:
        say(f"bench.callback: {error}")
        return 1
    print(as_json(rounds, load) if args.json else table(rounds))
    return 0


def run_all(database_url: str, load: Load, count: int, rounds: int) -> list[Round]:
    """Both servers up at once, then `rounds` rounds of one load each, jubao and bare in turn:
    each ratio compares two runs a few seconds apart, so a slower spell of this shared machine
    weighs on both sides of it."""
    with tempfile.TemporaryDirectory(prefix="jubao-bench-") as folder, ExitStack() as stack:
        workdir = Path(folder)
        jubao, bare = jubao_target(database_url, workdir), bare_target(workdir)
        urls = {target.name: start(target, workdir, stack) for target in (jubao, bare)}
        results = []
        for number in range(1, rounds + 1):
            say(f"round {number} of {rounds}")
            order = (jubao, bare) if number % 2 else (bare, jubao)  # neither always goes first
            done = {t.name: load_round(t, urls[t.name], load, count, workdir) for t in order}
            results.append(Round(done[jubao.name], done[bare.name]))
        return results


if __name__ == "__main__":
    sys.exit(main())
