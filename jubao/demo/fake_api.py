"""A fake of WeChat's HTTP APIs on one port, for tests and the demo.

It answers the Official Account paths (JUBAO_MP_API_BASE) and the WeChat Work paths
(JUBAO_WORK_API_BASE) as WeChat does: credentials and access tokens are checked (wrong
secret 40001, wrong appid or corpid 40013, unknown token 40001, expired token 42001), every
accepted message is recorded, and the duplicate checks of WeChat Work's app messages and of
template messages are honoured (what they hold back is recorded apart, in `duplicates`).
Failures can be injected: a seeded failure rate, scripted next responses per channel, forced
token expiry.

    fake = FakeWeChat(settings, clock=clock)
    app = fake.make_app()                    # or create_fake_api(settings) for the demo
    fake.last("work_appchat").text

Channels: mp_token, mp_custom, mp_template, mp_subscribe, mp_media, work_token, work_app,
work_appchat, work_webhook, work_media. Only message channels are recorded.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import uuid
from collections import Counter, defaultdict, deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from jubao.clock import Clock
from jubao.config import Settings

TOKEN_SECONDS = 7200
Handler = Callable[[web.Request, dict[str, Any]], Awaitable[web.Response]]
# a scripted response: a JSON reply, an HTTP status, or "delay" (answer late, then -1)
Scripted = dict[str, Any] | int | str


@dataclass(frozen=True)
class Sent:
    channel: str
    to: str
    text: str
    body: dict[str, Any]
    at: datetime


def _error(errcode: int, errmsg: str) -> web.Response:
    return web.json_response({"errcode": errcode, "errmsg": errmsg})


def _text_of(body: dict[str, Any]) -> str:
    """The words a person reads in a message body."""
    msgtype = body.get("msgtype")
    part = body.get(msgtype) if isinstance(msgtype, str) else None
    if "data" in body:  # a template message
        values = [str(v.get("value", "")) for v in body["data"].values() if isinstance(v, dict)]
        return "\n".join([*values, body.get("url", "")]).strip()
    if msgtype == "textcard" and isinstance(part, dict):
        return "\n".join(str(part.get(k, "")) for k in ("title", "description", "url"))
    if isinstance(part, dict) and "content" in part:
        return str(part["content"])
    return json.dumps(body, ensure_ascii=False)


class FakeWeChat:
    """WeChat's servers, as far as jubao talks to them, with a record of what was accepted."""

    def __init__(self, settings: Settings, *, clock: Clock | None = None, seed: int = 0) -> None:
        """Credentials come from `settings` (JUBAO_MP_APPID, …); a webhook key is accepted if
        it is JUBAO_WORK_WEBHOOK_KEY, or any key when that is unset."""
        self.settings = settings
        self.clock = clock or Clock()
        self.url = ""  # where it is served, for whoever serves it to fill in
        self.records: list[Sent] = []
        self.duplicates: list[Sent] = []  # accepted but not delivered: WeChat's duplicate check
        self.listeners: list[Callable[[Sent], object]] = []  # told of each accepted message
        self.requests: Counter[str] = Counter()  # every request received, by channel
        self.out_of_window: set[str] = set()  # openids outside the 48-hour window (45015)
        self.withdrawn: set[str] = set()  # openids who withdrew their subscription (43101)
        self.failure_rate = 0.0
        self.failure_kinds: tuple[str, ...] = ("busy", "http500", "delay")
        self.delay = 2.0  # seconds a "delay" failure waits: make it longer than the client's
        self._random = random.Random(seed)
        self._tokens: dict[str, tuple[str, datetime]] = {}  # token -> (api, expires_at)
        self._media: dict[str, tuple[bytes, str]] = {}  # media_id -> (content, content_type)
        self._scripts: defaultdict[str, deque[Scripted]] = defaultdict(deque)
        self._seen: dict[str, datetime] = {}  # duplicate check: body -> when accepted
        self.holding: asyncio.Event | None = None  # set: answers to accepted messages wait
        self._msgids = itertools.count(1000)

    # --- what tests use -------------------------------------------------------------------

    def sent(self, channel: str | None = None) -> list[Sent]:
        return [r for r in self.records if channel is None or r.channel == channel]

    def last(self, channel: str) -> Sent:
        records = self.sent(channel)
        if not records:
            raise LookupError(f"nothing was sent on {channel}")
        return records[-1]

    def token_fetches(self, api: str) -> int:
        return self.requests[f"{api}_token"]

    def add_media(self, media_id: str, content: bytes, content_type: str) -> None:
        self._media[media_id] = (content, content_type)

    def fail(
        self,
        rate: float,
        *,
        seed: int | None = None,
        kinds: Iterable[str] = ("busy", "http500", "delay"),
        delay: float | None = None,
    ) -> None:
        """Fail this share of requests (any channel): errcode -1, HTTP 500 or a late answer."""
        self.failure_rate, self.failure_kinds = rate, tuple(kinds)
        if seed is not None:
            self._random = random.Random(seed)
        if delay is not None:
            self.delay = delay

    def script(self, channel: str, *responses: Scripted) -> None:
        """The next responses on a channel, before any real handling."""
        self._scripts[channel].extend(responses)

    def expire_tokens(self) -> None:
        """Every token issued so far expires now (42001 from then on)."""
        now = self.clock.now()
        self._tokens = {token: (api, now) for token, (api, _) in self._tokens.items()}

    # --- the application ------------------------------------------------------------------

    def make_app(self) -> web.Application:
        app = web.Application()
        routes = [  # method, path, channel, whose access token it needs, handler
            ("GET", "/cgi-bin/token", "mp_token", None, self._mp_token),
            ("POST", "/cgi-bin/message/custom/send", "mp_custom", "mp", self._mp_custom),
            ("POST", "/cgi-bin/message/template/send", "mp_template", "mp", self._mp_template),
            (
                "POST",
                "/cgi-bin/message/subscribe/bizsend",
                "mp_subscribe",
                "mp",
                self._mp_subscribe,
            ),
            ("GET", "/cgi-bin/gettoken", "work_token", None, self._work_token),
            ("POST", "/cgi-bin/message/send", "work_app", "work", self._work_app),
            ("POST", "/cgi-bin/appchat/send", "work_appchat", "work", self._work_appchat),
            ("POST", "/cgi-bin/webhook/send", "work_webhook", None, self._work_webhook),
            ("GET", "/cgi-bin/media/get", "media", "", self._media_get),
        ]
        for method, path, channel, api, handler in routes:
            app.router.add_route(method, path, self._endpoint(channel, api, handler))
        app.router.add_get("/fake/video/{media_id}", self._video)
        return app

    def _endpoint(
        self, channel: str, api: str | None, handler: Handler
    ) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def endpoint(request: web.Request) -> web.StreamResponse:
            token_api = api
            if api == "":  # media/get: the same path on both APIs, told apart by the token
                issued = self._tokens.get(request.query.get("access_token", ""))
                token_api = issued[0] if issued else "mp"
            name = f"{token_api}_media" if channel == "media" else channel
            self.requests[name] += 1
            if (failure := await self._failure(name)) is not None:
                return failure
            if token_api and (error := self._token_error(request, token_api)):
                return error
            try:
                body = json.loads(await request.read()) if request.method == "POST" else {}
            except ValueError:
                return _error(47001, "data format error")
            response = await handler(request, body if isinstance(body, dict) else {})
            if self.holding is not None and channel not in ("mp_token", "work_token"):
                await self.holding.wait()  # accepted, its answer late: a sender may die now
            return response

        return endpoint

    async def _failure(self, channel: str) -> web.StreamResponse | None:
        if self._scripts[channel]:
            kind: Scripted = self._scripts[channel].popleft()
        elif self.failure_rate and self._random.random() < self.failure_rate:
            kind = self._random.choice(self.failure_kinds)
        else:
            return None
        if isinstance(kind, dict):
            return web.json_response(kind)
        if isinstance(kind, int) or kind == "http500":
            return web.Response(status=kind if isinstance(kind, int) else 500, text="error")
        if kind == "delay":
            await asyncio.sleep(self.delay)
        return _error(-1, "system error")

    # --- tokens ---------------------------------------------------------------------------

    def _issue(self, api: str) -> web.Response:
        token = f"{api}-{uuid.uuid4().hex}"
        self._tokens[token] = (api, self.clock.now() + timedelta(seconds=TOKEN_SECONDS))
        data: dict[str, Any] = {"access_token": token, "expires_in": TOKEN_SECONDS}
        return web.json_response({"errcode": 0, "errmsg": "ok", **data} if api == "work" else data)

    async def _mp_token(self, request: web.Request, body: dict[str, Any]) -> web.Response:
        query = request.query
        if query.get("grant_type") != "client_credential":
            return _error(40002, "invalid grant_type")
        if query.get("appid") != self.settings.mp_appid:
            return _error(40013, "invalid appid")
        if query.get("secret") != self.settings.mp_secret:
            return _error(40001, "invalid credential, access_token is invalid or not latest")
        return self._issue("mp")

    async def _work_token(self, request: web.Request, body: dict[str, Any]) -> web.Response:
        if request.query.get("corpid") != self.settings.work_corpid:
            return _error(40013, "invalid corpid")
        if request.query.get("corpsecret") != self.settings.work_secret:
            return _error(40001, "invalid secret")
        return self._issue("work")

    def _token_error(self, request: web.Request, api: str) -> web.Response | None:
        token = request.query.get("access_token")
        issued = self._tokens.get(token or "")
        if not token:
            return _error(41001, "access_token missing")
        if issued is None:
            return _error(40001, "invalid credential, access_token is invalid or not latest")
        if issued[0] != api:
            return _error(40014, "invalid access_token")
        if issued[1] <= self.clock.now():
            return _error(42001, "access_token expired")
        return None

    # --- messages -------------------------------------------------------------------------

    def _accept(
        self,
        channel: str,
        to: str,
        body: dict[str, Any],
        refusals: list[tuple[bool, int, str]],
        reply: dict[str, Any] | None = None,
    ) -> web.Response:
        """The first refusal that applies, or the message recorded and `reply` (errcode 0)."""
        for applies, errcode, errmsg in refusals:
            if applies:
                return _error(errcode, errmsg)
        sent = Sent(channel, to, _text_of(body), body, self.clock.now())
        self.records.append(sent)
        for listener in self.listeners:
            listener(sent)
        return web.json_response({"errcode": 0, "errmsg": "ok", **(reply or {})})

    def _duplicate(self, channel: str, to: str, body: dict[str, Any]) -> None:
        self.duplicates.append(Sent(channel, to, _text_of(body), body, self.clock.now()))

    async def _mp_custom(self, request: web.Request, body: dict[str, Any]) -> web.Response:
        openid = str(body.get("touser", ""))
        refusals = [
            (not openid, 40003, "invalid openid"),
            (openid in self.out_of_window, 45015, "response out of time limit"),
            (not _text_of(body), 44004, "empty content"),
        ]
        return self._accept("mp_custom", openid, body, refusals)

    async def _mp_template(self, request: web.Request, body: dict[str, Any]) -> web.Response:
        refusals = [
            (not body.get("touser"), 40003, "invalid openid"),
            (not body.get("template_id"), 40037, "invalid template_id"),
            (not isinstance(body.get("data"), dict), 47001, "data format error"),
        ]
        msgid = {"msgid": next(self._msgids)}
        if body.get("client_msg_id") and not any(r[0] for r in refusals):
            # WeChat's duplicate check: one message per openid and client_msg_id in 10 minutes
            now, seen = self.clock.now(), f"template:{body['touser']}:{body['client_msg_id']}"
            earlier = self._seen.get(seen)
            if earlier is not None and now - earlier < timedelta(minutes=10):
                self._duplicate("mp_template", str(body["touser"]), body)
                return web.json_response({"errcode": 0, "errmsg": "ok", **msgid})
            self._seen[seen] = now
        return self._accept("mp_template", str(body.get("touser")), body, refusals, msgid)

    async def _mp_subscribe(self, request: web.Request, body: dict[str, Any]) -> web.Response:
        data = body.get("data")
        refusals = [
            (not body.get("touser"), 40003, "invalid openid"),
            (not body.get("template_id"), 40037, "invalid template_id"),
            (not isinstance(data, dict), 47003, "argument invalid! data.xxx.value is empty"),
            (str(body.get("touser")) in self.withdrawn, 43101, "user refuse to accept the msg"),
            (
                isinstance(data, dict)
                and any(
                    key.startswith("thing") and len(str(value.get("value", ""))) > 20
                    for key, value in data.items()
                    if isinstance(value, dict)
                ),
                47003,
                "argument invalid! data.thing.value exceeds 20 characters",
            ),
        ]
        return self._accept("mp_subscribe", str(body.get("touser")), body, refusals)

    async def _work_app(self, request: web.Request, body: dict[str, Any]) -> web.Response:
        agentid = str(body.get("agentid"))
        refusals = [
            (
                bool(self.settings.work_agentid) and agentid != self.settings.work_agentid,
                40056,
                "invalid agentid",
            ),
            (not body.get("touser"), 81013, "user & party & tag all invalid"),
            (body.get("msgtype") not in ("text", "textcard", "markdown"), 40008, "invalid type"),
        ]
        msgid = {"msgid": f"fake-{next(self._msgids)}"}
        if body.get("enable_duplicate_check") == 1 and not any(r[0] for r in refusals):
            # as WeChat Work does: the same request within the interval is accepted, not sent
            now, seen = self.clock.now(), json.dumps(body, sort_keys=True, ensure_ascii=False)
            interval = timedelta(seconds=int(body.get("duplicate_check_interval", 1800)))
            earlier = self._seen.get(seen)
            if earlier is not None and now - earlier < interval:
                self._duplicate("work_app", str(body.get("touser")), body)
                return web.json_response({"errcode": 0, "errmsg": "ok", **msgid})
            self._seen[seen] = now
        return self._accept("work_app", str(body.get("touser")), body, refusals, msgid)

    async def _work_appchat(self, request: web.Request, body: dict[str, Any]) -> web.Response:
        refusals = [
            (not body.get("chatid"), 86003, "chatid not exist"),
            (body.get("msgtype") not in ("text", "textcard", "markdown"), 40008, "invalid type"),
        ]
        return self._accept("work_appchat", str(body.get("chatid")), body, refusals)

    async def _work_webhook(self, request: web.Request, body: dict[str, Any]) -> web.Response:
        key = request.query.get("key", "")
        expected = self.settings.work_webhook_key
        known = bool(key) and (not expected or key == expected)
        refusals = [
            (not known, 93000, "invalid webhook url"),
            (body.get("msgtype") not in ("text", "markdown"), 40008, "invalid message type"),
        ]
        return self._accept("work_webhook", key, body, refusals)

    # --- media ----------------------------------------------------------------------------

    async def _media_get(self, request: web.Request, body: dict[str, Any]) -> web.Response:
        media_id = request.query.get("media_id", "")
        if media_id not in self._media:
            return _error(40007, "invalid media_id")
        content, content_type = self._media[media_id]
        api = self._tokens[request.query["access_token"]][0]
        if api == "mp" and content_type.startswith("video/"):  # MP gives a video's URL
            prefix = request.path.removesuffix("/cgi-bin/media/get")
            video = request.url.origin().with_path(f"{prefix}/fake/video/{media_id}")
            return web.json_response({"video_url": str(video)})
        return web.Response(body=content, content_type=content_type)

    async def _video(self, request: web.Request) -> web.Response:
        if (media := self._media.get(request.match_info["media_id"])) is None:
            raise web.HTTPNotFound()
        return web.Response(body=media[0], content_type=media[1])


FAKE_WECHAT = web.AppKey("fake_wechat", FakeWeChat)


def create_fake_api(settings: Settings, *, clock: Clock | None = None) -> web.Application:
    """The fake as an application (mountable with add_subapp); the fake is at app[FAKE_WECHAT]."""
    fake = FakeWeChat(settings, clock=clock)
    app = fake.make_app()
    app[FAKE_WECHAT] = fake
    return app
