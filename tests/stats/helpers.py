"""The bureau's 2021 (jubao/demo/sample_year.py) on a test's database, and the sentence it must
give."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jubao.clock import Clock
from jubao.config import Settings
from jubao.demo.sample_year import load_sample_year

SENTENCE_2021 = "共受理各类信访举报93起，其中受伤举报47起，隐患举报46起，立案查处40起"


async def load_2021(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, clock: Clock
) -> int:
    async with sessions.begin() as session:
        return await load_sample_year(session, settings, clock.now())
