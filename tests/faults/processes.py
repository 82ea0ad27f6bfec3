"""`jubao serve` and `jubao worker` as real processes (started from the venv's bin, as an
operator starts them); WeChat's API (the fake) served from a thread of its own on real loopback
ports, so those processes reach it whatever the test is doing; and a citizen who talks to one
or several web processes over HTTP as WeChat does: the same MsgId delivered again until it is
answered 200."""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

from jubao.config import Settings
from jubao.demo.fake_api import FakeWeChat
from jubao.demo.wechat import OfficialAccountSide

_msg_ids = itertools.count(8_100_000_000_000_000_001)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(settings: Settings, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUBAO_")}
    env |= {
        "JUBAO_DATABASE_URL": settings.database_url,
        "JUBAO_SECRET_KEY": settings.secret_key,
        "JUBAO_IDENTITY_KEYS": ",".join(settings.identity_keys),
        "JUBAO_MEDIA_DIR": settings.media_dir,
        "JUBAO_MP_TOKEN": settings.mp_token,
        "JUBAO_MP_APPID": settings.mp_appid,
        "JUBAO_MP_AES_KEY": settings.mp_aes_key,
        "JUBAO_MP_API_BASE": settings.mp_api_base,
        "JUBAO_WORK_API_BASE": settings.work_api_base,
        "JUBAO_SCHEDULER": "off",
    }
    for name in ("mp_secret", "work_corpid", "work_secret", "work_agentid", "work_chatid"):
        if value := getattr(settings, name):
            env[f"JUBAO_{name.upper()}"] = value
    return env | extra


ARRIVED_ON: ContextVar[int] = ContextVar("arrived_on", default=0)


@web.middleware
async def _arrival(request: web.Request, handler: Handler) -> web.StreamResponse:
    ARRIVED_ON.set(request.transport.get_extra_info("sockname")[1] if request.transport else 0)
    return await handler(request)


class FakeApiServer:
    """One FakeWeChat behind `ports` loopback ports, served by an event loop in its own thread:
    child processes reach it while the test blocks. Its listeners run in that thread, where
    ARRIVED_ON is the port the message came in on (give each process its own port to tell
    them apart); `fake.records` may be read from the test meanwhile."""

    def __init__(self, fake: FakeWeChat, ports: int = 1) -> None:
        self.fake = fake
        self.sockets = [socket.create_server(("127.0.0.1", 0)) for _ in range(ports)]
        self.ports = [sock.getsockname()[1] for sock in self.sockets]
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._serve, name="fake-wechat", daemon=True)
        self.ready = threading.Event()
        self.errors: list[BaseException] = []

    def url(self, n: int = 0) -> str:
        return f"http://127.0.0.1:{self.ports[n]}"

    def __enter__(self) -> FakeApiServer:
        self.thread.start()
        assert self.ready.wait(10) and not self.errors, self.errors
        return self

    def __exit__(self, *exc: Any) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        app = self.fake.make_app()
        app.middlewares.append(_arrival)
        runner = web.AppRunner(app, access_log=None)
        try:
            self.loop.run_until_complete(runner.setup())
            for sock in self.sockets:
                self.loop.run_until_complete(web.SockSite(runner, sock).start())
        except BaseException as error:
            self.errors.append(error)
            raise
        finally:
            self.ready.set()
        self.loop.run_forever()
        self.loop.run_until_complete(runner.cleanup())
        self.loop.close()


class Serve:
    """`jubao serve` on a loopback port (or `jubao worker`, with `options`): start, kill -9,
    start again."""

    def __init__(
        self, env: dict[str, str], cwd: Path, command: str = "serve", options: Sequence[str] = ()
    ) -> None:
        self.env, self.cwd, self.command, self.options = env, cwd, command, list(options)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.logs: list[Path] = []

    def start(self) -> None:
        log = self.cwd / f"{self.command}-{len(self.logs)}.log"
        self.logs.append(log)
        jubao = Path(sys.executable).parent / "jubao"
        args = [str(jubao), self.command, *self.options]
        if self.command == "serve":
            args += ["--port", str(self.port)]
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                args, cwd=self.cwd, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        if self.command == "serve":
            self.wait_healthy()

    def wait_healthy(self, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process and self.process.poll() is None, self.log_text()
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"jubao serve did not answer /healthz:\n{self.log_text()}")

    def kill(self) -> None:
        """kill -9: no shutdown, no cleanup, whatever was in flight is cut."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def log_text(self) -> str:
        return "\n".join(log.read_text(errors="replace") for log in self.logs if log.exists())


class Citizen:
    """One citizen's dialogue; `acknowledged` holds the MsgIds answered 200, `replies` what.
    Given several web processes' bases, his messages go to each in turn (a retry stays)."""

    def __init__(self, side: OfficialAccountSide, base: str | Sequence[str], openid: str) -> None:
        self.side, self.openid = side, openid
        self.bases = [base] if isinstance(base, str) else list(base)
        self.acknowledged: list[int] = []
        self.replies: list[str] = []
        self.statuses: list[int | str] = []

    def say(self, text: str, give_up_after: float = 60) -> str:
        msg_id = next(_msg_ids)
        base = self.bases[len(self.replies) % len(self.bases)]
        deadline = time.monotonic() + give_up_after
        while time.monotonic() < deadline:
            now = int(time.time())
            xml = self.side.message(self.openid, "text", msg_id, now, Content=text)
            signed = self.side.request(xml, timestamp=now)
            url = f"{base}/wechat/mp?{signed.query}"
            try:
                with urllib.request.urlopen(
                    urllib.request.Request(url, signed.body), timeout=5
                ) as r:
                    reply = self.side.read_reply(r.read().decode())
            except urllib.error.HTTPError as error:
                self.statuses.append(error.code)
            except OSError as error:  # refused, reset, timed out: WeChat tries again
                self.statuses.append(type(error).__name__)
            else:
                self.statuses.append(200)
                self.acknowledged.append(msg_id)
                self.replies.append(reply)
                return reply
            time.sleep(0.1)
        raise AssertionError(f"{self.openid}: {text!r} never answered 200: {self.statuses[-5:]}")
