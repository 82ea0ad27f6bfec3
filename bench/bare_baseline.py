"""The bare handler: the same protocol work as jubao's callback, without the database.

bench.callback loads it against jubao (`python -m bench.callback --bare-server PORT`);
bench.callback_floor times its protocol work without aiohttp.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from aiohttp import web
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.messages import BaseMessage
from wechatpy.replies import TextReply

from bench.callback_messages import PATH
from bench.callback_servers import HOST
from bot import texts
from bot.protocol import (
    MAX_BODY_BYTES,
    Refusal,
    cdata_safe,
    check_signature,
    check_timestamp,
    parse_xml,
    require,
)
from jubao.demo import DEMO_MP

BARE_REPLY = f"{texts.NOTICE}\n\n{texts.CATEGORY_QUESTION}"  # jubao's answer to a first 举报


@dataclass(frozen=True)
class BareAccount:
    token: str
    crypto: WeChatCrypto


BARE = web.AppKey("bare", BareAccount)


def demo_account() -> BareAccount:
    """The demo Official Account, as the bare handler holds it."""
    token = DEMO_MP["mp_token"]
    return BareAccount(token, WeChatCrypto(token, DEMO_MP["mp_aes_key"], DEMO_MP["mp_appid"]))


def opened_message(
    account: BareAccount, outer: Mapping[str, str], query: Mapping[str, str]
) -> BaseMessage:
    """The message inside a callback's parsed outer document: both signatures checked, the
    inner document decrypted, parsed the hardened way (as jubao does first) and by wechatpy."""
    timestamp, nonce, msg_signature = query["timestamp"], query["nonce"], query["msg_signature"]
    check_signature(query["signature"], account.token, timestamp, nonce)
    encrypted = outer.get("Encrypt") or ""
    check_signature(msg_signature, account.token, timestamp, nonce, encrypted)
    try:
        inner = account.crypto.decrypt_message(
            {"Encrypt": encrypted}, msg_signature, timestamp, nonce
        )
    except Exception:
        raise Refusal(400, "message cannot be decrypted") from None
    parse_xml(inner.encode())
    return parse_message(inner)


def encrypted_reply(account: BareAccount, message: BaseMessage, nonce: str, stamp: int) -> str:
    """BARE_REPLY to the message's sender, rendered and encrypted."""
    xml = TextReply(
        source=message.target, target=message.source, content=cdata_safe(BARE_REPLY), time=stamp
    ).render()
    return account.crypto.encrypt_message(xml, nonce, str(stamp))


async def bare_callback(request: web.Request) -> web.Response:
    account = request.app[BARE]
    now = datetime.now(UTC)
    try:
        message, nonce = await bare_read(request, account, now)
    except Refusal as refusal:
        return web.Response(status=refusal.status, text=refusal.reason)
    encrypted = encrypted_reply(account, message, nonce, int(now.timestamp()))
    return web.Response(text=encrypted, content_type="application/xml")


async def bare_read(
    request: web.Request, account: BareAccount, now: datetime
) -> tuple[BaseMessage, str]:
    """The parsed message and the request's nonce; the same checks, in the same order, as jubao."""
    query = request.query
    require(query, "signature", "timestamp", "nonce", "msg_signature")
    if query.get("encrypt_type") != "aes":
        raise Refusal(400, "safe mode: only AES-encrypted messages are accepted")
    check_timestamp(query["timestamp"], now)
    if (request.content_length or 0) > MAX_BODY_BYTES:
        raise Refusal(413, "body over 1 MB")
    outer = parse_xml(await request.read())
    return opened_message(account, outer, query), query["nonce"]


async def bare_healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def bare_app() -> web.Application:
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[BARE] = demo_account()
    app.router.add_get("/healthz", bare_healthz)
    app.router.add_post(PATH, bare_callback)
    return app


def run_bare_server(port: int) -> None:
    web.run_app(bare_app(), host=HOST, port=port, access_log=None, print=None)
