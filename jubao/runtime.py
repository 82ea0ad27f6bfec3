"""What every entry point works with, built in one place: the database engine and its
sessions, the identity vault, the clock and the WeChat API client.

`create_app` enters it in a cleanup context; every CLI command enters it around its work. It
is part of the composition root (it builds notifications' WeChat client), so only the root
(jubao.app, jubao.cli, jubao.demo) imports it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from jubao.clock import Clock
from jubao.config import ConfigError, Settings
from jubao.db import check_reachable, make_engine, make_sessionmaker
from jubao.identity import IdentityVault
from notifications.wechat_api import WeChatClient


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    clock: Clock
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    wechat: WeChatClient
    identity: IdentityVault | None  # None when JUBAO_IDENTITY_KEYS is not given

    @property
    def vault(self) -> IdentityVault:
        if self.identity is None:
            raise ConfigError("JUBAO_IDENTITY_KEYS must be set for this")
        return self.identity


@asynccontextmanager
async def runtime(
    settings: Settings, *, clock: Clock | None = None, check_database: bool = True
) -> AsyncIterator[Runtime]:
    """The engine (disposed on leaving), its sessionmaker, the vault and a WeChat client.
    Raises DatabaseUnavailable, in one line, when the database cannot be reached, unless
    `check_database` is off (the web app starts anyway and says so on /healthz)."""
    clock = clock or Clock()
    vault = IdentityVault(settings.identity_keys) if settings.identity_keys else None
    engine = make_engine(settings.database_url, settings.database_pool_size)
    try:
        if check_database:
            await check_reachable(engine)
        sessions = make_sessionmaker(engine)
        async with WeChatClient(settings, sessions, clock) as wechat:
            yield Runtime(settings, clock, engine, sessions, wechat, vault)
    finally:
        await engine.dispose()
