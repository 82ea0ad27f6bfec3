"""WeChat's side of our callbacks, over HTTP, signed and encrypted as WeChat does it: a citizen
talking to /wechat/mp (MpClient) and an officer to /wechat/work (WorkClient). Every test that
speaks the protocol goes through here."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from aiohttp.test_utils import TestClient

from jubao.clock import Clock
from jubao.config import Settings
from jubao.demo.wechat import OfficialAccountSide, SignedRequest, WorkSide

_msg_ids = itertools.count(6054768590064713728)
_work_msg_ids = itertools.count(7_000_000_000_000_000_001)
NUMBER = re.compile(r"举报编号：(\S+)")
CODE = re.compile(r"查询码：([\d ]{19})")


def next_msg_id() -> int:
    """A MsgId no other Official Account message of this run has (retries reuse theirs)."""
    return next(_msg_ids)


def next_work_msg_id() -> int:
    """The same for WeChat Work messages."""
    return next(_work_msg_ids)


@dataclass
class Response:
    status: int
    body: str
    reply: str


@dataclass
class Filed:
    number: str
    code: str
    reply: str


class MpClient:
    def __init__(self, client: TestClient, side: OfficialAccountSide, clock: Clock) -> None:
        self.client, self.side, self.clock = client, side, clock

    def now(self) -> int:
        return int(self.clock.now().timestamp())

    async def post(self, signed: SignedRequest) -> Response:
        response = await self.client.post(f"/wechat/mp?{signed.query}", data=signed.body)
        body = await response.text()
        reply = self.side.read_reply(body) if response.status == 200 else ""
        return Response(response.status, body, reply)

    def signed(
        self, openid: str, msg_type: str, msg_id: int | None = None, **fields: object
    ) -> SignedRequest:
        if msg_type != "event" and msg_id is None:
            msg_id = next_msg_id()
        xml = self.side.message(openid, msg_type, msg_id, self.now(), **fields)
        return self.side.request(xml, timestamp=self.now())

    async def send(self, openid: str, msg_type: str, **fields: object) -> str:
        response = await self.post(self.signed(openid, msg_type, **fields))
        assert response.status == 200, response.body
        return response.reply

    async def say(self, openid: str, content: str) -> str:
        return await self.send(openid, "text", Content=content)

    async def file_report(
        self,
        openid: str,
        *,
        category: str = "1",
        town: str = "塘桥镇",
        place: str = "张家港市宏达化工有限公司，塘桥镇南京路18号",
        details: str = "2人受伤，11月26日下午",
        description: str = "仓库消防通道被堆放的化工原料桶堵死，灭火器过期。",
        evidence: int = 0,
        name: str = "",
        phone: str = "",
    ) -> Filed:
        await self.say(openid, "举报")
        await self.say(openid, category)
        await self.say(openid, town)
        await self.say(openid, place)
        if category in ("2", "3"):
            await self.say(openid, details)
        await self.say(openid, description)
        for n in range(evidence):
            await self.send(openid, "image", MediaId=f"media-{openid}-{n}", PicUrl="http://x/y.jpg")
        await self.say(openid, "完成")
        if name:
            await self.say(openid, "1")
            await self.say(openid, name)
            await self.say(openid, phone)
        else:
            await self.say(openid, "2")
        reply = await self.say(openid, "1")
        number, code = NUMBER.search(reply), CODE.search(reply)
        assert number and code, reply
        return Filed(number.group(1), code.group(1), reply)


class WorkClient:
    """An officer talking to /wechat/work from the WeChat Work app."""

    def __init__(self, client: TestClient, side: WorkSide, clock: Clock) -> None:
        self.client, self.side, self.clock = client, side, clock

    @classmethod
    def of(cls, client: TestClient, settings: Settings, clock: Clock) -> WorkClient:
        """The client for the WeChat Work app that `settings` name."""
        side = WorkSide(settings.work_token, settings.work_corpid, settings.work_aes_key)
        return cls(client, side, clock)

    def signed(self, user: str, content: str, msg_id: int | None = None) -> SignedRequest:
        now = int(self.clock.now().timestamp())
        xml = self.side.text(user, content, msg_id or next_work_msg_id(), now)
        return self.side.request(xml, timestamp=now)

    async def post(self, signed: SignedRequest) -> tuple[int, str]:
        response = await self.client.post(f"/wechat/work?{signed.query}", data=signed.body)
        body = await response.text()
        return response.status, self.side.read_reply(body) if response.status == 200 else body

    async def say(self, user: str, content: str) -> str:
        status, reply = await self.post(self.signed(user, content))
        assert status == 200, reply
        return reply
