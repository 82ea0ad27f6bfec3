"""The machine a `python -m bench` run measured: printed above the table."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
from pathlib import Path


def cpu_model(cpuinfo: str) -> str:
    for line in cpuinfo.splitlines():
        if line.lower().startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def memory_gib(meminfo: str) -> float:
    for line in meminfo.splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024 / 1024
    return 0.0


def read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def wrk_version() -> str:
    try:
        done = subprocess.run(["wrk", "-v"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return "wrk ?"
    first = (done.stdout or done.stderr).splitlines()[:1]
    return " ".join(first[0].split()[:2]) if first else "wrk ?"


def describe(postgresql_version: str) -> str:
    """One line: CPU, cores, memory, the databases, Python, wrk, load at the start."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"machine: {cpu_model(read('/proc/cpuinfo'))}, {os.cpu_count()} cores, "
        f"{memory_gib(read('/proc/meminfo')):.1f} GiB; PostgreSQL {postgresql_version}; "
        f"SQLite {sqlite3.sqlite_version}; Python {platform.python_version()}; "
        f"{wrk_version()}; load average at start {load}"
    )
