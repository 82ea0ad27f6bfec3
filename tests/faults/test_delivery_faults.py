"""Deliveries when things fail: WeChat's API away for a while (timeouts, errors) — messages wait
in the outbox and go out once each when it is back; and a `jubao worker` killed with kill -9 while
its sends are in flight (WeChat accepted them, the answers never came back) — nothing is lost,
and where WeChat offers a duplicate check nothing is sent twice. Where it offers none (customer-
service messages, the group chat and the group robot) the message arrives a second time: that
window is documented in docs/security/faults.md, and this test pins it down."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from jubao.clock import Clock, FixedClock
from jubao.identity import IdentityVault
from notifications.channels import Channel
from notifications.models import OutboxMessage
from notifications.outbox import LEASE, deliver_due, put
from notifications.wechat_api import WeChatClient
from tests.faults.processes import Serve, environment
from tests.notifications.conftest import CLIENT_TIMEOUT

CHATID = "wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA"
MESSAGES = [  # key, channel, recipient, extra
    ("officer", Channel.WORK_APP, "zhangwei", {"title": "新分派"}),
    ("group", Channel.WORK_GROUP, None, {"markdown": True}),
    ("citizen", Channel.MP_CUSTOM, "oCitizen-1", None),
    ("template", Channel.MP_TEMPLATE, "oCitizen-2", {"data": {"first": "受理"}}),
]


@pytest.fixture
def vault(settings) -> IdentityVault:  # type: ignore[no-untyped-def]
    return IdentityVault(settings.identity_keys)


async def queue_all(sessions, vault, now: datetime) -> None:  # type: ignore[no-untyped-def]
    async with sessions.begin() as session:
        for key, channel, recipient, extra in MESSAGES:
            await put(
                session, key=key, channel=channel, recipient=recipient, text=f"text of {key}",
                vault=vault, now=now, extra=extra,
            )  # fmt: skip


async def statuses(sessions) -> list[str]:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        return list((await session.scalars(select(OutboxMessage.status))).all())


async def test_wechat_away_for_a_while_then_everything_goes_out_once(
    sessions, vault, clock, api_settings, fake_api
):  # type: ignore[no-untyped-def]
    await queue_all(sessions, vault, clock.now())
    settings = api_settings.replace(work_chatid=CHATID, mp_template_id="TPL-1")
    fake_api.fail(1.0, kinds=("delay", "busy", "http500"), delay=CLIENT_TIMEOUT * 3)
    async with WeChatClient(settings, sessions, clock, timeout=CLIENT_TIMEOUT) as client:
        for _ in range(4):  # an hour and more of timeouts and errors
            await deliver_due(sessions, client, vault, clock.now())
            clock.advance(timedelta(minutes=20))
        assert fake_api.sent() == [] and set(await statuses(sessions)) == {"pending"}
        fake_api.fail(0.0)  # WeChat is back
        clock.advance(timedelta(hours=1))
        await deliver_due(sessions, client, vault, clock.now())
        clock.advance(timedelta(hours=1))
        assert (await deliver_due(sessions, client, vault, clock.now())).claimed == 0
    assert set(await statuses(sessions)) == {"sent"}
    assert Counter(sent.channel for sent in fake_api.sent()) == {
        "work_app": 1, "work_appchat": 1, "mp_custom": 1, "mp_template": 1,
    }  # fmt: skip


async def test_a_worker_killed_mid_delivery_loses_nothing_and_doubles_only_without_a_check(
    settings, sessions, vault, api_settings, fake_api, tmp_path
):  # type: ignore[no-untyped-def]
    await queue_all(sessions, vault, Clock().now())
    fake_api.holding = asyncio.Event()  # WeChat accepts each message, its answer hangs
    env = environment(api_settings, JUBAO_WORK_CHATID=CHATID, JUBAO_MP_TEMPLATE_ID="TPL-1")
    worker = Serve(env, tmp_path, command="worker")
    worker.start()
    try:
        for _ in range(600):
            if len(fake_api.sent()) == len(MESSAGES):
                break
            await asyncio.sleep(0.05)
        assert len(fake_api.sent()) == len(MESSAGES), worker.log_text()
        worker.kill()  # every send reached WeChat; none of the outcomes was recorded
    finally:
        worker.stop()
        fake_api.holding.set()
    assert set(await statuses(sessions)) == {"pending"}  # nothing marked, nothing lost

    later = FixedClock(datetime.now(UTC) + LEASE + timedelta(seconds=5))  # the lease is over
    client_settings = api_settings.replace(work_chatid=CHATID, mp_template_id="TPL-1")
    async with WeChatClient(client_settings, sessions, later) as client:
        report = await deliver_due(sessions, client, vault, later.now())
    assert report.sent == len(MESSAGES) and set(await statuses(sessions)) == {"sent"}
    received = Counter(sent.channel for sent in fake_api.sent())
    assert received["work_app"] == 1  # enable_duplicate_check
    assert received["mp_template"] == 1  # client_msg_id
    assert received["mp_custom"] == 2 and received["work_appchat"] == 2  # no check offered
