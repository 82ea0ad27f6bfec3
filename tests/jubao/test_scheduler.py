"""The scheduler's jobs, `jubao worker` as a process, and the daily digest."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from complaints.digest import digest_text, send_digest
from jubao.app import check_audit_chain, create_app
from jubao.audit_checks import AuditCheck
from jubao.cli import main
from jubao.config import load_settings, with_secrets
from jubao.identity import IdentityVault
from jubao.keys import SESSIONS
from jubao.scheduler import SCHEDULER, _guarded
from notifications import refresh_tokens as tokens_job
from notifications.models import OutboxMessage
from tests.database import run_in_transaction
from tests.factories import filed_report


async def test_serve_with_the_scheduler_on_runs_every_job(aiohttp_client, settings, clock):
    client = await aiohttp_client(create_app(settings.replace(scheduler=True), clock=clock))
    jobs = {job.id: job for job in client.app[SCHEDULER].get_jobs()}
    assert set(jobs) == {
        *("sweep", "background", "tokens", "digest", "reward-clocks", "retention", "audit-check")
    }
    assert "hour='9'" in str(jobs["digest"].trigger) and "minute='0'" in str(jobs["digest"].trigger)
    assert "hour='3'" in str(jobs["retention"].trigger)
    assert "minute='30'" in str(jobs["audit-check"].trigger)


async def test_the_daily_audit_check_records_what_it_found(aiohttp_client, settings, clock):
    client = await aiohttp_client(create_app(settings, clock=clock))
    await check_audit_chain(client.app)
    async with client.app[SESSIONS]() as session:
        check = await session.get(AuditCheck, 1)
    assert check is not None and check.broken_id is None and check.checked_at == clock.now()


async def test_serve_without_the_scheduler_leaves_it_to_workers(aiohttp_client, settings):
    client = await aiohttp_client(create_app(settings))
    assert SCHEDULER not in client.app


async def test_the_digest_lists_due_overdue_and_new(reports, staff, sessions, settings, clock):
    first = await reports.filed(openid="o-1")
    clock.advance(timedelta(days=1))
    await reports.filed(openid="o-2")
    clock.advance(timedelta(days=14))  # 12 Dec, 10:00: the first one's acceptance is due today
    async with sessions() as session:
        text = await digest_text(session, clock.now(), settings)
    assert "今日到期：1件" in text and f"{first.number} 受理告知" in text
    assert "已逾期：0件" in text and "昨日新收举报：0件" in text
    clock.advance(timedelta(days=1))
    async with sessions() as session:
        text = await digest_text(session, clock.now(), settings)
    assert "已逾期：1件" in text and first.number in text

    await staff.add("wang2", "dispatcher", wework_id="wang-wx")
    vault = IdentityVault(settings.identity_keys)
    for _ in range(2):  # twice the same day (two workers): queued once
        async with sessions.begin() as session:
            await send_digest(session, clock.now(), settings=settings, vault=vault)
    async with sessions() as session:
        count = await session.scalar(select(func.count()).where(OutboxMessage.key.like("digest:%")))
    assert count == 1


@pytest.mark.skipif(sys.platform == "win32", reason="signals")
def test_worker_process_sweeps_and_stops_on_sigterm(tmp_path, monkeypatch):
    url = f"sqlite+aiosqlite:///{tmp_path / 'w.db'}"
    monkeypatch.setenv("JUBAO_DATABASE_URL", url)
    registry = tmp_path / "registry.yaml"
    registry.write_text("towns: [{name: 塘桥镇}]\n", encoding="utf-8")
    assert main(["registry", "load", str(registry)]) == 0
    settings = with_secrets(load_settings())
    long_ago = datetime(2026, 1, 5, 2, tzinfo=UTC)  # its acceptance deadline passed long ago
    asyncio.run(
        run_in_transaction(url, lambda s: filed_report(s, settings, at=long_ago, openid="o-w"))
    )

    env = {k: v for k, v in os.environ.items() if not k.startswith("JUBAO_")}
    env.update(
        JUBAO_DATABASE_URL=url,
        JUBAO_MP_API_BASE="http://127.0.0.1:9",
        JUBAO_WORK_API_BASE="http://127.0.0.1:9",
    )
    worker = subprocess.Popen(
        [str(Path(sys.executable).parent / "jubao"), "worker"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline, kinds = time.monotonic() + 20, []
        while time.monotonic() < deadline and "overdue" not in kinds:
            time.sleep(0.2)
            with sqlite3.connect(tmp_path / "w.db") as connection:
                kinds = [row[0] for row in connection.execute("SELECT kind FROM reminder_ledger")]
        assert sorted(kinds) == ["before_1d", "before_3d", "overdue"]
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=10) == 0
    finally:
        if worker.poll() is None:
            worker.kill()


async def test_the_token_job_fetches_ahead_of_expiry(aiohttp_client, api_settings, clock, fake_api):
    client = await aiohttp_client(create_app(api_settings, clock=clock))
    await tokens_job(client.app)
    assert (fake_api.token_fetches("mp"), fake_api.token_fetches("work")) == (1, 1)
    await tokens_job(client.app)  # still fresh: nothing fetched
    assert fake_api.token_fetches("mp") == 1
    clock.advance(timedelta(seconds=7200 - 4 * 60))  # under 5 minutes left
    await tokens_job(client.app)
    assert (fake_api.token_fetches("mp"), fake_api.token_fetches("work")) == (2, 2)


async def test_a_failing_job_is_logged_and_does_not_stop_the_schedule(caplog):
    runs = []

    async def flaky(app) -> None:  # type: ignore[no-untyped-def]
        runs.append(len(runs))
        if len(runs) == 1:
            raise RuntimeError("database restarting")

    job = _guarded(flaky, app=None)  # type: ignore[arg-type]
    await job()  # fails, logged
    await job()  # the next run goes on
    assert runs == [0, 1]
    assert "flaky failed" in caplog.text


async def test_the_digest_counts_all_even_when_it_lists_only_some(
    reports, sessions, settings, clock, monkeypatch
):
    monkeypatch.setattr("complaints.digest.LIST_LIMIT", 1)
    for n in range(3):
        await reports.filed(openid=f"o-many{n}")
    clock.advance(timedelta(days=16))  # all three acceptance deadlines have passed
    async with sessions() as session:
        text = await digest_text(session, clock.now(), settings)
    assert "已逾期：3件" in text and "另有2件" in text


async def test_the_digest_lists_the_first_reports_due_today_and_counts_the_rest(
    reports, sessions, settings, clock, monkeypatch
):
    monkeypatch.setattr("complaints.digest.LIST_LIMIT", 1)
    filed = [await reports.filed(openid=f"o-due{n}") for n in range(3)]
    clock.at = filed[0].accept_by - timedelta(hours=1)  # the day the acceptance falls due
    async with sessions() as session:
        text = await digest_text(session, clock.now(), settings)
    assert "今日到期：3件" in text and "另有2件" in text and "已逾期：0件" in text
    listed = [f.number for f in filed if f.number in text]
    assert len(listed) == 1
