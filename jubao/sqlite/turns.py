"""Sessions that take turns on SQLite's one connection, first come, first served."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker


class Turns:
    """First come, first served, one at a time: an asyncio.Lock (it wakes waiters in order and
    lets no newcomer pass them) that knows its holder, so that a task asking again while it
    holds the turn fails at once instead of waiting for itself for ever."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._holder: asyncio.Task[object] | None = None

    async def acquire(self) -> None:
        task = asyncio.current_task()
        if task is not None and task is self._holder:
            raise RuntimeError("a SQLite session opened inside another would wait for ever")
        await self._lock.acquire()
        self._holder = task

    def release(self) -> None:
        self._holder = None
        self._lock.release()

    def held_here(self) -> bool:
        """Whether the current task holds the turn."""
        return self._holder is not None and self._holder is asyncio.current_task()

    async def __aenter__(self) -> None:
        await self.acquire()

    async def __aexit__(self, *exc_info: object) -> None:
        self.release()


class QueuedSession(AsyncSession):
    """A session that waits its turn (see QueuedSessionmaker) when used as `async with`."""

    async def __aenter__(self) -> QueuedSession:
        await self.info["turns"].acquire()
        self.info["holding"] = True
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        try:
            await super().__aexit__(*exc_info)  # type: ignore[arg-type]
        finally:
            if self.info.pop("holding", False):
                self.info["turns"].release()


class _InTurn:
    """`async with`: wait for the turn, then enter `inner`; leave it, then give the turn on."""

    def __init__(self, turns: Turns, inner: Any) -> None:
        self.turns, self.inner = turns, inner

    async def __aenter__(self) -> Any:
        await self.turns.acquire()
        try:
            return await self.inner.__aenter__()
        except BaseException:
            self.turns.release()
            raise

    async def __aexit__(self, *exc_info: object) -> None:
        try:
            await self.inner.__aexit__(*exc_info)
        finally:
            self.turns.release()


class QueuedSessionmaker(async_sessionmaker[AsyncSession]):
    """Sessions that take turns, first come first served, for SQLite (one pooled connection).

    SQLAlchemy's pool wait is not fair: a connection handed back wakes the first waiter, but a
    newcomer that asks before the waiter runs takes it, and the waiter goes to the back of the
    line. Under load most callbacks waited milliseconds and a few waited seconds (bench/
    callback.py shows it in the p99). The turn is taken here, before the pool is asked.
    Whatever else uses the database in this process takes the same `turns`
    (jubao/sqlite/own_connection.py)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.turns = Turns()
        super().__init__(
            engine, class_=QueuedSession, expire_on_commit=False, info={"turns": self.turns}
        )

    def begin(self) -> Any:
        return _InTurn(self.turns, super().begin())

    def begin_in_turn(self) -> Any:
        """`begin()` for a caller that holds the turn already (`async with sessions.turns`)."""
        if not self.turns.held_here():
            raise RuntimeError("begin_in_turn() without holding the turn")
        return super().begin()
