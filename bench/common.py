"""What more than one bench uses: progress lines, elapsed time, a child's environment."""

from __future__ import annotations

import os
import sys
import time


def say(message: str) -> None:
    """A progress line, on stderr: stdout holds only the report."""
    print(message, file=sys.stderr, flush=True)


def ms_since(start: float) -> float:
    """Milliseconds since `start`, a time.perf_counter() reading."""
    return (time.perf_counter() - start) * 1000


def clean_environ(**variables: str) -> dict[str, str]:
    """This environment without any JUBAO_* setting, with quiet logs, and `variables`."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("JUBAO_")}
    environ["JUBAO_LOG_LEVEL"] = "WARNING"
    environ.update(variables)
    return environ
