"""The clock: the only source of "now"; tests and the demo move it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    """System time in UTC, optionally shifted (the demo's clock offset)."""

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self.offset = offset

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


class FixedClock(Clock):
    """A clock that stands still until moved (by `advance`, or by its offset as the demo moves
    the system clock); for tests."""

    def __init__(self, at: datetime) -> None:
        super().__init__()
        self.at = at

    def now(self) -> datetime:
        return self.at + self.offset

    def advance(self, delta: timedelta) -> None:
        self.at = self.at + delta
