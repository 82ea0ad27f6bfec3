"""What WeChat's APIs answer, as jubao reads it (notifications/wechat_api.py makes the calls):
the error codes of our own for failures WeChat did not answer, the errcodes that decide what
happens next (retry, give up, fall back to a template), `WeChatError`, and a reply's parsing.
Nothing here holds a recipient or a message text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

# errcodes of our own for failures WeChat did not answer (WeChat's own are -1 and >= 0)
TIMEOUT = -1001
NETWORK = -1002
HTTP_ERROR = -1003
BAD_REPLY = -1004
NOT_CONFIGURED = -1005

TOKEN_ERRORS = frozenset({40001, 40014, 42001})  # invalid, invalid, expired access_token
# -1 system busy; 45009/45011/45033 rate and concurrency limits. 45015 (outside the 48-hour
# window) and 45047 (too many messages in it) are final: a later try cannot succeed.
RETRYABLE = frozenset({-1, 45009, 45011, 45033, *TOKEN_ERRORS})
OUTSIDE_THE_WINDOW = frozenset({45015, 45047})  # a customer-service message no longer allowed
SUBSCRIPTION_WITHDRAWN = 43101  # the citizen no longer accepts that subscribe message
DUPLICATE_CHECK_SECONDS = 4 * 3600  # WeChat Work's maximum: covers a retry after a lost reply
# Template messages: WeChat sends one message per openid and client_msg_id for 10 minutes.
TEMPLATE_DUPLICATE_CHECK_SECONDS = 600


class WeChatError(Exception):
    """WeChat refused or did not answer. `errmsg` is WeChat's text or ours, never message data."""

    def __init__(self, errcode: int, errmsg: str, retryable: bool) -> None:
        super().__init__(errcode, errmsg, retryable)
        self.errcode, self.errmsg, self.retryable = errcode, errmsg, retryable

    def __str__(self) -> str:
        return f"errcode {self.errcode}: {self.errmsg}"


@dataclass(frozen=True)
class Media:
    content: bytes
    content_type: str


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    body: bytes

    @property
    def is_json(self) -> bool:
        return self.content_type.startswith(("application/json", "text/plain", "text/json"))

    def json(self) -> dict[str, Any]:
        try:
            data = json.loads(self.body)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise WeChatError(BAD_REPLY, "reply is not a JSON object", retryable=True)
        return data


def checked(data: dict[str, Any]) -> dict[str, Any]:
    errcode = data.get("errcode", 0)
    if errcode != 0:
        errcode = errcode if isinstance(errcode, int) else BAD_REPLY
        errmsg = str(data.get("errmsg", ""))[:150]
        raise WeChatError(errcode, errmsg, retryable=errcode in RETRYABLE)
    return data
