"""Access tokens: fetched once, shared through the database, refreshed before expiry and when
WeChat refuses them."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from jubao.db import make_engine, make_sessionmaker
from notifications.models import AccessToken
from notifications.wechat_api import WeChatClient

OPENID = "oDF3iY9ffA-hqb2vVvbr7qxf6A0Q"


async def test_token_is_fetched_once_and_kept(api, fake_api, sessions):  # type: ignore[no-untyped-def]
    for n in range(3):
        await api.mp_send_text(OPENID, f"message {n}")
        await api.work_send_text("zhangwei", f"message {n}")
    assert fake_api.token_fetches("mp") == 1 and fake_api.token_fetches("work") == 1
    async with sessions() as session:
        apps = sorted((await session.scalars(select(AccessToken.app))).all())
    assert apps == ["mp:wx2c2769f8efd9abc2", "work:wx5823bf96d3bd56c7:1000002"]


async def test_clients_share_one_token(api_settings, sessions, clock, fake_api):  # type: ignore[no-untyped-def]
    """Clients with their own caches and locks: only the lease in the database keeps them from
    fetching a token each."""
    clients = [WeChatClient(api_settings, sessions, clock) for _ in range(3)]
    await asyncio.gather(*(c.mp_send_text(OPENID, str(n)) for n, c in enumerate(clients * 2)))
    for client in clients:
        await client.close()
    assert fake_api.token_fetches("mp") == 1
    assert sorted(sent.text for sent in fake_api.sent("mp_custom")) == list("012345")


async def test_another_process_uses_the_stored_token(api_settings, clock, fake_api, api):  # type: ignore[no-untyped-def]
    await api.mp_send_text(OPENID, "first")
    engine = make_engine(api_settings.database_url)  # as another process would
    async with WeChatClient(api_settings, make_sessionmaker(engine), clock) as other:
        await other.mp_send_text(OPENID, "from the other")
    await engine.dispose()
    assert fake_api.token_fetches("mp") == 1
    assert len(fake_api.sent("mp_custom")) == 2


async def test_refused_token_is_replaced_and_the_call_retried_once(api, fake_api):  # type: ignore[no-untyped-def]
    await api.mp_send_text(OPENID, "first")
    invalid = {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid"}
    fake_api.script("mp_custom", invalid)
    await api.mp_send_text(OPENID, "second")
    assert fake_api.token_fetches("mp") == 2
    assert fake_api.requests["mp_custom"] == 3
    assert [sent.text for sent in fake_api.sent("mp_custom")] == ["first", "second"]


async def test_expired_token_is_replaced(api, fake_api):  # type: ignore[no-untyped-def]
    await api.work_send_text("zhangwei", "first")
    fake_api.expire_tokens()  # 42001 from now on
    await api.work_send_text("zhangwei", "second")
    assert fake_api.token_fetches("work") == 2
    assert len(fake_api.sent("work_app")) == 2


async def test_another_process_refreshed_token_is_used(api_settings, clock, fake_api, api):  # type: ignore[no-untyped-def]
    await api.mp_send_text(OPENID, "first")
    fake_api.expire_tokens()
    engine = make_engine(api_settings.database_url)
    async with WeChatClient(api_settings, make_sessionmaker(engine), clock) as other:
        await other.mp_send_text(OPENID, "from the other")  # 42001, fetches a new token
    await engine.dispose()
    await api.mp_send_text(OPENID, "second")  # 42001 with its cached token: reads the new one
    assert fake_api.token_fetches("mp") == 2
    assert len(fake_api.sent("mp_custom")) == 3


# On SQLite, two engines in one event loop cannot hold transactions at the same time (a BEGIN
# IMMEDIATE blocks the loop the other needs to commit), so processes are simulated in turn here;
# with PostgreSQL the lease is the same code.


async def test_token_is_refreshed_five_minutes_before_expiry(api, fake_api, clock):  # type: ignore[no-untyped-def]
    await api.mp_send_text(OPENID, "first")
    clock.advance(timedelta(seconds=7200 - 6 * 60))
    await api.mp_send_text(OPENID, "still valid")
    assert fake_api.token_fetches("mp") == 1
    clock.advance(timedelta(minutes=2))  # four minutes left
    await api.mp_send_text(OPENID, "refreshed")
    assert fake_api.token_fetches("mp") == 2
    assert fake_api.requests["mp_custom"] == 3  # no call was refused


async def test_failed_fetch_lets_the_next_call_try_again(api, fake_api):  # type: ignore[no-untyped-def]
    import pytest

    from notifications.wechat_errors import WeChatError

    fake_api.script("mp_token", {"errcode": -1, "errmsg": "system error"})
    with pytest.raises(WeChatError) as refused:
        await api.mp_send_text(OPENID, "first")
    assert refused.value.retryable
    await api.mp_send_text(OPENID, "second")  # the lease was given back at once
    assert fake_api.token_fetches("mp") == 2
    assert [sent.text for sent in fake_api.sent("mp_custom")] == ["second"]
