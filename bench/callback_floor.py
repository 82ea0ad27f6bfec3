"""What one WeChat message costs in-process, layer by layer, on SQLite (no HTTP, no load generator).

    python -m bench.callback_floor [--messages 5000]

In one process, on a fresh demo database (the demo registry and Official Account), each over
the same number of encrypted 举报 messages from new citizens, per message:

- protocol: the bare handler's work (bench/bare_baseline.py) without aiohttp: query checks,
  hardened parse, both signatures, AES decryption, the inner parse, the reply rendered and
  encrypted;
- floor: the least one durable, encrypted transaction per message can cost here: raw sqlite3 on
  the real schema, BEGIN IMMEDIATE, the dialogue read, its upsert and the message-log insert,
  COMMIT (WAL, synchronous=NORMAL, jubao's checkpoint interval), with the state and the reply
  encrypted and the openid keyed-hashed as jubao does (IdentityVault);
- jubao, dialogue-only: `bot.intake.SqliteQuickIntake.handle`, commit included: what jubao does for
  this message (a dialogue-only step on SQLite) beyond the protocol;
- jubao, session path: `bot.citizen_message.handle` in `sessions.begin()`, commit included:
  the way of the messages that need more (filing, queries), and of every message on PostgreSQL.

The baseline is the protocol layer, measured in the same run. A callback costs the protocol,
what aiohttp adds (the same for both servers of bench/callback.py), and the database part;
"best ratio" is protocol / (protocol + floor): an upper bound of bench/callback.py's ratio with
one transaction per message, since aiohttp's share is left out of both sides.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from urllib.parse import parse_qsl

from sqlalchemy.engine import make_url

from bench.bare_baseline import BARE_REPLY, demo_account, encrypted_reply, opened_message
from bench.callback_messages import first_msg_id, official_account, signed_reports
from bench.common import clean_environ
from bot import citizen_message
from bot.conversation import Inbound
from bot.exactly_once import Envelope
from bot.intake import SqliteQuickIntake
from bot.protocol import check_timestamp, parse_xml
from jubao.config import Settings, load_settings
from jubao.db import make_engine, make_sessionmaker
from jubao.demo import demo_settings, seed
from jubao.identity import IdentityVault
from jubao.sqlite.driver import WAL_AUTOCHECKPOINT_PAGES

ROUNDS = 3  # each layer is timed this many times; the median round is reported


def protocol_layer(count: int) -> Callable[[], None]:
    """The bare handler's work on `count` messages, without aiohttp."""
    account = demo_account()
    signed = signed_reports(count, official_account())

    def run() -> None:
        moment = datetime.now(UTC)
        for request in signed:
            query = dict(parse_qsl(request.query))
            check_timestamp(query["timestamp"], moment)
            message = opened_message(account, parse_xml(request.body), query)
            encrypted_reply(account, message, query["nonce"], int(moment.timestamp()))

    return run


def floor_layer(path: str, vault: IdentityVault, count: int) -> Callable[[], None]:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}")
    state = '{"step":"category","draft":{},"updated_at":null}'
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    rounds = iter(range(1_000_000))

    def run() -> None:
        base = next(rounds) * count
        for n in range(base, base + count):
            key = vault.lookup_hash(f"oFloorRaw{n:019d}")
            connection.execute("BEGIN IMMEDIATE")
            connection.execute(
                "SELECT openid_hash, state_enc FROM dialogues WHERE openid_hash IN (?)", (key,)
            ).fetchone()
            connection.execute(
                "INSERT INTO dialogues (openid_hash, state_enc, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (openid_hash) DO UPDATE "
                "SET state_enc = excluded.state_enc, updated_at = excluded.updated_at",
                (key, vault.encrypt(state), stamp),
            )
            connection.execute(
                "INSERT INTO inbound_messages (channel, msg_id, msg_type, received_at, "
                "reply_enc, openid_hash) VALUES ('mp', ?, 'text', ?, ?, ?) "
                "ON CONFLICT DO NOTHING RETURNING id",
                (n, stamp, vault.encrypt(BARE_REPLY), key),
            ).fetchone()
            connection.execute("COMMIT")

    return run


def timed(run: Callable[[], None], count: int) -> float:
    """Microseconds per message: the median of ROUNDS rounds."""
    rounds = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        run()
        rounds.append((time.perf_counter() - start) / count * 1e6)
    return statistics.median(rounds)


async def jubao_layers(settings: Settings, count: int) -> tuple[float, float]:
    """Microseconds per message: (quick path, session path)."""
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    vault = IdentityVault(settings.identity_keys)
    database = make_url(settings.database_url).database
    quick = SqliteQuickIntake(database, sessions, vault, settings)  # type: ignore[arg-type]
    now = datetime.now(UTC)
    first = first_msg_id()
    serial = iter(range(10**9))

    def envelope() -> Envelope:
        n = next(serial)
        stamp = int(now.timestamp())
        return Envelope(
            "mp", f"oFloorJubao{n:017d}", "gh", first + n, stamp, Inbound("text", text="举报")
        )

    async def by_session() -> None:
        async with sessions.begin() as session:
            await citizen_message.handle(
                session, envelope(), vault=vault, settings=settings, now=now
            )

    async def by_quick_path() -> None:  # 举报 is dialogue-only: it goes on the own connection
        await quick.handle(envelope(), now)

    async def timed_async(one: Callable[[], Awaitable[None]]) -> float:
        rounds = []
        for _ in range(ROUNDS):
            start = time.perf_counter()
            for _ in range(count):
                await one()
            rounds.append((time.perf_counter() - start) / count * 1e6)
        return statistics.median(rounds)

    try:
        async with sessions.turns:  # type: ignore[attr-defined]
            if await quick.handle_quick(envelope(), now) is None:
                raise RuntimeError("举报 is no longer dialogue-only")
        return await timed_async(by_quick_path), await timed_async(by_session)
    finally:
        await quick.close()
        await engine.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.callback_floor")
    parser.add_argument("--messages", type=int, default=5000, help="messages per round (5000)")
    args = parser.parse_args(argv)
    count = args.messages
    environ = clean_environ()
    settings, folder = demo_settings(load_settings(environ), environ)
    asyncio.run(seed(settings))
    vault = IdentityVault(settings.identity_keys)
    protocol = timed(protocol_layer(count), count)
    floor = timed(floor_layer(str(folder / "demo.db"), vault, count), count)
    quick, session = asyncio.run(jubao_layers(settings, count))
    rows = [
        ("protocol (the bare handler's work, no HTTP)", protocol),
        ("floor: one raw durable encrypted transaction", floor),
        ("jubao, dialogue-only (own connection)", quick),
        ("jubao, session path (citizen_message.handle)", session),
    ]
    for name, micros in rows:
        print(f"{name:<46}{micros:>9.1f} us/message{micros / protocol:>8.2f} x protocol")
    print(f"best ratio with a transaction per message: {protocol / (protocol + floor):.2f}")
    print(f"ratio implied by dialogue-only:            {protocol / (protocol + quick):.2f}")
    print(f"ratio implied by the session path:         {protocol / (protocol + session):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
