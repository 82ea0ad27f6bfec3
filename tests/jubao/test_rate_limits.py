"""Rate limits by client address on the JSON API (issue 14, item 5): past 600 requests a minute
an address gets 429 with the API's error shape and Retry-After, and nothing of the request
runs; the count is a row in the database, by address (X-Forwarded-For only from a trusted
proxy), in fixed one-minute windows that the purge deletes after a day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from jubao import rate_limits
from jubao.app import create_app
from jubao.rate_limits import API_LIMIT, API_WINDOW, RateCount, retry_after, window_start

AT = datetime(2026, 11, 27, 2, 0, 40, tzinfo=UTC)


def test_windows_are_fixed_minutes_and_retry_after_counts_to_the_next():
    assert window_start(AT, timedelta(minutes=1)) == datetime(2026, 11, 27, 2, tzinfo=UTC)
    assert window_start(AT, timedelta(minutes=15)) == datetime(2026, 11, 27, 2, tzinfo=UTC)
    assert retry_after(AT, timedelta(minutes=1)) == 20
    assert retry_after(AT.replace(second=59, microsecond=900), timedelta(minutes=1)) == 1


async def counted(sessions, scope: str) -> dict[str, int]:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        rows = await session.execute(
            select(RateCount.subject, RateCount.hits).where(RateCount.scope == scope)
        )
    return dict(rows.all())  # type: ignore[arg-type]


async def fill(sessions, address: str, clock, hits: int = API_LIMIT) -> None:  # type: ignore[no-untyped-def]
    """The address has made `hits` API requests this minute (as many requests would)."""
    async with sessions.begin() as session:
        session.add(
            RateCount(
                scope="api",
                subject=address,
                window_start=window_start(clock.now(), API_WINDOW),
                hits=hits,
            )
        )


async def test_each_api_request_counts_for_its_address(staff, sessions):
    before = (await counted(sessions, "api")).get("127.0.0.1", 0)
    for _ in range(3):
        assert (await staff.get("/api/v1/reports", "wang"))[0] == 200
    assert (await counted(sessions, "api"))["127.0.0.1"] == before + 3


async def test_past_the_limit_the_api_answers_429_and_does_nothing(staff, sessions, clock):
    await fill(sessions, "127.0.0.1", clock, API_LIMIT - 1)
    assert (await staff.get("/api/v1/reports", "wang"))[0] == 200  # the 600th
    response = await staff.client.post(
        "/api/v1/reports",
        json={"category": "hazard", "town": "塘桥镇", "place": "x", "description": "y",
              "channel": "phone"},
        headers={"Authorization": f"Bearer {staff.tokens['wang']}"},
    )  # fmt: skip
    assert response.status == 429 and response.headers["Retry-After"] == "60"
    body = await response.json()
    assert body == {"error": "rate_limited", "message": "请求过于频繁，请稍后再试"}
    assert (await staff.get("/api/v1/reports", "wang"))[0] == 429
    clock.advance(API_WINDOW)
    assert (await staff.get("/api/v1/reports", "wang"))[1]["total"] == 0  # nothing was filed


async def test_forwarded_for_counts_only_behind_a_trusted_proxy(
    aiohttp_client, settings, clock, staff, sessions
):
    await fill(sessions, "203.0.113.7", clock)
    spoofed = {"X-Forwarded-For": "203.0.113.7"}
    assert (await staff.client.get("/api/v1/openapi.json", headers=spoofed)).status == 200
    proxied = await aiohttp_client(
        create_app(settings.replace(trusted_proxies=("127.0.0.1",)), clock=clock)
    )
    assert (await proxied.get("/api/v1/openapi.json", headers=spoofed)).status == 429
    other = {"X-Forwarded-For": "203.0.113.7, 198.51.100.2"}  # the proxy saw .2
    assert (await proxied.get("/api/v1/openapi.json", headers=other)).status == 200
    assert (await counted(sessions, "api"))["198.51.100.2"] == 1


@pytest.mark.parametrize(
    "trusted", [("127.0.0.0/8",), ("10.0.0.0/8", "127.0.0.0/29"), ("::1", "127.0.0.0/30")]
)
async def test_a_trusted_network_of_proxies_is_looked_past(
    aiohttp_client, settings, clock, sessions, trusted
):  # type: ignore[no-untyped-def]
    """Behind a load balancer whose address changes within a network (Docker's, a cloud's):
    every hop inside a trusted network is skipped, the first one outside is the client."""
    proxied = await aiohttp_client(
        create_app(settings.replace(trusted_proxies=trusted), clock=clock)
    )
    chain = {"X-Forwarded-For": "198.51.100.9, 127.0.0.2, 127.0.0.3"}  # two proxies in a row
    assert (await proxied.get("/api/v1/openapi.json", headers=chain)).status == 200
    assert (await counted(sessions, "api")) == {"198.51.100.9": 1}
    untrusted_hop = {"X-Forwarded-For": "198.51.100.9, 192.0.2.50, 127.0.0.2"}
    assert (await proxied.get("/api/v1/openapi.json", headers=untrusted_hop)).status == 200
    assert (await counted(sessions, "api"))["192.0.2.50"] == 1  # a hop we do not trust


async def test_outside_the_trusted_networks_the_header_is_ignored(
    aiohttp_client, settings, clock, sessions
):  # type: ignore[no-untyped-def]
    proxied = await aiohttp_client(
        create_app(settings.replace(trusted_proxies=("10.0.0.0/8",)), clock=clock)
    )
    spoofed = {"X-Forwarded-For": "198.51.100.9"}  # the peer, 127.0.0.1, is not a proxy of ours
    assert (await proxied.get("/api/v1/openapi.json", headers=spoofed)).status == 200
    assert (await counted(sessions, "api")) == {"127.0.0.1": 1}


async def test_windows_older_than_a_day_are_purged(sessions, clock, client):
    await fill(sessions, "192.0.2.1", clock)
    async with sessions.begin() as session:
        assert await rate_limits.purge(session, clock.now() + timedelta(hours=23)) == 0
        assert await rate_limits.purge(session, clock.now() + timedelta(days=1, minutes=1)) == 1
        assert await session.scalar(select(func.count()).select_from(RateCount)) == 0
