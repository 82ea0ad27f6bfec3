"""A small async client for the WeChat APIs jubao calls (SPEC §2): Official Account custom and
template messages and media, WeChat Work app, appchat and group-robot messages and media.

wechatpy's own clients are synchronous and have no timeouts, so these calls are made here on
an aiohttp ClientSession against the same paths under JUBAO_MP_API_BASE / JUBAO_WORK_API_BASE.
Every failure is a WeChatError that says whether trying again later can help. Nothing here
logs a recipient or a message text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal

import aiohttp
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jubao.clock import Clock
from jubao.config import Settings
from notifications.access_tokens import AccessTokens
from notifications.wechat_errors import (
    BAD_REPLY,
    DUPLICATE_CHECK_SECONDS,
    HTTP_ERROR,
    NETWORK,
    NOT_CONFIGURED,
    TIMEOUT,
    TOKEN_ERRORS,
    Media,
    Reply,
    WeChatError,
    checked,
)

Api = Literal["mp", "work"]


class WeChatClient:
    """One per process. Pass an aiohttp ClientSession, or let the client own one (then close it
    with `close()` or `async with`). Tokens live in the database (see access_tokens)."""

    def __init__(
        self,
        settings: Settings,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        *,
        http: aiohttp.ClientSession | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.settings = settings
        self.tokens = AccessTokens(sessions, clock)
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._http = http
        self._owns_http = http is None

    async def __aenter__(self) -> WeChatClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._owns_http and self._http is not None:
            await self._http.close()
            self._http = None

    # --- Official Account -----------------------------------------------------------------

    async def mp_send_text(self, openid: str, content: str) -> None:
        """A customer-service message (only within 48 h of the citizen's last message)."""
        body = {"touser": openid, "msgtype": "text", "text": {"content": content}}
        checked((await self._call("mp", "POST", "/cgi-bin/message/custom/send", body=body)).json())

    async def mp_send_template(
        self,
        openid: str,
        template_id: str,
        data: Mapping[str, str | Mapping[str, str]],
        *,
        url: str | None = None,
        client_msg_id: str | None = None,
    ) -> int:
        """A template message; `data` values are strings or WeChat's {"value": …} form.
        `client_msg_id`: WeChat's duplicate check, the same id to the same openid is sent once
        (for TEMPLATE_DUPLICATE_CHECK_SECONDS)."""
        if not template_id:
            raise WeChatError(NOT_CONFIGURED, "no template id (JUBAO_MP_TEMPLATE_ID)", True)
        body: dict[str, Any] = {
            "touser": openid,
            "template_id": template_id,
            "data": {k: v if isinstance(v, Mapping) else {"value": v} for k, v in data.items()},
        }
        if url:
            body["url"] = url
        if client_msg_id:
            body["client_msg_id"] = client_msg_id
        path = "/cgi-bin/message/template/send"
        return int(checked((await self._call("mp", "POST", path, body=body)).json())["msgid"])

    async def mp_send_subscribe(
        self,
        openid: str,
        template_id: str,
        data: Mapping[str, str | Mapping[str, str]],
        *,
        page: str | None = None,
    ) -> None:
        """A subscribe message (订阅通知) to a citizen who accepted `template_id`."""
        if not template_id:
            raise WeChatError(
                NOT_CONFIGURED, "no template id (JUBAO_MP_SUBSCRIBE_TEMPLATE_ID)", True
            )
        body: dict[str, Any] = {
            "touser": openid,
            "template_id": template_id,
            "data": {k: v if isinstance(v, Mapping) else {"value": v} for k, v in data.items()},
        }
        if page:
            body["page"] = page
        path = "/cgi-bin/message/subscribe/bizsend"
        checked((await self._call("mp", "POST", path, body=body)).json())

    async def mp_media(self, media_id: str) -> Media:
        """A temporary media file (they die after 3 days); video comes by its video_url."""
        media = await self._media("mp", media_id)
        if isinstance(media, Media):
            return media
        if not isinstance(media.get("video_url"), str):
            raise WeChatError(BAD_REPLY, "media reply has neither content nor video_url", True)
        reply = await self._request("GET", media["video_url"])
        if reply.is_json:
            checked(reply.json())
            raise WeChatError(BAD_REPLY, "video download answered JSON", retryable=True)
        return Media(reply.body, reply.content_type)

    # --- WeChat Work ----------------------------------------------------------------------

    async def work_send(self, touser: str, msgtype: str, payload: Mapping[str, Any]) -> str:
        """An app message to users ("a|b"), with WeChat Work's duplicate check on."""
        if not self.settings.work_agentid.isdigit():
            raise WeChatError(NOT_CONFIGURED, "JUBAO_WORK_AGENTID is not set", retryable=True)
        body = {
            "touser": touser,
            "msgtype": msgtype,
            "agentid": int(self.settings.work_agentid),
            msgtype: dict(payload),
            "enable_duplicate_check": 1,
            "duplicate_check_interval": DUPLICATE_CHECK_SECONDS,
        }
        reply = await self._call("work", "POST", "/cgi-bin/message/send", body=body)
        return str(checked(reply.json()).get("msgid", ""))

    async def work_send_text(self, touser: str, content: str) -> str:
        return await self.work_send(touser, "text", {"content": content})

    async def work_send_card(
        self, touser: str, *, title: str, description: str, url: str, button: str = "详情"
    ) -> str:
        card = {"title": title, "description": description, "url": url, "btntxt": button}
        return await self.work_send(touser, "textcard", card)

    async def appchat_send(self, chatid: str, content: str, *, markdown: bool = False) -> None:
        """A message to a group chat created by the app (JUBAO_WORK_CHATID)."""
        msgtype = "markdown" if markdown else "text"
        body = {"chatid": chatid, "msgtype": msgtype, msgtype: {"content": content}, "safe": 0}
        checked((await self._call("work", "POST", "/cgi-bin/appchat/send", body=body)).json())

    async def webhook_send(self, key: str, content: str, *, markdown: bool = False) -> None:
        """A message by the group robot (JUBAO_WORK_WEBHOOK_KEY); no access token involved."""
        msgtype = "markdown" if markdown else "text"
        url = f"{self._base('work')}/cgi-bin/webhook/send"
        body = {"msgtype": msgtype, msgtype: {"content": content}}
        checked((await self._request("POST", url, params={"key": key}, body=body)).json())

    async def work_media(self, media_id: str) -> Media:
        media = await self._media("work", media_id)
        if not isinstance(media, Media):
            raise WeChatError(BAD_REPLY, "media reply has no content", retryable=True)
        return media

    # --- plumbing -------------------------------------------------------------------------

    def _base(self, api: Api) -> str:
        base = self.settings.mp_api_base if api == "mp" else self.settings.work_api_base
        return base.rstrip("/")

    def _app_key(self, api: Api) -> str:
        if api == "mp":
            return f"mp:{self.settings.mp_appid}"
        return f"work:{self.settings.work_corpid}:{self.settings.work_agentid}"

    async def _fetch_token(self, api: Api) -> tuple[str, int]:
        if api == "mp":
            path = "/cgi-bin/token"
            params = {
                "grant_type": "client_credential",
                "appid": self.settings.mp_appid,
                "secret": self.settings.mp_secret,
            }
        else:
            path = "/cgi-bin/gettoken"
            params = {"corpid": self.settings.work_corpid, "corpsecret": self.settings.work_secret}
        reply = await self._request("GET", f"{self._base(api)}{path}", params=params)
        try:
            data = checked(reply.json())
            return str(data["access_token"]), int(data.get("expires_in", 7200))
        except WeChatError as error:  # wrong credentials too: an operator can fix them
            raise WeChatError(error.errcode, f"token: {error.errmsg}", retryable=True) from None
        except (KeyError, TypeError, ValueError):
            raise WeChatError(BAD_REPLY, "token reply without access_token", True) from None

    async def check_credentials(self, api: Api) -> None:
        """Fetch a token from WeChat now, past the shared one (`jubao doctor`): raises
        WeChatError when the credentials are refused or WeChat cannot be reached. The token is
        not kept; an Official Account's earlier one stays valid for five minutes, and a
        refused one is fetched again by the next call that needs it."""
        await self._fetch_token(api)

    async def refresh_tokens(self) -> list[str]:
        """Fetch ahead the tokens of the configured APIs that are near expiry (a scheduled job;
        a fresh token is only read from the cache). Returns the APIs checked."""
        settings, checked = self.settings, []
        if settings.mp_appid and settings.mp_secret:
            await self._token("mp")
            checked.append("mp")
        if settings.work_corpid and settings.work_secret:
            await self._token("work")
            checked.append("work")
        return checked

    async def _token(self, api: Api, stale: str | None = None) -> str:
        return await self.tokens.get(
            self._app_key(api), lambda: self._fetch_token(api), stale=stale
        )

    async def _call(
        self,
        api: Api,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> Reply:
        """A call with an access token; a refused token is replaced and the call made again."""
        url = f"{self._base(api)}{path}"
        token = await self._token(api)
        query = {**(params or {}), "access_token": token}
        reply = await self._request(method, url, params=query, body=body)
        if reply.is_json and reply.json().get("errcode") in TOKEN_ERRORS:
            token = await self._token(api, stale=token)
            query = {**(params or {}), "access_token": token}
            reply = await self._request(method, url, params=query, body=body)
        return reply

    async def _request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> Reply:
        if self._http is None:
            self._http = aiohttp.ClientSession(timeout=self.timeout)
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json; charset=utf-8"} if data else None
        try:
            async with self._http.request(
                method, url, params=params, data=data, headers=headers, timeout=self.timeout
            ) as response:
                reply = Reply(response.status, response.content_type, await response.read())
        except TimeoutError:
            raise WeChatError(TIMEOUT, "timed out", retryable=True) from None
        except aiohttp.ClientError as error:
            raise WeChatError(NETWORK, type(error).__name__, retryable=True) from None
        if reply.status >= 400:
            raise WeChatError(HTTP_ERROR, f"HTTP {reply.status}", retryable=True)
        return reply

    async def _media(self, api: Api, media_id: str) -> Media | dict[str, Any]:
        reply = await self._call(api, "GET", "/cgi-bin/media/get", params={"media_id": media_id})
        if reply.is_json:
            return checked(reply.json())
        return Media(reply.body, reply.content_type)
