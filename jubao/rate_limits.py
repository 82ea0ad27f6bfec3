"""Rate limits: fixed-window counters in the database (table `rate_counts`).

Several web processes share one PostgreSQL (SPEC §1), and a citizen's messages, a browser's
logins or a script's API calls land on any of them; a counter in one process's memory would
let N processes allow N times the limit and forget everything at a restart. So a count lives in
a row keyed by (scope, subject, window start), raised by one atomic upsert
(`INSERT … ON CONFLICT DO UPDATE … RETURNING`) in the caller's transaction, on SQLite as on
PostgreSQL. Fixed windows are one row per subject and minute, cheap and exact enough: at a
window's edge a sender can get up to twice the limit through in a short burst, never more.

A subject is never stored in clear: callers pass a keyed hash (an openid) or an address.
Old windows are deleted by `purge` (a background job of the composition root)."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime, timedelta

from aiohttp import web
from aiohttp.typedefs import Handler
from sqlalchemy import Integer, String, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from jubao.config import Network, proxy_networks
from jubao.db import Base, UtcDateTime, dialect_module
from jubao.keys import CLOCK, SESSIONS, SETTINGS
from jubao.middlewares import error_response

KEEP = timedelta(days=1)  # no limit's window is longer; older rows are purged
PURGE_EVERY_SECONDS = 3600.0


class RateCount(Base):
    """How often `subject` did `scope`'s thing in the window starting at `window_start`."""

    __tablename__ = "rate_counts"

    scope: Mapped[str] = mapped_column(String(16), primary_key=True)
    subject: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UtcDateTime, primary_key=True)
    hits: Mapped[int] = mapped_column(Integer)


def window_start(now: datetime, window: timedelta) -> datetime:
    """Pure: the start of the fixed window that holds `now` (windows count from the epoch)."""
    seconds = int(window.total_seconds())
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, UTC)


async def hit(
    session: AsyncSession, scope: str, subject: str, now: datetime, window: timedelta
) -> int:
    """Count one more for `subject` in the current window; how many there are now, this one
    included. Concurrent callers wait for each other on the row, so no count is lost."""
    insert = dialect_module(session.get_bind().dialect.name).insert(RateCount)
    statement = counting(
        insert.values(
            scope=scope, subject=subject[:64], window_start=window_start(now, window), hits=1
        )
    )
    return int((await session.execute(statement)).scalar_one())


def counting(insert: postgresql.Insert | sqlite.Insert) -> postgresql.Insert | sqlite.Insert:
    """The counter's upsert on an INSERT of a rate_counts row (hits 1): the window's row is
    made, or its hits raised by one; RETURNING the hits. The bot's hot path builds its own
    INSERT (bound parameters, bot/store.py) on this same clause."""
    return insert.on_conflict_do_update(
        index_elements=[RateCount.scope, RateCount.subject, RateCount.window_start],
        set_={"hits": RateCount.hits + 1},
    ).returning(RateCount.hits)


async def hits(
    session: AsyncSession, scope: str, subject: str, now: datetime, window: timedelta
) -> int:
    """How many `subject` has in the current window, without counting one."""
    found = await session.scalar(
        select(RateCount.hits).where(
            RateCount.scope == scope,
            RateCount.subject == subject[:64],
            RateCount.window_start == window_start(now, window),
        )
    )
    return found or 0


async def purge(session: AsyncSession, now: datetime) -> int:
    """Delete the windows that started more than a day ago; how many."""
    result = await session.execute(delete(RateCount).where(RateCount.window_start < now - KEEP))
    return result.rowcount  # type: ignore[attr-defined]


def client_address(request: web.Request, trusted_proxies: tuple[str, ...]) -> str:
    """The address a request came from: the peer's, or — when the peer is one of
    `trusted_proxies` (JUBAO_TRUSTED_PROXIES: addresses or networks such as 172.30.80.0/24) —
    the nearest address in X-Forwarded-For that is not a trusted proxy. A client cannot pick
    its own address past a proxy we trust."""
    trusted = proxy_networks(trusted_proxies)
    peer = request.remote or ""
    if not _within(peer, trusted):
        return peer
    hops = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",")]
    for hop in reversed(hops):
        if hop and not _within(hop, trusted):
            return hop if _is_address(hop) else peer
    return peer


def _within(text: str, networks: tuple[Network, ...]) -> bool:
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return False
    return any(address in network for network in networks)


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


API_LIMIT = 600  # API requests per client address and minute
API_WINDOW = timedelta(minutes=1)
API_TOO_MANY = "请求过于频繁，请稍后再试"


@web.middleware
async def api_rate_limit(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every /api/ request counts against its client address: past API_LIMIT in a minute the
    answer is 429 {"error": "rate_limited", …} with Retry-After, and the handler is not run."""
    if not request.path.startswith("/api/"):
        return await handler(request)
    app = request.config_dict
    now = app[CLOCK].now()
    address = client_address(request, app[SETTINGS].trusted_proxies)
    async with app[SESSIONS].begin() as session:
        count = await hit(session, "api", address, now, API_WINDOW)
    if count > API_LIMIT:
        response = error_response(429, "rate_limited", API_TOO_MANY)
        response.headers["Retry-After"] = str(retry_after(now, API_WINDOW))
        return response
    return await handler(request)


def retry_after(now: datetime, window: timedelta) -> int:
    """Pure: whole seconds until the next window starts (at least 1)."""
    ends = window_start(now, window) + window
    return max(1, int((ends - now).total_seconds() + 0.999))
