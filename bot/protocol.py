"""The WeChat callback protocol around wechatpy: refusals, signatures, hardened XML, replies.

Order of checks (SPEC §10–11): parameters, timestamp, body size, a hardened parse of the outer
XML (no DTD, no entities), the signature in constant time; only then does wechatpy decrypt and
parse the inner message.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from datetime import datetime

from aiohttp import web
from wechatpy.crypto import WeChatCrypto
from wechatpy.replies import TextReply
from wechatpy.work.crypto import WeChatCrypto as WorkCrypto

from bot.flat_xml import BadXml, parse_flat_xml

MAX_SKEW_SECONDS = 300
Crypto = WeChatCrypto | WorkCrypto  # the Official Account's and WeChat Work's
MAX_BODY_BYTES = 1024 * 1024


class Refusal(Exception):
    """A request we will not process; `status` is always a 4xx."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def require(params: Mapping[str, str], *names: str) -> list[str]:
    missing = [name for name in names if not params.get(name)]
    if missing:
        raise Refusal(400, f"missing parameters: {', '.join(missing)}")
    return [params[name] for name in names]


def check_timestamp(timestamp: str, now: datetime) -> None:
    if not (timestamp.isascii() and timestamp.isdigit()):
        raise Refusal(400, "timestamp is not a number")
    if abs(int(timestamp) - now.timestamp()) > MAX_SKEW_SECONDS:
        raise Refusal(403, "timestamp is more than 5 minutes off")


def sign(*parts: str) -> str:
    """WeChat's SHA-1 signature over the sorted, concatenated parts (token included)."""
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def check_signature(given: str, *parts: str) -> None:
    if not hmac.compare_digest(given.lower().encode(), sign(*parts).encode()):
        raise Refusal(403, "bad signature")


def parse_xml(body: bytes | str) -> dict[str, str]:
    """The text children of a flat <xml> document (children that hold elements are left out),
    read by a bounded parse (bot/flat_xml.py); anything else is refused with a 400."""
    try:
        return parse_flat_xml(body)
    except BadXml as error:
        raise Refusal(400, str(error)) from None


_NOT_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def cdata_safe(text: str) -> str:
    """Text that stays valid inside wechatpy's CDATA: no ']]>' and no characters XML forbids."""
    return _NOT_XML_CHARS.sub("", text).replace("]]>", "]]]]><![CDATA[>")


async def read_body(request: web.Request) -> bytes:
    if (request.content_length or 0) > MAX_BODY_BYTES:
        raise Refusal(413, "body over 1 MB")
    try:
        return await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise Refusal(413, "body over 1 MB") from None


def decrypt(
    crypto: Crypto,
    token: str,
    msg_signature: str,
    timestamp: str,
    nonce: str,
    encrypted: str | None,
) -> bytes:
    """The inner message of an encrypted callback, after its msg_signature is checked."""
    if not encrypted:
        raise Refusal(400, "no Encrypt element")
    check_signature(msg_signature, token, timestamp, nonce, encrypted)
    try:  # wechatpy raises many kinds on a bad ciphertext or a foreign app id
        inner = crypto.decrypt_message({"Encrypt": encrypted}, msg_signature, timestamp, nonce)
    except Exception:
        raise Refusal(400, "message cannot be decrypted") from None
    return inner.encode()


def text_reply(
    crypto: Crypto | None,
    *,
    source: str,
    target: str,
    text: str,
    nonce: str,
    now: datetime,
) -> web.Response:
    """A passive text reply ('success' when there is nothing to say), encrypted when asked."""
    if not text:
        return web.Response(text="success")
    xml = TextReply(
        source=source, target=target, content=cdata_safe(text), time=int(now.timestamp())
    ).render()
    if crypto is not None:
        xml = crypto.encrypt_message(xml, nonce, str(int(now.timestamp())))
    return web.Response(text=xml, content_type="application/xml")
