"""Typed keys for everything the app shares (aiohttp AppKey)."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from jubao.clock import Clock
from jubao.config import Settings
from jubao.heartbeat import Heartbeat
from jubao.identity import IdentityVault

SETTINGS = web.AppKey("settings", Settings)
CLOCK = web.AppKey("clock", Clock)
VAULT = web.AppKey("vault", IdentityVault)
ENGINE = web.AppKey("engine", AsyncEngine)
SESSIONS = web.AppKey("sessions", async_sessionmaker[AsyncSession])
HEARTBEAT = web.AppKey("heartbeat", Heartbeat)  # `jubao worker --heartbeat FILE` only
