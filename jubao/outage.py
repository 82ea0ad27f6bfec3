"""Database outages and database errors, as the service shows and logs them.

An outage (PostgreSQL restarting, the network to it cut, SQLite's lock held too long) is not a
bug: every route answers 503 without a traceback while it lasts — the API with {"error":
"unavailable", …}, WeChat's callbacks with a short text that makes WeChat deliver again — and
the pool replaces the failed connections as soon as the database is back (no restart of the
service).

A database error's message may quote what the statement was given (asyncpg: "invalid input for
query argument $1: '<value>'"; PostgreSQL: 'invalid input syntax for type integer: "<value>"'),
and hide_parameters does not reach into the driver's own text: `safe_message` is what is logged
of it — the driver's class, the SQLSTATE, and the first line with every quoted part cut out.
"""

from __future__ import annotations

import json
import logging
import re

from aiohttp import web
from aiohttp.typedefs import Handler
from sqlalchemy import exc

log = logging.getLogger(__name__)

UNAVAILABLE = "服务暂时不可用，请稍后再试"
# asyncpg's connection-level failures (matched by name: the kernel does not import a driver)
ASYNCPG_OUTAGES = frozenset(
    {
        "ConnectionDoesNotExistError",
        "CannotConnectNowError",
        "ConnectionFailureError",
        "ConnectionRejectionError",
        "TooManyConnectionsError",
        "AdminShutdownError",
        "CrashShutdownError",
        "InterfaceError",
        "InternalClientError",
    }
)
SQLITE_OUTAGES = ("database is locked", "unable to open database", "disk i/o error")
_QUOTED = re.compile(r"'[^']*'?|\"[^\"]*\"?")
_ARGUMENT = re.compile(r"(invalid input for query argument \$\d+).*")


def _chain(error: BaseException) -> list[BaseException]:
    """`error`, the errors that caused it, and the drivers' errors SQLAlchemy wraps."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        orig = getattr(current, "orig", None)
        if isinstance(orig, BaseException) and orig not in chain:
            chain.append(orig)
        current = current.__cause__ or current.__context__
    return chain


def is_outage(error: BaseException) -> bool:
    """True when `error` says the database cannot be reached or used now, not a bug."""
    for failure in _chain(error):
        if isinstance(failure, (OSError, exc.TimeoutError, exc.InterfaceError)):
            return True
        if isinstance(failure, exc.DBAPIError) and failure.connection_invalidated:
            return True
        kind = type(failure)
        if kind.__module__.startswith("asyncpg") and kind.__name__ in ASYNCPG_OUTAGES:
            return True
        if isinstance(failure, exc.OperationalError) and any(
            text in str(failure).lower() for text in SQLITE_OUTAGES
        ):
            return True
    return False


def is_database_error(error: BaseException) -> bool:
    kind = type(error)
    return isinstance(error, exc.SQLAlchemyError) or kind.__module__.startswith(
        ("asyncpg", "sqlalchemy", "sqlite3", "aiosqlite", "jubao.sqlite")
    )


def scrubbed(line: str) -> str:
    """`line` with query-argument values and every quoted part cut out."""
    return _QUOTED.sub("…", _ARGUMENT.sub(r"\1: (value not logged)", line))


def safe_message(error: BaseException) -> str:
    """What may be logged of a database error's message: never a value it was given."""
    inner = getattr(error, "orig", None) or error
    lines = str(inner).strip().splitlines()
    first = lines[0] if lines else ""
    first = scrubbed(first)
    sqlstate = getattr(inner, "sqlstate", None) or getattr(inner, "pgcode", None)
    origin = f"{type(inner).__module__}.{type(inner).__qualname__}"
    prefix = f"({origin}{', SQLSTATE ' + sqlstate if sqlstate else ''}) "
    return (prefix if inner is not error else "") + first[:300]


def describe(error: BaseException) -> str:
    """One line for the log about an outage: which failure, never a value."""
    failure = _chain(error)[-1]
    return f"{type(failure).__name__}: {safe_message(failure)}"


@web.middleware
async def database_outage(request: web.Request, handler: Handler) -> web.StreamResponse:
    """503 while the database is away, on every route, logged in one line."""
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception as error:
        if not is_outage(error):
            raise
        log.warning(
            "database unavailable: %s %s: %s", request.method, request.path, describe(error)
        )
        return unavailable_response(request.path)


def unavailable_response(path: str) -> web.Response:
    if path.startswith("/api/"):
        body = {"error": "unavailable", "message": UNAVAILABLE}
        return web.json_response(body, status=503, dumps=_utf8_json, headers={"Retry-After": "5"})
    return web.Response(status=503, text=UNAVAILABLE, headers={"Retry-After": "5"})


def _utf8_json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False)
