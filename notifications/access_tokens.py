"""WeChat access tokens, fetched once and shared by every process through the database.

A token is used until fewer than five minutes remain, or until WeChat calls it invalid or
expired (errcode 40001/42001); then one process takes a short lease on the row, fetches a new
token and stores it, while the others wait and read it. No transaction is held during the
fetch: on SQLite that would hold the write lock across a network call.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jubao.clock import Clock
from jubao.db import insert_ignoring_conflicts
from notifications.models import AccessToken

# The fetch of a new token: (token, expires_in seconds). Raises on failure.
Fetch = Callable[[], Awaitable[tuple[str, int]]]

REFRESH_BEFORE = timedelta(minutes=5)
FETCH_LEASE = timedelta(seconds=30)
WAIT_SECONDS = 30.0  # real time a process waits for another's fetch before taking over
POLL_SECONDS = 0.05

TOKENS = AccessToken.__table__


@dataclass(frozen=True)
class _Cached:
    token: str
    expires_at: datetime


class AccessTokens:
    """The tokens of one process: a memory cache in front of the `access_tokens` table."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self.sessions = sessions
        self.clock = clock
        self._cache: dict[str, _Cached] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def _fresh(self, expires_at: datetime | None, now: datetime) -> bool:
        return expires_at is not None and expires_at - now > REFRESH_BEFORE

    async def get(self, app: str, fetch: Fetch, *, stale: str | None = None) -> str:
        """A valid token for `app`. `stale` is a token WeChat has just refused: never return it."""
        cached = self._cache.get(app)
        if cached and cached.token != stale and self._fresh(cached.expires_at, self.clock.now()):
            return cached.token
        lock = self._locks.setdefault(app, asyncio.Lock())
        async with lock:  # one fetch at a time in this process; the lease does it across processes
            return await self._shared(app, fetch, stale)

    async def _shared(self, app: str, fetch: Fetch, stale: str | None) -> str:
        give_up_waiting = time.monotonic() + WAIT_SECONDS
        while True:
            now = self.clock.now()
            takeover = time.monotonic() > give_up_waiting
            async with self.sessions.begin() as session:
                token = await self._stored(session, app, now, stale)
                if token is not None:
                    return token
                lease = await self._take_lease(session, app, now, stale, takeover)
            if lease is not None:
                return await self._fetch(app, fetch, lease)
            await asyncio.sleep(POLL_SECONDS)

    async def _stored(
        self, session: AsyncSession, app: str, now: datetime, stale: str | None
    ) -> str | None:
        row = (
            await session.execute(
                select(TOKENS.c.token, TOKENS.c.expires_at).where(TOKENS.c.app == app)
            )
        ).first()
        if row is None:
            dialect = (await session.connection()).dialect.name
            await session.execute(insert_ignoring_conflicts(dialect, TOKENS).values(app=app))
            return None
        if row.token and row.token != stale and self._fresh(row.expires_at, now):
            self._cache[app] = _Cached(row.token, row.expires_at)
            return row.token
        return None

    async def _take_lease(
        self, session: AsyncSession, app: str, now: datetime, stale: str | None, takeover: bool
    ) -> datetime | None:
        """Compare-and-set: the lease is ours only if no one holds it and the token still needs
        replacing (on PostgreSQL a concurrent UPDATE waits and then re-checks these conditions)."""
        lease = now + FETCH_LEASE
        needs_token = or_(
            TOKENS.c.token.is_(None),
            TOKENS.c.expires_at.is_(None),
            TOKENS.c.expires_at <= now + REFRESH_BEFORE,
        )
        if stale is not None:
            needs_token = or_(needs_token, TOKENS.c.token == stale)
        statement = update(TOKENS).where(TOKENS.c.app == app, needs_token)
        if not takeover:
            statement = statement.where(
                or_(TOKENS.c.refreshing_until.is_(None), TOKENS.c.refreshing_until <= now)
            )
        result = await session.execute(statement.values(refreshing_until=lease))
        return lease if result.rowcount == 1 else None  # type: ignore[attr-defined]

    async def _fetch(self, app: str, fetch: Fetch, lease: datetime) -> str:
        try:
            token, expires_in = await fetch()
        except BaseException:
            async with self.sessions.begin() as session:
                await session.execute(
                    update(TOKENS)
                    .where(TOKENS.c.app == app, TOKENS.c.refreshing_until == lease)
                    .values(refreshing_until=None)
                )
            raise
        expires_at = self.clock.now() + timedelta(seconds=expires_in)
        async with self.sessions.begin() as session:
            await session.execute(
                update(TOKENS)
                .where(TOKENS.c.app == app)
                .values(token=token, expires_at=expires_at, refreshing_until=None)
            )
        self._cache[app] = _Cached(token, expires_at)
        return token
