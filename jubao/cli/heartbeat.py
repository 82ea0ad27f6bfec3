"""`jubao worker --check-heartbeat FILE [--max-age SECONDS]`: a worker's health check without
a shell. It reads the file's age and nothing else (no settings, no database, no app)."""

from __future__ import annotations

import argparse
from pathlib import Path

from jubao.cli.errors import say_error
from jubao.heartbeat import staleness


def check(args: argparse.Namespace) -> int:
    reason = staleness(Path(args.check_heartbeat), args.max_age)
    if reason is not None:
        say_error(reason)
        return 1
    return 0
