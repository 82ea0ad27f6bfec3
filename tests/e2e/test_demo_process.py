"""`jubao demo` as a newcomer runs it: a real process, from an unrelated folder."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from jubao.demo import DEMO_MP
from jubao.demo.wechat import OfficialAccountSide


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
        yield base, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def test_demo_answers_a_citizen_and_ignores_the_configured_database(demo, tmp_path):
    base, process = demo
    with urllib.request.urlopen(f"{base}/healthz") as response:
        assert response.read() == b'{"status": "ok"}'
    side = OfficialAccountSide(DEMO_MP["mp_token"], DEMO_MP["mp_appid"], DEMO_MP["mp_aes_key"])
    now = int(time.time())
    signed = side.request(side.message("o-demo", "text", 42, now, Content="举报"), timestamp=now)
    request = urllib.request.Request(f"{base}/wechat/mp?{signed.query}", data=signed.body)
    with urllib.request.urlopen(request) as response:
        assert "举报须知" in side.read_reply(response.read().decode())
    assert not (tmp_path / "ignored.db").exists()
    process.terminate()
    output = process.communicate(timeout=10)[0]
    assert "spamtest" in output and f"{base}/wechat/mp" in output
    database = Path(output.split("database (temporary): ")[1].split()[0])
    assert not database.parent.exists()  # the demo cleans up after itself
