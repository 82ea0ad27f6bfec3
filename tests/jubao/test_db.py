"""The SQLite sessionmaker hands its one connection out first come, first served."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from jubao.db import QueuedSessionmaker, make_engine, make_sessionmaker


@pytest.fixture
async def sqlite_sessions(tmp_path) -> AsyncIterator[QueuedSessionmaker]:  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'turns.db'}")
    sessions = make_sessionmaker(engine)
    assert isinstance(sessions, QueuedSessionmaker)
    yield sessions
    await engine.dispose()


async def test_sqlite_sessions_take_turns_in_arrival_order(sqlite_sessions):  # type: ignore[no-untyped-def]
    sessions = sqlite_sessions
    served: list[str] = []
    first_in = asyncio.Event()
    release_first = asyncio.Event()

    newcomers: list[asyncio.Task[None]] = []

    async def first() -> None:
        async with sessions.begin() as session:
            await session.execute(text("SELECT 1"))
            first_in.set()
            await release_first.wait()

    async def waiter(name: str, *, plain: bool = False) -> None:
        context = sessions() if plain else sessions.begin()
        async with context as session:
            await session.execute(text("SELECT 1"))
            served.append(name)

    holder = asyncio.create_task(first())
    await first_in.wait()
    waiting = [asyncio.create_task(waiter(f"w{n}", plain=n == 1)) for n in range(3)]
    await asyncio.sleep(0.01)  # all three are queued behind the holder
    release_first.set()
    # A newcomer whose first step comes after the holder's session has handed the connection
    # back and before w0, woken for it, runs (the hand-back runs in a task of its own, created
    # as the holder leaves its block: this callback runs just after that and starts the
    # newcomer behind it). The pool alone gives the newcomer the connection and sends w0 to
    # the back of the line.
    asyncio.get_running_loop().call_soon(
        lambda: newcomers.append(asyncio.create_task(waiter("newcomer")))
    )
    await asyncio.gather(holder, *waiting)
    await asyncio.gather(*newcomers)
    assert served == ["w0", "w1", "w2", "newcomer"]


async def test_a_failed_session_gives_its_turn_on(sqlite_sessions):  # type: ignore[no-untyped-def]
    for _ in range(2):
        with pytest.raises(OperationalError):
            async with sqlite_sessions.begin() as session:
                await session.execute(text("SELECT no_such_column FROM no_such_table"))
    # A turn not given back would make this wait for ever: fail instead.
    async with asyncio.timeout(10), sqlite_sessions() as session:
        assert (await session.execute(text("SELECT 1"))).scalar() == 1


async def test_a_session_opened_inside_another_fails_at_once(sqlite_sessions):  # type: ignore[no-untyped-def]
    """On SQLite it would wait for its own turn for ever, and every request behind it."""
    async with sqlite_sessions() as outer:
        await outer.execute(text("SELECT 1"))
        with pytest.raises(RuntimeError, match="inside another"):
            async with sqlite_sessions.begin():
                pass
    async with asyncio.timeout(10), sqlite_sessions.begin() as session:  # the turn came back
        assert (await session.execute(text("SELECT 1"))).scalar() == 1


async def test_a_database_error_does_not_print_the_values_it_was_given(database_url):  # type: ignore[no-untyped-def]
    """A traceback in the log must not carry what a citizen sent (SQLite and PostgreSQL)."""
    from sqlalchemy.exc import DBAPIError

    engine = make_engine(database_url)
    try:
        async with engine.connect() as connection:
            with pytest.raises(DBAPIError) as error:
                await connection.execute(
                    text("SELECT no_such_column WHERE :phone = 1"), {"phone": "13700001111"}
                )
        assert "13700001111" not in str(error.value)
    finally:
        await engine.dispose()
