"""The SQLite sessionmaker hands its one connection out first come, first served."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from jubao.db import make_engine, make_sessionmaker


async def test_sqlite_sessions_take_turns_in_arrival_order(tmp_path):  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'turns.db'}")
    sessions = make_sessionmaker(engine)
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

    try:
        holder = asyncio.create_task(first())
        await first_in.wait()
        waiting = [asyncio.create_task(waiter(f"w{n}", plain=n == 1)) for n in range(3)]
        await asyncio.sleep(0.01)  # all three are queued behind the holder
        release_first.set()
        # A newcomer whose first step comes after the holder's session has handed the
        # connection back and before w0, woken for it, runs (the hand-back runs in a task of
        # its own, created as the holder leaves its block: this callback runs just after that
        # and starts the newcomer behind it). The pool alone gives the newcomer the connection
        # and sends w0 to the back of the line.
        asyncio.get_running_loop().call_soon(
            lambda: newcomers.append(asyncio.create_task(waiter("newcomer")))
        )
        await asyncio.gather(holder, *waiting)
        await asyncio.gather(*newcomers)
        assert served == ["w0", "w1", "w2", "newcomer"]
    finally:
        await engine.dispose()


async def test_a_failed_session_gives_its_turn_on(tmp_path):  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'turns.db'}")
    sessions = make_sessionmaker(engine)
    try:
        for _ in range(2):
            try:
                async with sessions.begin() as session:
                    await session.execute(text("SELECT no_such_column FROM no_such_table"))
            except Exception:
                pass
        async with sessions() as session:
            assert (await session.execute(text("SELECT 1"))).scalar() == 1
    finally:
        await engine.dispose()


async def test_a_session_opened_inside_another_fails_at_once(tmp_path):  # type: ignore[no-untyped-def]
    """On SQLite it would wait for its own turn for ever, and every request behind it."""
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'nested.db'}")
    sessions = make_sessionmaker(engine)
    try:
        async with sessions() as outer:
            await outer.execute(text("SELECT 1"))
            with pytest.raises(RuntimeError, match="inside another"):
                async with sessions.begin():
                    pass
        async with sessions.begin() as session:  # the turn was given back
            assert (await session.execute(text("SELECT 1"))).scalar() == 1
    finally:
        await engine.dispose()


async def test_a_database_error_does_not_print_the_values_it_was_given(tmp_path):  # type: ignore[no-untyped-def]
    """A traceback in the log must not carry what a citizen sent."""
    from sqlalchemy.exc import DBAPIError

    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'secret.db'}")
    try:
        async with engine.connect() as connection:
            with pytest.raises(DBAPIError) as error:
                await connection.execute(
                    text("SELECT no_such_column WHERE :phone = 1"), {"phone": "13700001111"}
                )
        assert "13700001111" not in str(error.value)
    finally:
        await engine.dispose()
