"""WeChat's servers for tests: the fake API served on loopback, and credentials to check."""

from __future__ import annotations

from typing import Any

from jubao.clock import Clock
from jubao.config import Settings
from jubao.demo.fake_api import FakeWeChat

# The Official Account appid comes from DEMO_MP (WeChat's test vectors); the corp is WeChat
# Work's published test corp.
CREDENTIALS = {
    "mp_secret": "test-mp-secret",
    "work_corpid": "wx5823bf96d3bd56c7",
    "work_secret": "test-work-secret",
    "work_agentid": "1000002",
}


async def serve_fake_api(aiohttp_server: Any, settings: Settings, clock: Clock) -> FakeWeChat:
    """The fake on its own loopback port; `fake.url` is the base of both APIs."""
    fake = FakeWeChat(settings.replace(**CREDENTIALS), clock=clock)
    server = await aiohttp_server(fake.make_app())
    fake.url = str(server.make_url("")).rstrip("/")
    return fake


def pointing_at(settings: Settings, fake: FakeWeChat) -> Settings:
    """`settings` with the fake's credentials and both API bases at the fake."""
    return settings.replace(mp_api_base=fake.url, work_api_base=fake.url, **CREDENTIALS)
