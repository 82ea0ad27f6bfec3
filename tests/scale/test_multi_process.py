"""Several processes on one PostgreSQL, as a province runs jubao (SPEC §1): two `jubao serve`
(scheduler off) and two `jubao worker`, real processes, WeChat's API the fake on loopback ports
served from a thread of its own (tests/faults/processes.py).

One run, in order:
1. 1,000 reports whose accept reminder (一天后到期) is due are loaded; the workers start, and
   both sweep and deliver.
2. When half the reminders have reached WeChat, worker A is killed with SIGKILL inside one of
   its sends: WeChat has accepted the message, A never hears so.
3. 40 citizens each file a report over the signed, encrypted callback, each one's messages
   going to the two web processes in turn; a dispatcher accepts each report through the API on
   the other process; routing assigns it, which queues the group card, the officer's message
   and the citizen's notice (filing itself queues nothing).
4. A's leases run out (60 s) and the survivors send what A held.

Then every message was answered 200 with the step's question, each citizen has one report
with a number of its own, every outbox row is sent and WeChat received each exactly once, the
ledger has one sent reminder per report and WeChat received each once. The message A was
cutting is sent again after its lease: WeChat Work's duplicate check (`enable_duplicate_check`)
holds that second copy back, the documented window (docs/security/faults.md) of a kill in
mid-delivery; WeChat's `duplicates` hold at most what A had in flight.

PostgreSQL only (JUBAO_TEST_POSTGRES_URL): several processes share one database only there."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import threading
import time
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot import texts
from complaints.models import ReminderEntry, Report
from jubao.clock import Clock
from jubao.config import Settings
from jubao.db import make_engine
from jubao.demo.fake_api import FakeWeChat, Sent
from jubao.demo.wechat import OfficialAccountSide
from jubao.identity import IdentityVault
from notifications.channels import CITIZEN_CHANNELS
from notifications.models import OutboxMessage
from notifications.outbox import CONCURRENCY
from tests.conftest import EMPTY_POSTGRES
from tests.fake_wechat import CREDENTIALS
from tests.faults.processes import ARRIVED_ON, Citizen, FakeApiServer, Serve, environment
from tests.scale.due_reports import load_received
from tests.staff import add_user
from tests.wechat_client import CODE, NUMBER

pytestmark = pytest.mark.postgres

DEADLINES = 1000
CITIZENS = 40
AT_ONCE = 12  # citizens talking at the same moment: keeps each process's pool in bounds
CHATID = "wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA"
DISPATCHER = "wang"  # his WeChat Work id too: the accept reminders go to him
SETTLE_SECONDS = 150.0  # the lease (60 s) and then some, on a busy machine
GROUP_CHANNEL = {"work_group": "work_appchat"}


def steps(n: int) -> list[tuple[str, str]]:
    """A hazard report, anonymous: each message and what its answer must contain."""
    return [
        ("举报", "举报须知"),
        ("1", "请选择发生地所在的镇"),
        ("塘桥镇", texts.PLACE_QUESTION),
        (f"塘桥镇东街五金加工作坊{n}号车间", texts.DESCRIPTION_QUESTION),
        ("车间没有通风，工人不戴口罩打磨金属。", texts.EVIDENCE_QUESTION),
        ("完成", texts.IDENTITY_QUESTION),
        ("2", texts.CONFIRM_CHOICES),
        ("1", "举报编号："),
    ]


@pytest.fixture
async def database_url(postgres_url: str) -> str:
    """The session's own scratch database (created and dropped by conftest), emptied."""
    engine = make_engine(postgres_url)
    async with engine.begin() as connection:
        await connection.execute(EMPTY_POSTGRES)
    await engine.dispose()
    return postgres_url


def post_json(url: str, token: str, body: dict[str, Any]) -> tuple[int, Any]:
    request = urllib.request.Request(
        url,
        json.dumps(body).encode(),
        {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def received_as(sent: Sent) -> tuple[str, str, str]:
    """What WeChat delivered: channel, recipient and the words."""
    part = sent.body[sent.body["msgtype"]]
    return sent.channel, sent.to, part.get("description", part.get("content"))


def meant(row: OutboxMessage, vault: IdentityVault) -> tuple[str, str, str]:
    """What an outbox row asks to be delivered, in the same terms."""
    if row.channel in CITIZEN_CHANNELS:
        to = vault.decrypt(row.recipient_enc or "")
    else:
        to = row.recipient or CHATID
    return GROUP_CHANNEL.get(row.channel, row.channel), to, row.text


async def outbox_rows(sessions) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        return list((await session.scalars(select(OutboxMessage))).all())


async def test_two_web_and_two_worker_processes_lose_nothing_and_double_nothing(
    settings: Settings, sessions, towns, side: OfficialAccountSide, tmp_path: Path
):  # type: ignore[no-untyped-def]
    started = time.monotonic()
    clock, vault = Clock(), IdentityVault(settings.identity_keys)
    token = await add_user(sessions, clock, DISPATCHER, "dispatcher", wework_id=DISPATCHER)
    async with sessions.begin() as session:
        bulk = await load_received(
            session, settings, vault, count=DEADLINES, accept_by=clock.now() + timedelta(hours=12)
        )
    settings = settings.replace(**CREDENTIALS, work_chatid=CHATID)
    fake = FakeWeChat(settings, clock=clock)
    with FakeApiServer(fake, ports=3) as api:  # port 0 the web processes', 1 and 2 a worker's

        def process(name: str, command: str, port: int) -> Serve:
            url = api.url(port)
            env = environment(settings.replace(mp_api_base=url, work_api_base=url))
            folder = tmp_path / name
            folder.mkdir()
            return Serve(env, folder, command=command)

        worker_a, worker_b = process("worker-a", "worker", 1), process("worker-b", "worker", 2)
        webs = [process(f"web-{n}", "serve", 0) for n in range(2)]
        reminders = Counter[str]()
        killed = threading.Event()

        def kill_a_inside_a_send(sent: Sent) -> None:  # in the fake's thread, the send unanswered
            if sent.to != DISPATCHER or killed.is_set():
                return
            reminders["reached"] += 1
            if reminders["reached"] >= DEADLINES // 2 and ARRIVED_ON.get() == api.ports[1]:
                assert worker_a.process is not None
                os.kill(worker_a.process.pid, signal.SIGKILL)
                reminders["at_kill"] = reminders["reached"]
                killed.set()

        fake.listeners.append(kill_a_inside_a_send)
        citizens = [
            Citizen(side, [webs[n % 2].base, webs[(n + 1) % 2].base], f"o-scale-{n}")
            for n in range(CITIZENS)
        ]
        accepted: dict[str, Any] = {}
        try:
            worker_a.start()
            worker_b.start()
            for web in webs:
                web.start()
            deadline = time.monotonic() + 120
            while not killed.wait(0.1):
                assert time.monotonic() < deadline, (reminders, worker_a.log_text()[-3000:])
            worker_a.process.wait(timeout=10)  # type: ignore[union-attr]

            def file_and_accept(n: int) -> None:
                citizen = citizens[n]
                for text, question in steps(n):
                    reply = citizen.say(text)
                    assert question in reply, (citizen.openid, text, reply)
                number = NUMBER.search(citizen.replies[-1]).group(1)  # type: ignore[union-attr]
                accepted[number] = post_json(
                    f"{webs[(n + 1) % 2].base}/api/v1/reports/{number}/actions",
                    token,
                    {"action": "accept"},
                )

            with ThreadPoolExecutor(AT_ONCE) as pool:
                for future in [pool.submit(file_and_accept, n) for n in range(CITIZENS)]:
                    future.result(timeout=180)

            expected = DEADLINES + 3 * CITIZENS  # a reminder each; card, message, notice each
            deadline = time.monotonic() + SETTLE_SECONDS
            while True:
                rows = await outbox_rows(sessions)
                # a row is marked sent after WeChat recorded it: settled, everything is in
                if len(rows) >= expected and all(row.status != "pending" for row in rows):
                    break
                assert time.monotonic() < deadline, Counter(r.status for r in rows)
                await asyncio.sleep(0.5)
        finally:
            for running in (*webs, worker_a, worker_b):
                running.stop()
    took = time.monotonic() - started

    # Every message answered 200 with its step's question; one report each, numbered once.
    numbers = []
    for citizen in citizens:
        assert len(citizen.replies) == len(steps(0)) and set(citizen.statuses) == {200}
        assert CODE.search(citizen.replies[-1]), citizen.replies[-1]
        numbers.append(NUMBER.search(citizen.replies[-1]).group(1))  # type: ignore[union-attr]
        async with sessions() as session:
            own = (
                await session.scalars(
                    select(Report.number).where(
                        Report.reporter_openid_hash == vault.lookup_hash(citizen.openid)
                    )
                )
            ).all()
        assert own == [numbers[-1]]
    assert len(set(numbers)) == CITIZENS and not set(numbers) & set(bulk)
    assert all(status == 200 and body["status"] == "assigned" for status, body in accepted.values())

    # Every outbox row sent, and WeChat received exactly what the rows asked, each once.
    rows = await outbox_rows(sessions)
    assert Counter(row.status for row in rows) == {"sent": len(rows)} and len(rows) == expected
    received = Counter(received_as(sent) for sent in fake.records)
    assert received == Counter(meant(row, vault) for row in rows)
    assert set(received.values()) == {1}
    kinds = Counter(tuple(row.key.split(":")[:2]) for row in rows if "reminder" not in row.key)
    assert kinds == {
        (kind, number): 1
        for number in numbers
        for kind in ("assigned-group", "assigned-officer", "reporter")
    }

    # One reminder per report in the ledger, each received once, none missing.
    async with sessions() as session:
        ledger = (
            await session.execute(
                select(ReminderEntry.id, Report.number)
                .join(Report, Report.id == ReminderEntry.report_id)
                .where(ReminderEntry.sent.is_(True))
            )
        ).all()
    assert sorted(number for _, number in ledger) == sorted(bulk)
    assert {row.key for row in rows if "reminder" in row.key} == {
        f"reminder:{entry_id}:dispatchers" for entry_id, _ in ledger
    }
    reminded = Counter(
        re.search(r"ZJG-\d{4}-\d{6}", sent.text).group(0)  # type: ignore[union-attr]
        for sent in fake.records
        if sent.to == DISPATCHER
    )
    assert reminded == Counter(bulk)

    # The kill: half-way, in mid-send. What A had in flight was sent again after its lease and
    # held back by WeChat Work's duplicate check, at most CONCURRENCY sends; A's other claimed
    # rows went out once, later.
    assert DEADLINES // 2 <= reminders["at_kill"] < DEADLINES
    assert 1 <= len(fake.duplicates) <= CONCURRENCY
    assert {received_as(sent) for sent in fake.duplicates} <= set(received)
    assert {sent.channel for sent in fake.duplicates} == {"work_app"}
    again = {meant(row, vault) for row in rows if row.attempts > 1}
    assert {received_as(sent) for sent in fake.duplicates} <= again
    for running in (*webs, worker_b):
        assert "Traceback" not in running.log_text(), running.log_text()[-3000:]
    print(f"multi-process run: {took:.1f} s, {len(again)} message(s) sent again after the kill")
