"""`jubao demo` as a newcomer runs it: a real process, from an unrelated folder."""

from __future__ import annotations

import itertools
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from jubao.demo import DEMO_MP
from jubao.demo.wechat import OfficialAccountSide

SIDE = OfficialAccountSide(DEMO_MP["mp_token"], DEMO_MP["mp_appid"], DEMO_MP["mp_aes_key"])
_msg_ids = itertools.count(42)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Demo:
    def __init__(self, base: str, process: subprocess.Popen[str]) -> None:
        self.base, self.process, self.lines = base, process, []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:  # type: ignore[union-attr]
            self.lines.append(line)

    def output(self) -> str:
        deadline = time.monotonic() + 10
        while not any("CTRL+C" in line for line in self.lines) and time.monotonic() < deadline:
            time.sleep(0.05)
        return "".join(self.lines)

    def say(self, openid: str, text: str) -> str:
        now = int(time.time())
        xml = SIDE.message(openid, "text", next(_msg_ids), now, Content=text)
        signed = SIDE.request(xml, timestamp=now)
        request = urllib.request.Request(f"{self.base}/wechat/mp?{signed.query}", signed.body)
        with urllib.request.urlopen(request) as response:
            return SIDE.read_reply(response.read().decode())

    def api(self, path: str, token: str, body: dict | None = None) -> dict:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.base}{path}",
            data,
            {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request) as response:
            return json.loads(response.read())


@pytest.fixture
def demo(tmp_path):  # type: ignore[no-untyped-def]
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUBAO_")}
    env["JUBAO_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'ignored.db'}"
    jubao = Path(sys.executable).parent / "jubao"
    process = subprocess.Popen(
        [str(jubao), "demo", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("jubao demo did not answer /healthz within 30 s")
        yield Demo(base, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def test_demo_files_a_report_and_routes_it_through_its_own_fake_wechat(demo, tmp_path):
    with urllib.request.urlopen(f"{demo.base}/healthz") as response:
        assert response.read() == b'{"status": "ok"}'
    with urllib.request.urlopen(f"{demo.base}/") as response:  # the landing page
        landing = response.read().decode()
    assert (
        'href="/console/"' in landing
        and "jubao-demo" in landing
        and "<code>wang</code>" in landing
        and 'href="/sim/"' in landing
    )
    output = demo.output()
    assert f"WeChat simulator: {demo.base}/sim/" in output
    assert f"Staff console: {demo.base}/console/" in output
    assert "spamtest" in output and f"{demo.base}/wechat/mp" in output
    assert f"{demo.base}/fake-wechat (the demo's fake)" in output
    token = re.search(r"^\s+wang\s+dispatcher\s+(\S+)$", output, re.M).group(1)

    assert "举报须知" in demo.say("o-demo", "举报")
    for answer in (
        "1",
        "塘桥镇",
        "宏达化工的危化品仓库",
        "仓库外堆满了油漆桶，消防通道被堵死。",
        "完成",
        "2",
    ):
        demo.say("o-demo", answer)
    number = re.search(r"举报编号：(\S+)", demo.say("o-demo", "1")).group(1)
    report = demo.api(f"/api/v1/reports/{number}/actions", token, {"action": "accept"})
    assert report["status"] == "assigned" and report["urgent"] is True

    database = Path(output.split("database (temporary): ")[1].split()[0])
    deadline = time.monotonic() + 10
    query = "SELECT channel, recipient, status FROM outbox WHERE text LIKE ?"
    while time.monotonic() < deadline:
        with sqlite3.connect(database) as connection:
            rows = list(connection.execute(query, (f"%{number}%",)))
        if rows and all(status == "sent" for _, _, status in rows):
            break
        time.sleep(0.2)
    sent = {(channel, recipient) for channel, recipient, status in rows if status == "sent"}
    assert ("work_group", None) in sent  # the group card
    assert ("work_app", report["assignee"]["wework_id"]) in sent  # the officer
    assert any(channel == "mp_custom" for channel, _ in sent)  # the reporter
    assert len(rows) == len(sent)  # every one sent, none twice
    assert not (tmp_path / "ignored.db").exists()

    demo.process.terminate()
    demo.process.wait(timeout=10)
    assert not database.parent.exists()  # the demo cleans up after itself
