"""A `jubao worker --heartbeat FILE` watched from a test: its next beat, and its health check
(`jubao worker --check-heartbeat FILE`, or the compose file's command for it) run as a process
until it fails. Async, so that a CuttableProxy in the test's event loop keeps relaying."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from tests.faults.processes import Serve

JUBAO = str(Path(sys.executable).parent / "jubao")
MAX_AGE = 6.0  # a little over one background tick (5 s): the tests need not wait 30 s


def check_command(path: Path, max_age: float = MAX_AGE) -> list[str]:
    return [JUBAO, "worker", "--check-heartbeat", str(path), "--max-age", f"{max_age:g}"]


async def exit_status(command: Sequence[str]) -> tuple[int, str]:
    """The command's exit status and its stderr."""
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode is not None
    return process.returncode, stderr.decode()


async def next_beat(path: Path, worker: Serve, seconds: float = 30) -> None:
    """Waits until the worker (re)writes its heartbeat file after this call."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert worker.process and worker.process.poll() is None, worker.log_text()
        if path.exists() and path.stat().st_mtime_ns != before:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"no heartbeat in {seconds:g} s:\n{worker.log_text()}")


async def until_unhealthy(command: Sequence[str], seconds: float = MAX_AGE + 20) -> str:
    """Runs the health check until it fails; its stderr then. Fails if it never does."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status, stderr = await exit_status(command)
        if status != 0:
            assert status == 1, stderr
            return stderr
        await asyncio.sleep(0.5)
    raise AssertionError(f"the health check still passes after {seconds:g} s")
