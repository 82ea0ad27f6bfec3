"""Benchmark of POST /wechat/mp: encrypted 举报 messages from distinct citizens, driven by wrk.

    python -m bench.callback [--duration 10] [--connections 32] [--rounds 3] [--requests N]
                             [--json] [--database-url postgresql+asyncpg://...]

Two targets, each in its own subprocess on a free loopback port, both running for the whole
benchmark, loaded in turn (`--rounds` rounds of one load each, the order swapped every round),
each load with fresh messages (new openids, new MsgIds, current timestamps; every message is
sent once, since a repeated MsgId is a retry):

- jubao itself: `jubao demo` (a new temporary SQLite database with the demo towns and the demo
  Official Account), or with --database-url `jubao serve` on that database after
  `jubao db upgrade` and `jubao registry load` (use a scratch database: rows are left behind);
- a bare aiohttp handler (`--bare-server PORT`, below) doing the same protocol work minus the
  database: the same checks, wechatpy's decryption and parse, a fixed reply of the same text as
  jubao's first answer, encrypted.

Once each server is up a single message is sent and its reply decrypted to check it really is
the report notice; during each load the wrk script (bench/callback.lua) counts non-200 responses
and 200s without an encrypted reply. Prints req/s, p50, p99 and errors for every load, each
round's ratio and their median: this machine's speed drifts by a quarter within minutes, and a
ratio of two loads seconds apart, the median of several, holds still where one pair did not.
"""

from __future__ import annotations

import argparse
import math
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

from bench.bare_baseline import run_bare_server
from bench.callback_messages import official_account, signed_reports, write_requests
from bench.callback_results import Round, as_json, table
from bench.callback_servers import Target, bare_target, jubao_target, slug, start
from bench.common import say
from bench.wrk import Load, Result, run_wrk, to_result

# Fresh messages per target when --requests is not given: duration x this rate, at least
# MIN_REQUESTS; well above what one Python process answers here. Should a run use them all, the
# wrk script stops, says so, and the rate is taken over the time until then.
HEADROOM_RATE = 3_000
MIN_REQUESTS = 20_000


def load_round(target: Target, base_url: str, load: Load, count: int, workdir: Path) -> Result:
    """One wrk run of `load` on a running target, with `count` fresh messages."""
    requests_file = workdir / f"{slug(target)}.requests"
    write_requests(requests_file, signed_reports(count, official_account()))
    say(f"{target.name}: wrk -t1 -c{load.connections} -d{load.duration}s")
    result = to_result(target.name, run_wrk(base_url, requests_file, load))
    if result.exhausted:
        say(f"{target.name}: all {count} messages used before the end; rate from active time")
    return result


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.callback",
        description="POST /wechat/mp under wrk: jubao against a bare aiohttp handler",
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds per target (10)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (32)")
    parser.add_argument("--timeout", type=int, default=5, help="wrk request timeout, s (5)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of jubao then bare (3)")
    parser.add_argument(
        "--requests",
        type=int,
        help=f"fresh messages per target (default: duration x {HEADROOM_RATE}, "
        f"at least {MIN_REQUESTS})",
    )
    parser.add_argument(
        "--database-url",
        default="",
        help="benchmark `jubao serve` on this (scratch) PostgreSQL database instead of the demo",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--bare-server", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if min(args.duration, args.connections, args.timeout, args.rounds) < 1:
        parser.error("--duration, --connections, --timeout and --rounds must be at least 1")
    if args.requests is not None and args.requests < 2:
        parser.error("--requests must be at least 2")
    return args


def interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.bare_server:
        run_bare_server(args.bare_server)
        return 0
    if shutil.which("wrk") is None:
        say("bench.callback: wrk is not installed (apt-get install wrk)")
        return 1
    signal.signal(signal.SIGTERM, interrupt)  # so that the servers and wrk are stopped as well
    load = Load(args.duration, args.connections, args.timeout)
    count = args.requests or max(MIN_REQUESTS, math.ceil(args.duration * HEADROOM_RATE))
    try:
        rounds = run_all(args.database_url, load, count, args.rounds)
    except KeyboardInterrupt:
        say("bench.callback: interrupted")
        return 130
    except (RuntimeError, subprocess.SubprocessError, OSError) as error:
        say(f"bench.callback: {error}")
        return 1
    print(as_json(rounds, load) if args.json else table(rounds))
    return 0


def run_all(database_url: str, load: Load, count: int, rounds: int) -> list[Round]:
    """Both servers up at once, then `rounds` rounds of one load each, jubao and bare in turn:
    each ratio compares two runs a few seconds apart, so a slower spell of this shared machine
    weighs on both sides of it."""
    with tempfile.TemporaryDirectory(prefix="jubao-bench-") as folder, ExitStack() as stack:
        workdir = Path(folder)
        jubao, bare = jubao_target(database_url, workdir), bare_target(workdir)
        urls = {target.name: start(target, workdir, stack) for target in (jubao, bare)}
        results = []
        for number in range(1, rounds + 1):
            say(f"round {number} of {rounds}")
            order = (jubao, bare) if number % 2 else (bare, jubao)  # neither always goes first
            done = {t.name: load_round(t, urls[t.name], load, count, workdir) for t in order}
            results.append(Round(done[jubao.name], done[bare.name]))
        return results


if __name__ == "__main__":
    sys.exit(main())
