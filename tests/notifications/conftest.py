"""A WeChat API client against the fake, and the identity vault."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jubao.clock import FixedClock
from jubao.config import Settings
from jubao.identity import IdentityVault
from notifications.wechat_api import WeChatClient

CLIENT_TIMEOUT = 0.3  # seconds; the fake's "delay" failures wait longer


@pytest.fixture
async def api(
    api_settings: Settings, sessions: async_sessionmaker[AsyncSession], clock: FixedClock
) -> AsyncIterator[WeChatClient]:
    async with WeChatClient(api_settings, sessions, clock, timeout=CLIENT_TIMEOUT) as client:
        yield client


@pytest.fixture
def vault(settings: Settings) -> IdentityVault:
    return IdentityVault(settings.identity_keys)
