"""WeChat's side of the callback protocol: what its servers send us and how they read replies.

Written from the protocol description with `cryptography` alone (not wechatpy), so that tests,
benchmarks and the demo simulator check the service against an independent implementation.
"""

from __future__ import annotations

import base64
import hashlib
import os
import struct
import time
from dataclasses import dataclass
from urllib.parse import urlencode

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from defusedxml.ElementTree import fromstring


def signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def _key(encoding_aes_key: str) -> bytes:
    return base64.b64decode(encoding_aes_key + "=")


def encrypt(
    encoding_aes_key: str, app_id: str, plaintext: str, random16: bytes | None = None
) -> str:
    key = _key(encoding_aes_key)
    body = plaintext.encode()
    data = (random16 or os.urandom(16)) + struct.pack(">I", len(body)) + body + app_id.encode()
    pad = 32 - len(data) % 32
    data += bytes([pad]) * pad
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(data) + encryptor.finalize()).decode()


def decrypt(encoding_aes_key: str, ciphertext: str) -> tuple[str, str]:
    """(plaintext, app id) of an Encrypt value."""
    key = _key(encoding_aes_key)
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    data = decryptor.update(base64.b64decode(ciphertext)) + decryptor.finalize()
    data = data[: -data[-1]]
    (length,) = struct.unpack(">I", data[16:20])
    return data[20 : 20 + length].decode(), data[20 + length :].decode()


def cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def message_xml(fields: dict[str, object]) -> str:
    """A WeChat message document: strings in CDATA, numbers bare."""
    parts = []
    for name, value in fields.items():
        text = str(value) if isinstance(value, int) else cdata(str(value))
        parts.append(f"<{name}>{text}</{name}>")
    return "<xml>" + "".join(parts) + "</xml>"


def _message(
    to: str,
    sender: str,
    msg_type: str,
    msg_id: int | None,
    create_time: int,
    fields: dict[str, object],
) -> dict[str, object]:
    """The fields of a callback's inner message; a MsgId unless it is an event."""
    document: dict[str, object] = {
        "ToUserName": to,
        "FromUserName": sender,
        "CreateTime": create_time,
        "MsgType": msg_type,
        **fields,
    }
    if msg_id is not None:
        document["MsgId"] = msg_id
    return document


@dataclass
class SignedRequest:
    query: str  # the URL's query string
    body: bytes


@dataclass
class OfficialAccountSide:
    """Signs (and in safe mode encrypts) callbacks as WeChat does for one Official Account."""

    token: str
    app_id: str
    aes_key: str = ""  # empty: plaintext mode
    account: str = "gh_jubao_demo"

    def request(
        self, inner_xml: str, *, timestamp: int | None = None, nonce: str = ""
    ) -> SignedRequest:
        timestamp = int(time.time()) if timestamp is None else timestamp
        nonce = nonce or str(int.from_bytes(os.urandom(4), "big"))
        ts = str(timestamp)
        params = {"signature": signature(self.token, ts, nonce), "timestamp": ts, "nonce": nonce}
        if not self.aes_key:
            return SignedRequest(urlencode(params), inner_xml.encode())
        encrypted = encrypt(self.aes_key, self.app_id, inner_xml)
        params.update(encrypt_type="aes", msg_signature=signature(self.token, ts, nonce, encrypted))
        body = message_xml({"ToUserName": self.account, "Encrypt": encrypted})
        return SignedRequest(urlencode(params), body.encode())

    def message(
        self, openid: str, msg_type: str, msg_id: int | None, create_time: int, **fields: object
    ) -> str:
        """A message (with MsgId) or, for msg_type 'event', an event (without)."""
        return message_xml(_message(self.account, openid, msg_type, msg_id, create_time, fields))

    def read_reply(self, body: str) -> str:
        """The text content of a passive reply ('' for 'success' or an empty body)."""
        if body in ("", "success"):
            return ""
        root = fromstring(body.encode(), forbid_dtd=True)
        if self.aes_key:
            encrypted = root.findtext("Encrypt") or ""
            expected = signature(
                self.token,
                root.findtext("TimeStamp") or "",
                root.findtext("Nonce") or "",
                encrypted,
            )
            if expected != root.findtext("MsgSignature"):
                raise ValueError("reply signature does not match")
            inner, app_id = decrypt(self.aes_key, encrypted)
            if app_id != self.app_id:
                raise ValueError("reply encrypted for another app")
            root = fromstring(inner.encode(), forbid_dtd=True)
        return root.findtext("Content") or ""


@dataclass
class WorkSide:
    """Signs and encrypts callbacks as WeChat Work does for one app (always encrypted)."""

    token: str
    corp_id: str
    aes_key: str
    agent_id: str = "1000002"

    def verification(self, echo: str, *, timestamp: int, nonce: str = "5") -> dict[str, str]:
        """The query of WeChat Work's URL verification: an encrypted echostr, signed."""
        encrypted = encrypt(self.aes_key, self.corp_id, echo)
        ts = str(timestamp)
        return {
            "msg_signature": signature(self.token, ts, nonce, encrypted),
            "timestamp": ts,
            "nonce": nonce,
            "echostr": encrypted,
        }

    def text(self, user_id: str, content: str, msg_id: int, create_time: int) -> str:
        return self.message(user_id, "text", msg_id, create_time, Content=content)

    def message(
        self, user_id: str, msg_type: str, msg_id: int | None, create_time: int, **fields: object
    ) -> str:
        """An app message (with MsgId) or, for msg_type 'event', an event (without)."""
        document = _message(self.corp_id, user_id, msg_type, msg_id, create_time, fields)
        return message_xml({**document, "AgentID": int(self.agent_id)})

    def request(self, inner_xml: str, *, timestamp: int, nonce: str = "") -> SignedRequest:
        nonce = nonce or str(int.from_bytes(os.urandom(4), "big"))
        encrypted = encrypt(self.aes_key, self.corp_id, inner_xml)
        ts = str(timestamp)
        params = {
            "msg_signature": signature(self.token, ts, nonce, encrypted),
            "timestamp": ts,
            "nonce": nonce,
        }
        body = message_xml(
            {"ToUserName": self.corp_id, "AgentID": int(self.agent_id), "Encrypt": encrypted}
        )
        return SignedRequest(urlencode(params), body.encode())

    def read_reply(self, body: str) -> str:
        if body in ("", "success"):
            return ""
        root = fromstring(body.encode(), forbid_dtd=True)
        encrypted = root.findtext("Encrypt") or ""
        expected = signature(
            self.token, root.findtext("TimeStamp") or "", root.findtext("Nonce") or "", encrypted
        )
        if expected != root.findtext("MsgSignature"):
            raise ValueError("reply signature does not match")
        inner, corp_id = decrypt(self.aes_key, encrypted)
        if corp_id != self.corp_id:
            raise ValueError("reply encrypted for another corp")
        return fromstring(inner.encode(), forbid_dtd=True).findtext("Content") or ""
