"""The outbox: idempotent put, delivery exactly once through failures, timeouts and crashes."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jubao.clock import Clock
from jubao.identity import IdentityVault
from notifications.channels import Channel
from notifications.models import OutboxMessage
from notifications.outbox import LEASE, MAX_ATTEMPTS, backoff, claim, deliver_due, put
from notifications.wechat_api import WeChatClient
from tests.notifications.conftest import CLIENT_TIMEOUT

OPENID = "oDF3iY9ffA-hqb2vVvbr7qxf6A0Q"


async def queue(
    sessions: async_sessionmaker[AsyncSession],
    vault: IdentityVault,
    clock: Clock,
    key: str,
    channel: Channel | str = Channel.MP_CUSTOM,
    recipient: str | None = OPENID,
    text: str | None = None,
    **extra: Any,
) -> bool:
    async with sessions.begin() as session:
        return await put(
            session,
            key=key,
            channel=channel,
            recipient=recipient,
            text=text or f"text of {key}",
            vault=vault,
            now=clock.now(),
            extra=extra or None,
        )


async def rows(sessions: async_sessionmaker[AsyncSession]) -> list[OutboxMessage]:
    async with sessions() as session:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        return list((await session.scalars(query)).all())


async def test_put_is_idempotent(sessions, vault, clock, api, fake_api):  # type: ignore[no-untyped-def]
    assert await queue(sessions, vault, clock, "accepted:ZJG-2026-000001") is True
    assert await queue(sessions, vault, clock, "accepted:ZJG-2026-000001") is False
    assert len(await rows(sessions)) == 1
    await deliver_due(sessions, api, vault, clock.now())
    await deliver_due(sessions, api, vault, clock.now())
    assert [sent.text for sent in fake_api.sent()] == ["text of accepted:ZJG-2026-000001"]


async def test_put_joins_the_callers_transaction(sessions, vault, clock):  # type: ignore[no-untyped-def]
    with pytest.raises(RuntimeError):
        async with sessions.begin() as session:
            await put(
                session, key="k", channel="work_group", recipient=None, text="t",
                vault=vault, now=clock.now(),
            )  # fmt: skip
            raise RuntimeError("the change failed")
    assert await rows(sessions) == []


async def test_citizen_openid_is_stored_encrypted(sessions, vault, clock):  # type: ignore[no-untyped-def]
    await queue(sessions, vault, clock, "citizen")
    await queue(sessions, vault, clock, "officer", Channel.WORK_APP, "zhangwei")
    citizen, officer = await rows(sessions)
    assert citizen.recipient is None and vault.decrypt(citizen.recipient_enc) == OPENID
    assert OPENID not in str(vars(citizen))
    assert (officer.recipient, officer.recipient_enc) == ("zhangwei", None)


async def test_put_refuses_incomplete_messages(sessions, vault, clock):  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="recipient"):
        await queue(sessions, vault, clock, "a", Channel.WORK_APP, None)
    with pytest.raises(ValueError, match="data"):
        await queue(sessions, vault, clock, "b", Channel.MP_TEMPLATE)
    with pytest.raises(ValueError):
        await queue(sessions, vault, clock, "c", "sms")


async def test_each_due_message_is_sent_once(sessions, vault, clock, api, fake_api):  # type: ignore[no-untyped-def]
    await queue(sessions, vault, clock, "custom")
    await queue(sessions, vault, clock, "template", Channel.MP_TEMPLATE,
                data={"first": "举报进展"}, template_id="TPL-9", url="https://x/1")  # fmt: skip
    await queue(sessions, vault, clock, "app", Channel.WORK_APP, "zhangwei")
    await queue(sessions, vault, clock, "card", Channel.WORK_APP, "zhangwei", title="新分派")
    report = await deliver_due(sessions, api, vault, clock.now())
    assert (report.claimed, report.sent) == (4, 4)
    assert (await deliver_due(sessions, api, vault, clock.now())).claimed == 0
    assert fake_api.last("mp_custom").to == OPENID
    assert fake_api.last("mp_template").body["template_id"] == "TPL-9"
    app, card = fake_api.sent("work_app")
    assert app.body["msgtype"] == "text" and app.text == "text of app"
    assert card.body["textcard"] == {
        "title": "新分派",
        "description": "text of card",
        "url": api.settings.public_url,
        "btntxt": "详情",
    }
    assert all(row.status == "sent" and row.sent_at == clock.now() for row in await rows(sessions))


async def test_template_id_defaults_to_the_setting(sessions, vault, clock, api_settings, fake_api):  # type: ignore[no-untyped-def]
    await queue(sessions, vault, clock, "t", Channel.MP_TEMPLATE, data={"first": "x"})
    settings = api_settings.replace(mp_template_id="TPL-DEFAULT")
    async with WeChatClient(settings, sessions, clock) as client:
        assert (await deliver_due(sessions, client, vault, clock.now())).sent == 1
    assert fake_api.last("mp_template").body["template_id"] == "TPL-DEFAULT"


async def test_a_message_is_not_sent_before_it_is_due(sessions, vault, clock, api, fake_api):  # type: ignore[no-untyped-def]
    await queue(sessions, vault, clock, "later")
    assert (
        await deliver_due(sessions, api, vault, clock.now() - timedelta(seconds=1))
    ).claimed == 0
    assert fake_api.sent() == []


async def test_every_message_arrives_exactly_once_despite_failures(  # type: ignore[no-untyped-def]
    sessions, vault, clock, api_settings, fake_api
):
    keys = [f"m{n}" for n in range(24)]
    channels = [Channel.MP_CUSTOM, Channel.WORK_APP, Channel.WORK_GROUP]
    for n, key in enumerate(keys):
        channel = channels[n % 3]
        recipient = {Channel.MP_CUSTOM: f"openid-{n}", Channel.WORK_APP: "zhangwei"}.get(channel)
        await queue(sessions, vault, clock, key, channel, recipient)
    fake_api.fail(0.3, seed=2026, delay=CLIENT_TIMEOUT * 3)
    settings = api_settings.replace(work_webhook_key="robot")
    async with WeChatClient(settings, sessions, clock, timeout=CLIENT_TIMEOUT) as client:
        for _ in range(30):
            await deliver_due(sessions, client, vault, clock.now(), limit=10)
            if all(row.status == "sent" for row in await rows(sessions)):
                break
            clock.advance(timedelta(minutes=20))
    assert all(row.status == "sent" for row in await rows(sessions))
    texts = [sent.text for sent in fake_api.sent()]
    assert sorted(texts) == sorted(f"text of {key}" for key in keys)
    assert max(row.attempts for row in await rows(sessions)) > 1  # failures did happen


async def test_a_timeout_is_retried_with_backoff(sessions, vault, clock, api, fake_api):  # type: ignore[no-untyped-def]
    fake_api.delay = CLIENT_TIMEOUT * 3
    fake_api.script("mp_custom", "delay", "delay")
    await queue(sessions, vault, clock, "slow")
    start = clock.now()
    assert (await deliver_due(sessions, api, vault, start)).retrying == 1
    (row,) = await rows(sessions)
    assert row.next_attempt_at == start + timedelta(seconds=10) and row.lease_until is None
    assert row.last_error == "errcode -1001: timed out"
    assert (await deliver_due(sessions, api, vault, start + timedelta(seconds=9))).claimed == 0
    assert (await deliver_due(sessions, api, vault, start + timedelta(seconds=10))).retrying == 1
    (row,) = await rows(sessions)
    assert row.next_attempt_at == start + timedelta(seconds=30)  # then 20 s
    assert (await deliver_due(sessions, api, vault, start + timedelta(seconds=30))).sent == 1
    assert len(fake_api.sent()) == 1 and (await rows(sessions))[0].attempts == 3


def test_backoff_doubles_up_to_an_hour():
    waits = [backoff(n).total_seconds() for n in (1, 2, 3, 4, 9, 10, 30)]
    assert waits == [10, 20, 40, 80, 2560, 3600, 3600]


async def test_a_final_error_fails_the_message(sessions, vault, clock, api, fake_api):  # type: ignore[no-untyped-def]
    fake_api.out_of_window.add(OPENID)
    await queue(sessions, vault, clock, "late")
    report = await deliver_due(sessions, api, vault, clock.now())
    assert (report.failed, report.sent) == (1, 0)
    (row,) = await rows(sessions)
    assert row.status == "failed" and row.next_attempt_at is None
    assert row.last_error == "errcode 45015: response out of time limit"
    clock.advance(timedelta(days=1))
    assert (await deliver_due(sessions, api, vault, clock.now())).claimed == 0


async def test_retries_end(sessions, vault, clock, api, fake_api):  # type: ignore[no-untyped-def]
    await queue(sessions, vault, clock, "doomed")
    async with sessions.begin() as session:
        await session.execute(update(OutboxMessage).values(attempts=MAX_ATTEMPTS - 1))
    fake_api.script("mp_custom", 503)
    assert (await deliver_due(sessions, api, vault, clock.now())).failed == 1
    assert (await rows(sessions))[0].last_error == "errcode -1003: HTTP 503"


async def test_a_crashed_delivery_is_taken_over_after_the_lease(
    sessions, vault, clock, api, fake_api
):  # type: ignore[no-untyped-def]
    await queue(sessions, vault, clock, "orphan")
    crashed = await claim(sessions, clock.now())  # a worker claims, then dies
    assert len(crashed) == 1
    assert (await deliver_due(sessions, api, vault, clock.now())).claimed == 0
    clock.advance(LEASE - timedelta(seconds=1))
    assert (await deliver_due(sessions, api, vault, clock.now())).claimed == 0
    clock.advance(timedelta(seconds=1))
    assert (await deliver_due(sessions, api, vault, clock.now())).sent == 1
    (row,) = await rows(sessions)
    assert row.status == "sent" and row.attempts == 2 and len(fake_api.sent()) == 1


@pytest.mark.parametrize(
    ("chatid", "webhook_key", "channel"),
    [
        ("wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA", "", "work_appchat"),
        ("wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA", "robot", "work_appchat"),
        ("", "robot", "work_webhook"),
        ("", "", None),
    ],
)
async def test_group_message_goes_one_way(  # type: ignore[no-untyped-def]
    sessions, vault, clock, api_settings, fake_api, caplog, chatid, webhook_key, channel
):
    await queue(sessions, vault, clock, "g1", Channel.WORK_GROUP, None, markdown=True)
    await queue(sessions, vault, clock, "g2", Channel.WORK_GROUP, None)
    settings = api_settings.replace(work_chatid=chatid, work_webhook_key=webhook_key)
    async with WeChatClient(settings, sessions, clock) as client:
        report = await deliver_due(sessions, client, vault, clock.now())
    assert [sent.channel for sent in fake_api.sent()] == ([channel] * 2 if channel else [])
    if channel:
        assert fake_api.sent()[0].body["msgtype"] == "markdown"
        assert report.sent == 2
    else:
        assert report.skipped == 2 and report.sent == 0
        assert all(
            r.status == "sent" and r.last_error.startswith("skipped") for r in await rows(sessions)
        )
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1 and "2 group message(s) not sent" in warnings[0].getMessage()


async def test_logs_and_errors_never_carry_recipients_or_texts(  # type: ignore[no-untyped-def]
    sessions, vault, clock, api, fake_api, caplog
):
    caplog.set_level(logging.DEBUG)
    secret_text = "举报人张三 13800138000"
    fake_api.script("mp_custom", {"errcode": 40003, "errmsg": f"invalid openid {OPENID}"})
    fake_api.script("work_app", {"errcode": -1, "errmsg": f"busy with {secret_text}"})
    await queue(sessions, vault, clock, "a", text=secret_text)
    await queue(sessions, vault, clock, "b", Channel.WORK_APP, "zhangwei", text=secret_text)
    await queue(sessions, vault, clock, "c", text=secret_text)
    report = await deliver_due(sessions, api, vault, clock.now())
    assert (report.failed, report.retrying, report.sent) == (1, 1, 1)
    assert caplog.records
    for leak in (OPENID, secret_text, "zhangwei"):
        assert leak not in caplog.text
        assert all(leak not in (row.last_error or "") for row in await rows(sessions))


async def test_a_bug_in_sending_keeps_the_message_for_later(  # type: ignore[no-untyped-def]
    sessions, vault, clock, api, fake_api, caplog, monkeypatch
):
    async def broken(openid: str, content: str) -> None:
        raise KeyError(content)

    monkeypatch.setattr(api, "mp_send_text", broken)
    await queue(sessions, vault, clock, "k", text="秘密内容")
    assert (await deliver_due(sessions, api, vault, clock.now())).retrying == 1
    (row,) = await rows(sessions)
    assert row.last_error.startswith("errcode 0: internal error KeyError at ")
    assert "秘密内容" not in caplog.text and "秘密内容" not in row.last_error


async def test_a_notice_whose_window_closed_goes_as_a_template(
    sessions, vault, clock, api, fake_api
):  # type: ignore[no-untyped-def]
    """Queued as a service message inside the 48 hours, sent after they ended (retries, a
    stopped worker): WeChat refuses it, and it goes as a template message instead."""
    fake_api.out_of_window.add(OPENID)
    data = {"first": {"value": "受理"}, "keyword1": {"value": "ZJG-2026-000001"}}
    await queue(sessions, vault, clock, "reporter:late", data=data, template_id="tmpl-1")
    report = await deliver_due(sessions, api, vault, clock.now())
    assert (report.sent, report.failed) == (1, 0)
    assert [sent.to for sent in fake_api.sent("mp_template")] == [OPENID]
    assert fake_api.sent("mp_custom") == []
