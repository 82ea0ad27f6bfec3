"""The messages bench.callback sends: encrypted 举报 from new citizens, signed as WeChat signs
them, written out for the wrk script; and the check of one reply."""

from __future__ import annotations

import secrets
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from jubao.demo import DEMO_MP
from jubao.demo.wechat import OfficialAccountSide, SignedRequest

PATH = "/wechat/mp"
NOTICE_MARK = "举报须知"  # in jubao's answer to 举报


def official_account() -> OfficialAccountSide:
    return OfficialAccountSide(DEMO_MP["mp_token"], DEMO_MP["mp_appid"], DEMO_MP["mp_aes_key"])


def first_msg_id() -> int:
    """The first of a run of MsgIds new on every run, even on a kept database."""
    return 2**61 + secrets.randbelow(2**60)


def signed_reports(count: int, side: OfficialAccountSide) -> list[SignedRequest]:
    """`count` encrypted 举报 messages from as many new citizens, stamped now, new MsgIds."""
    tag = secrets.token_hex(6)  # openids new on every run, even on a kept database
    first = first_msg_id()
    now = int(time.time())
    signed = []
    for n in range(count):
        openid = f"oBench{tag}{n:010d}"  # 28 characters, as WeChat's
        xml = side.message(openid, "text", first + n, now, Content="举报")
        signed.append(side.request(xml, timestamp=now))
    return signed


def write_requests(path: Path, signed: Sequence[SignedRequest]) -> None:
    """One request a line for bench/callback.lua: query, tab, body (single-line XML)."""
    with path.open("w", encoding="utf-8") as handle:
        for request in signed:
            body = request.body.decode()
            if "\n" in body or "\t" in body:
                raise RuntimeError("a request body does not fit on one line")
            handle.write(f"{request.query}\t{body}\n")


def check_reply(base_url: str, side: OfficialAccountSide) -> str:
    """Send one fresh message and decrypt the answer; it must be the report notice."""
    (signed,) = signed_reports(1, side)
    request = urllib.request.Request(
        f"{base_url}{PATH}?{signed.query}",
        data=signed.body,
        headers={"Content-Type": "text/xml"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read().decode()
    try:
        reply = side.read_reply(body)
    except ValueError as error:
        raise RuntimeError(f"the reply to 举报 cannot be read: {error}") from None
    if NOTICE_MARK not in reply:
        raise RuntimeError(f"unexpected reply to 举报: {reply[:200]!r}")
    return reply
