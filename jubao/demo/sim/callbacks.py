"""The simulator's WeChat: it signs (and encrypts) a citizen's or an officer's message exactly as
WeChat's servers do and posts it over HTTP to the service's own callbacks, then reads the
passive reply. Nothing here calls the service's code directly."""

from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass

import aiohttp

from jubao.clock import Clock
from jubao.config import Settings
from jubao.demo.wechat import OfficialAccountSide, SignedRequest, WorkSide


@dataclass(frozen=True)
class Delivery:
    """What the callback answered: its HTTP status, and the passive reply's text ('' if none)."""

    status: int
    reply: str
    error: str = ""


class Callbacks:
    def __init__(self, settings: Settings, clock: Clock, http: aiohttp.ClientSession) -> None:
        self.clock, self.http = clock, http
        self.mp = OfficialAccountSide(settings.mp_token, settings.mp_appid, settings.mp_aes_key)
        self.work = WorkSide(
            settings.work_token, settings.work_corpid, settings.work_aes_key,
            settings.work_agentid or "1000002",
        )  # fmt: skip
        start = 10**17 + secrets.randbelow(10**16)  # MsgIds as WeChat's: large, never reused
        self._msg_ids = itertools.count(start)
        self._last_time: dict[str, int] = {}

    def create_time(self, party: str) -> int:
        """The clock's second, but later than this party's previous message: WeChat tells events
        apart by sender and CreateTime, so two taps in one second must not look like a retry."""
        now = int(self.clock.now().timestamp())
        moment = max(now, self._last_time.get(party, 0) + 1)
        self._last_time[party] = moment
        return moment

    async def citizen(self, origin: str, openid: str, msg_type: str, **fields: object) -> Delivery:
        """A message (or, for msg_type 'event', an event) from `openid` to /wechat/mp."""
        msg_id = None if msg_type == "event" else next(self._msg_ids)
        inner = self.mp.message(openid, msg_type, msg_id, self.create_time(openid), **fields)
        signed = self.mp.request(inner, timestamp=int(self.clock.now().timestamp()))
        return await self._post(f"{origin}/wechat/mp", signed, self.mp.read_reply)

    async def officer(self, origin: str, user: str, text: str) -> Delivery:
        """A text from an officer to the WeChat Work app, at /wechat/work."""
        inner = self.work.text(user, text, next(self._msg_ids), self.create_time(f"work:{user}"))
        signed = self.work.request(inner, timestamp=int(self.clock.now().timestamp()))
        return await self._post(f"{origin}/wechat/work", signed, self.work.read_reply)

    async def _post(self, url: str, signed: SignedRequest, read) -> Delivery:  # type: ignore[no-untyped-def]
        async with self.http.post(f"{url}?{signed.query}", data=signed.body) as response:
            body = await response.text()
            if response.status != 200:
                return Delivery(response.status, "", body[:200])
            return Delivery(200, read(body))
