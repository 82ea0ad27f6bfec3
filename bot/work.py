"""The WeChat Work app callback, GET and POST /wechat/work: always encrypted (SPEC §5, §7)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession
from wechatpy.work.crypto import WeChatCrypto

from bot import officer_desk, officer_texts
from bot.conversation import Inbound
from bot.exactly_once import AlreadyHandled, Envelope, log_message, not_handled, stored_reply
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
from bot.store import CoreStore
from jubao.background import BACKGROUND
from jubao.config import Settings
from jubao.identity import IdentityVault
from jubao.inputs import BadInput, integer, message_id
from jubao.keys import CLOCK, SESSIONS, SETTINGS, VAULT


@dataclass(frozen=True)
class WorkApp:
    token: str
    corp_id: str
    crypto: WeChatCrypto


WORK = web.AppKey("work", WorkApp)


def work_app(settings: Settings) -> WorkApp | None:
    if not (settings.work_token and settings.work_aes_key and settings.work_corpid):
        return None
    crypto = WeChatCrypto(settings.work_token, settings.work_aes_key, settings.work_corpid)
    return WorkApp(settings.work_token, settings.work_corpid, crypto)


def _app(request: web.Request) -> WorkApp:
    app = request.app.get(WORK)
    if app is None:
        raise web.HTTPServiceUnavailable(text="WeChat Work app is not configured")
    return app


async def verify_url(request: web.Request) -> web.Response:
    """URL verification: the echostr is encrypted; answer it decrypted (within 1 s)."""
    app = _app(request)
    try:
        signature, timestamp, nonce, echostr = require(
            request.query, "msg_signature", "timestamp", "nonce", "echostr"
        )
        check_timestamp(timestamp, request.app[CLOCK].now())
        check_signature(signature, app.token, timestamp, nonce, echostr)
        try:
            plain = app.crypto.check_signature(signature, timestamp, nonce, echostr)
        except Exception:
            raise Refusal(400, "echostr cannot be decrypted") from None
    except Refusal as refusal:
        return web.Response(status=refusal.status, text=refusal.reason)
    return web.Response(text=plain)


async def callback(request: web.Request) -> web.Response:
    app = _app(request)
    now = request.app[CLOCK].now()
    try:
        envelope, text = await read_message(request, app, now)
    except Refusal as refusal:
        return web.Response(status=refusal.status, text=refusal.reason)
    if envelope.msg_id is None:  # events (entering the app, menu views) need no answer
        return web.Response(text="success")
    sessions, vault = request.app[SESSIONS], request.app[VAULT]
    try:
        async with sessions.begin() as session:
            reply = await answer(session, envelope, text, request.app[SETTINGS], vault, now)
    except AlreadyHandled:  # a retry: answer as the first delivery did
        async with sessions.begin() as session:
            reply = await stored_reply(session, envelope, vault)
    except Exception:
        return not_handled(envelope)
    else:
        request.app[BACKGROUND].soon()  # committed: send what the command queued
    return text_reply(
        app.crypto,
        source=app.corp_id,
        target=envelope.openid,
        text=reply,
        nonce=request.query.get("nonce", ""),
        now=now,
    )


async def answer(
    session: AsyncSession,
    envelope: Envelope,
    text: str,
    settings: Settings,
    vault: IdentityVault,
    now: datetime,
) -> str:
    """The officer's command carried out and logged (exactly once) with its reply."""
    reply = officer_texts.TEXT_ONLY
    if envelope.inbound.kind == "text":
        reply = await officer_desk.answer(
            session, envelope.openid, text, settings=settings, vault=vault, now=now
        )
    await log_message(await CoreStore.of(session), envelope, reply, vault=vault, now=now)
    return reply


async def read_message(request: web.Request, app: WorkApp, now: datetime) -> tuple[Envelope, str]:
    signature, timestamp, nonce = require(request.query, "msg_signature", "timestamp", "nonce")
    check_timestamp(timestamp, now)
    outer = parse_xml(await read_body(request))
    inner = decrypt(app.crypto, app.token, signature, timestamp, nonce, outer.get("Encrypt"))
    fields = parse_xml(inner)
    user, msg_type = fields.get("FromUserName", ""), fields.get("MsgType", "").strip().lower()
    try:
        create_time = integer(fields.get("CreateTime", ""), "CreateTime")
    except BadInput:
        raise Refusal(400, "not a WeChat Work message") from None
    if not user or not msg_type:
        raise Refusal(400, "not a WeChat Work message")
    if msg_type == "event":
        return Envelope(
            "work",
            user,
            app.corp_id,
            None,
            create_time,
            Inbound("event", event=fields.get("Event", "").lower()),
        ), ""
    try:
        msg_id = message_id(fields.get("MsgId", ""))
    except BadInput:
        raise Refusal(400, "not a WeChat Work message") from None
    if msg_type == "text" and "Content" not in fields:  # absent, or an element, not text
        raise Refusal(400, "not a WeChat Work message")
    inbound = Inbound(msg_type, text=fields.get("Content", ""))
    return Envelope("work", user, app.corp_id, msg_id, create_time, inbound), inbound.text
