"""`jubao worker --heartbeat FILE`: the file is rewritten only while the worker's loop turns and
its database answers, so `jubao worker --check-heartbeat FILE` fails for a worker whose
database is locked by another process (SQLite) or gone (PostgreSQL behind a proxy the test
cuts), and passes again once it is back, with no restart. The freshness rule itself, and the
writer that never raises, tested without a process."""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path

import pytest

from jubao.db import make_engine
from jubao.heartbeat import Heartbeat, is_fresh, staleness
from tests.conftest import CLOSED_PORT, EMPTY_POSTGRES, TEST_KEY
from tests.faults.heartbeats import check_command, exit_status, next_beat, until_unhealthy
from tests.faults.processes import Serve
from tests.faults.proxy import CuttableProxy


def test_a_heartbeat_is_fresh_up_to_its_maximum_age() -> None:
    assert is_fresh(mtime=100.0, now=100.0, max_age=30)
    assert is_fresh(mtime=100.0, now=130.0, max_age=30)
    assert not is_fresh(mtime=100.0, now=130.5, max_age=30)
    assert is_fresh(mtime=100.0, now=90.0, max_age=30), "the clock stepped back: the next beat"


def test_staleness_says_why_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "beat"
    assert staleness(path, 30) == f"no heartbeat file {path}: the worker has not beaten (yet)"
    Heartbeat(path).beat()
    assert staleness(path, 30) is None
    mtime = path.stat().st_mtime
    old = staleness(path, 30, now=mtime + 95)
    assert old is not None and old.startswith("the worker's last heartbeat is 95 s old")
    assert "\n" not in old


def test_the_writer_never_raises_and_says_once_that_it_cannot_write(tmp_path: Path, caplog) -> None:
    folder = tmp_path / "not-yet"
    heartbeat = Heartbeat(folder / "beat")
    with caplog.at_level(logging.INFO, logger="jubao.heartbeat"):
        for _ in range(3):
            heartbeat.beat()
        errors = [r for r in caplog.records if r.levelno == logging.ERROR]
        assert len(errors) == 1 and "cannot write the heartbeat file" in errors[0].getMessage()
        folder.mkdir()
        heartbeat.beat()
    assert (folder / "beat").read_text(encoding="ascii").endswith("+00:00\n")
    assert "heartbeat written again" in caplog.records[-1].getMessage()
    assert os.listdir(folder) == ["beat"], "the partial file was renamed, not left beside it"


def worker_environment(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUBAO_")}
    return env | {
        "JUBAO_DATABASE_URL": database_url,
        "JUBAO_SECRET_KEY": "test-secret",
        "JUBAO_IDENTITY_KEYS": TEST_KEY,
        "JUBAO_MP_API_BASE": CLOSED_PORT,
        "JUBAO_WORK_API_BASE": CLOSED_PORT,
    }


async def test_a_worker_whose_sqlite_database_is_locked_stops_beating_until_it_is_free(
    tmp_path: Path,
) -> None:
    database, beat = tmp_path / "jubao.db", tmp_path / "worker.heartbeat"
    env = worker_environment(f"sqlite:///{database}")
    worker = Serve(env, tmp_path, command="worker", options=["--heartbeat", str(beat)])
    worker.start()
    try:
        await next_beat(beat, worker)
        assert (await exit_status(check_command(beat)))[0] == 0
        holder = sqlite3.connect(database, isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock: no answer
            stderr = await until_unhealthy(check_command(beat))
            assert stderr.startswith("jubao: the worker's last heartbeat is")
        finally:
            holder.close()
        await next_beat(beat, worker)
        assert (await exit_status(check_command(beat)))[0] == 0, "healthy again, no restart"
    finally:
        worker.stop()


@pytest.mark.postgres
async def test_a_worker_whose_postgres_goes_away_stops_beating_until_it_is_back(
    tmp_path: Path, postgres_url: str
) -> None:
    engine = make_engine(postgres_url)
    async with engine.begin() as connection:
        await connection.execute(EMPTY_POSTGRES)
    await engine.dispose()
    proxy = CuttableProxy.to(postgres_url)
    await proxy.start()
    beat = tmp_path / "worker.heartbeat"
    env = worker_environment(proxy.url(postgres_url))
    worker = Serve(env, tmp_path, command="worker", options=["--heartbeat", str(beat)])
    worker.start()
    try:
        await next_beat(beat, worker)
        assert (await exit_status(check_command(beat)))[0] == 0
        await proxy.cut()
        stderr = await until_unhealthy(check_command(beat))
        assert stderr.startswith("jubao: the worker's last heartbeat is")
        assert worker.process and worker.process.poll() is None, "the worker itself runs on"
        assert worker.log_text().count("no heartbeat: the database does not answer") == 1
        await proxy.restore()
        await next_beat(beat, worker)
        assert (await exit_status(check_command(beat)))[0] == 0, "healthy again, no restart"
    finally:
        worker.stop()
        await proxy.cut()
