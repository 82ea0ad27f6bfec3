"""The Official Account callback, GET and POST /wechat/mp: verify, read, one transaction, reply."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aiohttp import web
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto

from bot.conversation import Inbound
from bot.exactly_once import AlreadyHandled, Envelope, not_handled
from bot.intake import INTAKE
from bot.protocol import (
    Refusal,
    check_signature,
    check_timestamp,
    decrypt,
    parse_xml,
    read_body,
    require,
    text_reply,
)
from jubao.background import BACKGROUND
from jubao.config import Settings
from jubao.inputs import BadInput, clean, integer, message_id
from jubao.keys import CLOCK
from notifications.subscriptions import choices_of


@dataclass(frozen=True)
class OfficialAccount:
    token: str
    appid: str
    crypto: WeChatCrypto | None  # None: plaintext mode


MP = web.AppKey("mp", OfficialAccount)


def official_account(settings: Settings) -> OfficialAccount | None:
    if not settings.mp_token:
        return None
    crypto = None
    if settings.mp_aes_key:
        crypto = WeChatCrypto(settings.mp_token, settings.mp_aes_key, settings.mp_appid)
    return OfficialAccount(settings.mp_token, settings.mp_appid, crypto)


def _account(request: web.Request) -> OfficialAccount:
    account = request.app.get(MP)
    if account is None:
        raise web.HTTPServiceUnavailable(text="Official Account is not configured")
    return account


async def verify_url(request: web.Request) -> web.Response:
    """WeChat's URL verification: echo `echostr` when the signature holds."""
    account = _account(request)
    try:
        signature, timestamp, nonce, echostr = require(
            request.query, "signature", "timestamp", "nonce", "echostr"
        )
        check_timestamp(timestamp, request.app[CLOCK].now())
        check_signature(signature, account.token, timestamp, nonce)
    except Refusal as refusal:
        return web.Response(status=refusal.status, text=refusal.reason)
    return web.Response(text=echostr)


async def callback(request: web.Request) -> web.Response:
    """Verify, hand the message to the intake (one transaction, committed), reply."""
    account = _account(request)
    now = request.app[CLOCK].now()
    try:
        envelope = await read_message(request, account, now)
    except Refusal as refusal:
        return web.Response(status=refusal.status, text=refusal.reason)
    intake = request.app[INTAKE]
    try:
        handled = await intake.handle(envelope, now)
    except AlreadyHandled:  # a WeChat retry (or one racing the first delivery)
        reply = await intake.stored_reply(envelope)
    except Exception:
        return not_handled(envelope)
    else:
        reply = handled.reply
        if handled.follow_up:
            request.app[BACKGROUND].soon()
    return render(account, envelope, reply, request.query.get("nonce", ""), now)


async def read_message(request: web.Request, account: OfficialAccount, now: datetime) -> Envelope:
    params = request.query
    signature, timestamp, nonce = require(params, "signature", "timestamp", "nonce")
    if account.crypto is not None:
        (msg_signature,) = require(params, "msg_signature")
        if params.get("encrypt_type") != "aes":
            raise Refusal(400, "safe mode: only AES-encrypted messages are accepted")
    check_timestamp(timestamp, now)
    body = await read_body(request)
    outer = parse_xml(body)
    check_signature(signature, account.token, timestamp, nonce)
    if account.crypto is None:
        return to_envelope(body)
    inner = decrypt(
        account.crypto, account.token, msg_signature, timestamp, nonce, outer.get("Encrypt")
    )
    return to_envelope(inner)


def to_envelope(xml: bytes) -> Envelope:
    fields = parse_xml(xml)  # the inner message gets the same bounded, hardened parse first
    msg_type = fields.get("MsgType", "").strip().lower()
    try:
        message = parse_message(xml.decode())
        openid = _scalar(message.source)
        create_time = integer(fields.get("CreateTime", ""), "CreateTime")
        msg_id = message_id(fields.get("MsgId", "")) if msg_type != "event" else None
        inbound = _inbound(message, msg_type)
    except Exception:  # wechatpy's own errors, BadInput, an element where text belongs
        raise Refusal(400, "not a WeChat message") from None
    if not openid or (msg_type != "event" and not msg_id):
        raise Refusal(400, "not a WeChat message")
    return Envelope("mp", openid, _scalar(message.target), msg_id, create_time, inbound)


def _scalar(value: object) -> str:
    """A field's text; an element where text belongs (xmltodict makes it a dict) is refused."""
    if isinstance(value, dict | list):
        raise BadInput("an element where text belongs")
    return "" if value is None else clean(str(value))


def _inbound(message: object, msg_type: str) -> Inbound:
    def get(name: str) -> str:
        return _scalar(getattr(message, name, None))

    if msg_type == "text":
        return Inbound("text", text=get("content"))
    if msg_type in ("image", "voice", "video", "shortvideo"):
        return Inbound(msg_type, media_id=get("media_id"), text=get("recognition"))
    if msg_type == "location":
        return Inbound(
            "location",
            label=get("label"),
            latitude=get("location_x"),
            longitude=get("location_y"),
        )
    if msg_type == "event":
        data = message._data  # type: ignore[attr-defined]
        return Inbound(
            "event",
            event=_scalar(data.get("Event")).lower(),
            event_key=_scalar(data.get("EventKey")),
            choices=choices_of(
                data.get("SubscribeMsgPopupEvent") or data.get("SubscribeMsgChangeEvent")
            ),
        )
    return Inbound(msg_type)


def render(
    account: OfficialAccount, envelope: Envelope, reply: str, nonce: str, now: datetime
) -> web.Response:
    return text_reply(
        account.crypto,
        source=envelope.account,
        target=envelope.openid,
        text=reply,
        nonce=nonce,
        now=now,
    )
