"""The worker's heartbeat: a file `jubao worker --heartbeat FILE` rewrites after each background
tick in which the database answered, and `jubao worker --check-heartbeat FILE` reads for a
container's health check. A worker whose event loop is stuck, or whose database has gone away,
stops rewriting it; the check then fails once the file is older than its maximum age.

The check reads only the file's modification time (no database, no app), so it is cheap enough
to run every few seconds."""

from __future__ import annotations

import logging
import os
import time
from datetime import UTC, datetime
from pathlib import Path

DEFAULT_MAX_AGE_SECONDS = 30.0  # six background ticks (jubao/scheduler.py BACKGROUND_SECONDS)
log = logging.getLogger(__name__)


def is_fresh(mtime: float, now: float, max_age: float) -> bool:
    """Whether a heartbeat written at `mtime` (epoch seconds) is at most `max_age` old at `now`.
    A time ahead of `now` (the clock stepped back) counts as fresh: the next beat rewrites it."""
    return now - mtime <= max_age


def staleness(path: Path, max_age: float, now: float | None = None) -> str | None:
    """None when the heartbeat at `path` is fresh; otherwise why not, in one line."""
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        return f"no heartbeat file {path}: the worker has not beaten (yet)"
    except OSError as error:
        return f"cannot read the heartbeat file {path}: {error.strerror or error}"
    now = time.time() if now is None else now
    if is_fresh(mtime, now, max_age):
        return None
    return (
        f"the worker's last heartbeat is {now - mtime:.0f} s old (more than {max_age:g} s):"
        " its loop is stuck, its database does not answer, or it is not running"
    )


class Heartbeat:
    """The writer: `beat()` after a tick that reached the database, `miss(reason)` after one that
    did not. Neither raises; a failure to write, or a run of misses, is logged once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.failing: str | None = None  # what went wrong last, logged once until a beat

    def beat(self) -> None:
        """The current UTC time written to a file beside it, then renamed over it (a reader
        never sees half a file)."""
        partial = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        try:
            partial.write_text(datetime.now(UTC).isoformat() + "\n", encoding="ascii")
            os.replace(partial, self.path)
        except OSError as error:
            self.miss(f"cannot write the heartbeat file {self.path}: {error.strerror or error}")
            return
        if self.failing is not None:
            log.info("heartbeat written again to %s", self.path)
            self.failing = None

    def miss(self, reason: str) -> None:
        if self.failing is None:
            log.error("no heartbeat: %s; the worker's health check fails until it beats", reason)
        self.failing = reason
