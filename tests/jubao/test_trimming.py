"""Housekeeping trims the message log after 7 days and finished outbox rows after 90, in
batches of short transactions; retries, replies and the 48-hour window are untouched."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event, func, select

from bot.housekeeping import trim
from jubao.identity import IdentityVault
from notifications.channels import Channel
from notifications.citizen_window import channel_for
from notifications.message_log import InboundMessage
from notifications.models import OutboxMessage


async def _log_rows(sessions, openid_hashes) -> int:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        return await session.scalar(
            select(func.count()).where(InboundMessage.openid_hash.in_(openid_hashes))
        )


async def test_old_log_rows_go_recent_stay_retries_and_the_window_keep_working(
    wechat, sessions, clock, settings
):
    vault = IdentityVault(settings.identity_keys)
    old, lately, now = (vault.lookup_hashes(o) for o in ("o-old", "o-lately", "o-now"))
    await wechat.say("o-old", "举报")
    clock.advance(timedelta(days=8) - timedelta(hours=47))
    await wechat.say("o-lately", "举报")  # 47 hours before the trim: his window is open
    clock.advance(timedelta(hours=47))
    await wechat.say("o-now", "举报")
    signed = wechat.signed("o-now", "text", Content="1")
    first = await wechat.post(signed)

    trimmed = await trim(sessions, clock.now())

    assert trimmed.messages >= 1
    assert await _log_rows(sessions, old) == 0
    assert await _log_rows(sessions, lately) == 1 and await _log_rows(sessions, now) == 2
    retry = await wechat.post(signed)  # WeChat's retry, seconds later
    assert retry.status == 200 and retry.reply == first.reply and "镇（区）" in first.reply
    async with sessions() as session:
        assert await channel_for(session, lately, clock.now()) is Channel.MP_CUSTOM
        assert await channel_for(session, now, clock.now()) is Channel.MP_CUSTOM
        assert await channel_for(session, old, clock.now()) is Channel.MP_TEMPLATE


async def test_a_backlog_goes_in_batches_each_its_own_transaction(sessions, clock):
    now = clock.now()
    async with sessions.begin() as session:
        for n in range(25):
            session.add(
                InboundMessage(
                    channel="mp", msg_id=n + 1, msg_type="text", received_at=now - timedelta(days=9)
                )
            )
        session.add(InboundMessage(channel="mp", msg_id=99, msg_type="text", received_at=now))
    commits: list[int] = []
    engine = sessions.kw["bind"].sync_engine

    def committed(connection: object) -> None:
        commits.append(1)

    event.listen(engine, "commit", committed)
    try:
        first = await trim(sessions, now, batch=10, batches=2)
        second = await trim(sessions, now, batch=10, batches=2)
    finally:
        event.remove(engine, "commit", committed)
    assert (first.messages, second.messages) == (20, 5)
    async with sessions() as session:
        left = (await session.scalars(select(InboundMessage.msg_id))).all()
    assert left == [99]
    assert len(commits) == 5  # 10 and 10, then 5; and an empty outbox batch each run


async def test_finished_outbox_rows_go_after_90_days_pending_ones_never(sessions, clock):
    now = clock.now()

    def row(key: str, status: str, age: timedelta) -> OutboxMessage:
        sent_at = now - age if status == "sent" else None
        return OutboxMessage(
            key=key, channel="work_group", text="…", status=status, attempts=1,
            created_at=now - age, sent_at=sent_at,
        )  # fmt: skip

    async with sessions.begin() as session:
        session.add_all(
            [
                row("sent-old", "sent", timedelta(days=91)),
                row("failed-old", "failed", timedelta(days=91)),
                row("pending-old", "pending", timedelta(days=91)),
                row("sent-recent", "sent", timedelta(days=89)),
            ]
        )
    trimmed = await trim(sessions, now)
    async with sessions() as session:
        keys = set((await session.scalars(select(OutboxMessage.key))).all())
    assert trimmed.outbox == 2
    assert keys == {"pending-old", "sent-recent"}
