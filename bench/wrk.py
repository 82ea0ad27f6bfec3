"""Driving wrk with bench/callback.lua, which sends each prepared request once, and reading what
it reports."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from bench.callback_messages import PATH

LUA_SCRIPT = Path(__file__).with_name("callback.lua")


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
PACE_LINE = re.compile(r"^PACE (.*)$", re.MULTILINE)
PACED_SCRIPT = Path(__file__).with_name("paced.lua")


def parse_wrk(stdout: str) -> dict[str, int]:
    """The figures of the script's BENCH line, and of its PACE line if there is one."""
    match = BENCH_LINE.search(stdout)
    if match is None:
        raise ValueError("no BENCH line in wrk's output")
    lines = [match.group(1)] + [m.group(1) for m in PACE_LINE.finditer(stdout)]
    return {
        key: int(float(value)) for line in lines for key, value in re.findall(r"(\w+)=(\S+)", line)
    }


def run_wrk(
    base_url: str, requests_file: Path, load: Load, rate: float | None = None
) -> dict[str, int]:
    """One wrk run as fast as the server answers, or with `rate` at that many requests/s."""
    script, extra = (LUA_SCRIPT, []) if rate is None else (PACED_SCRIPT, [str(round(rate))])
    argv = [
        "wrk",
        "-t1",
        f"-c{load.connections}",
        f"-d{load.duration}s",
        f"--timeout={load.timeout}s",
        "--latency",
        "-s",
        str(script),
        f"{base_url}{PATH}",
        "--",
        str(requests_file),
        *extra,
    ]
    done = subprocess.run(
        argv, capture_output=True, text=True, timeout=load.duration + 60, check=False
    )
    if done.returncode != 0 or BENCH_LINE.search(done.stdout) is None:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return parse_wrk(done.stdout)


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
