"""`jubao serve` as a real process (started from the venv's bin, as an operator starts it), and
a citizen who talks to it over HTTP as WeChat does: the same MsgId delivered again until it is
answered 200."""

from __future__ import annotations

import itertools
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from jubao.config import Settings
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
    return env | extra


class Serve:
    """`jubao serve` on a loopback port: start, kill -9, start again."""

    def __init__(self, env: dict[str, str], cwd: Path, command: str = "serve") -> None:
        self.env, self.cwd, self.command = env, cwd, command
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.logs: list[Path] = []

    def start(self) -> None:
        log = self.cwd / f"{self.command}-{len(self.logs)}.log"
        self.logs.append(log)
        jubao = Path(sys.executable).parent / "jubao"
        args = [str(jubao), self.command]
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
    """One citizen's dialogue; `acknowledged` holds the MsgIds answered 200, `replies` what."""

    def __init__(self, side: OfficialAccountSide, base: str, openid: str) -> None:
        self.side, self.base, self.openid = side, base, openid
        self.acknowledged: list[int] = []
        self.replies: list[str] = []
        self.statuses: list[int | str] = []

    def say(self, text: str, give_up_after: float = 60) -> str:
        msg_id = next(_msg_ids)
        deadline = time.monotonic() + give_up_after
        while time.monotonic() < deadline:
            now = int(time.time())
            xml = self.side.message(self.openid, "text", msg_id, now, Content=text)
            signed = self.side.request(xml, timestamp=now)
            url = f"{self.base}/wechat/mp?{signed.query}"
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
