"""Staff talking to the JSON API with bearer tokens made the way `jubao token create` does."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jubao.auth import User, create_token, hash_password
from jubao.clock import Clock

PASSWORD = "long enough password"
_PASSWORD_HASH = ""


async def add_user(
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock,
    username: str,
    role: str,
    *,
    town: str | None = None,
    wework_id: str | None = None,
) -> str:
    """A user as `jubao user add` makes one (one Argon2 hash shared, for speed); his API token
    as `jubao token create` makes one."""
    global _PASSWORD_HASH
    _PASSWORD_HASH = _PASSWORD_HASH or await hash_password(PASSWORD)
    async with sessions.begin() as session:
        session.add(
            User(
                username=username,
                role=role,
                town=town,
                wework_id=wework_id,
                password_hash=_PASSWORD_HASH,
                created_at=clock.now(),
            )
        )
        await session.flush()
        return await create_token(session, username, clock.now())


class StaffApi:
    def __init__(
        self, client: TestClient, sessions: async_sessionmaker[AsyncSession], clock: Clock
    ) -> None:
        self.client, self.sessions, self.clock = client, sessions, clock
        self.tokens: dict[str, str] = {}

    async def add(
        self, username: str, role: str, *, town: str | None = None, wework_id: str | None = None
    ) -> str:
        """A user as `jubao user add` makes one, with a token."""
        self.tokens[username] = await add_user(
            self.sessions, self.clock, username, role, town=town, wework_id=wework_id
        )
        return username

    def _headers(self, who: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}

    async def get(self, path: str, who: str | None, **params: str) -> tuple[int, Any]:
        response = await self.client.get(path, params=params, headers=self._headers(who))
        return response.status, await response.json()

    async def post(self, path: str, who: str | None, body: Any) -> tuple[int, Any]:
        response = await self.client.post(path, json=body, headers=self._headers(who))
        return response.status, await response.json()

    async def act(self, number: str, who: str, action: str, **fields: Any) -> tuple[int, Any]:
        return await self.post(
            f"/api/v1/reports/{number}/actions", who, {"action": action, **fields}
        )

    async def report(self, number: str, who: str) -> Any:
        status, body = await self.get(f"/api/v1/reports/{number}", who)
        assert status == 200, body
        return body
