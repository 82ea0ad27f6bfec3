"""Every hostile or broken callback is refused with a 4xx and writes nothing."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode

import pytest
from sqlalchemy import func, select

from bot.models import Dialogue
from complaints.models import Report
from jubao.demo.wechat import OfficialAccountSide, SignedRequest, encrypt, message_xml, signature
from notifications.message_log import InboundMessage

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "haha"><!ENTITY b "&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;">]><xml><ToUserName>&c;</ToUserName><Encrypt>x</Encrypt></xml>'
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    "<xml><Encrypt>&e;</Encrypt></xml>"
)
DTD_ONLY = '<?xml version="1.0"?><!DOCTYPE xml SYSTEM "x.dtd"><xml><Encrypt>x</Encrypt></xml>'


async def nothing_written(sessions) -> None:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        for table in (InboundMessage, Dialogue, Report):
            assert await session.scalar(select(func.count()).select_from(table)) == 0


def with_query(signed: SignedRequest, **changes: str | None) -> SignedRequest:
    params = {key: values[0] for key, values in parse_qs(signed.query).items()}
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return SignedRequest(urlencode(params), signed.body)


def start(wechat) -> SignedRequest:  # type: ignore[no-untyped-def]
    return wechat.signed("o-hostile", "text", Content="举报")


async def test_a_good_request_is_answered(wechat, sessions):
    response = await wechat.post(start(wechat))
    assert response.status == 200 and "举报须知" in response.reply


@pytest.mark.parametrize("missing", ["signature", "timestamp", "nonce", "msg_signature"])
async def test_missing_parameter_is_400(wechat, sessions, missing):
    response = await wechat.post(with_query(start(wechat), **{missing: None}))
    assert response.status == 400
    await nothing_written(sessions)


async def test_plaintext_message_refused_in_safe_mode(wechat, sessions):
    plain = OfficialAccountSide(wechat.side.token, wechat.side.app_id, aes_key="")
    xml = plain.message("o-hostile", "text", 1, wechat.now(), Content="举报")
    response = await wechat.post(plain.request(xml, timestamp=wechat.now()))
    assert response.status == 400
    await nothing_written(sessions)


@pytest.mark.parametrize("field", ["signature", "msg_signature"])
async def test_forged_signature_is_403(wechat, sessions, field):
    response = await wechat.post(with_query(start(wechat), **{field: "0" * 40}))
    assert response.status == 403
    await nothing_written(sessions)


@pytest.mark.parametrize("skew", [-301, 301, -86400])
async def test_stale_or_future_timestamp_is_403(wechat, sessions, skew):
    xml = wechat.side.message("o-hostile", "text", 7, wechat.now(), Content="举报")
    response = await wechat.post(wechat.side.request(xml, timestamp=wechat.now() + skew))
    assert response.status == 403
    await nothing_written(sessions)


async def test_non_numeric_timestamp_is_400(wechat, sessions):
    response = await wechat.post(with_query(start(wechat), timestamp="soon"))
    assert response.status == 400


async def test_body_over_one_megabyte_is_413(wechat, sessions):
    signed = start(wechat)
    huge = SignedRequest(signed.query, b"<xml>" + b"a" * (1024 * 1024 + 1) + b"</xml>")
    response = await wechat.post(huge)
    assert response.status == 413
    await nothing_written(sessions)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not xml",
        b"<xml><Encrypt>unclosed",
        b"<root><Encrypt>x</Encrypt></root>",
        BILLION_LAUGHS.encode(),
        EXTERNAL_ENTITY.encode(),
        DTD_ONLY.encode(),
    ],
    ids=["empty", "text", "unclosed", "wrong-root", "billion-laughs", "external-entity", "dtd"],
)
async def test_malformed_or_hostile_xml_is_400(wechat, sessions, body):
    signed = start(wechat)
    response = await wechat.post(SignedRequest(signed.query, body))
    assert response.status == 400
    await nothing_written(sessions)


def _signed_encrypt(side: OfficialAccountSide, encrypted: str, ts: int) -> SignedRequest:
    nonce = "12345"
    params = {
        "signature": signature(side.token, str(ts), nonce),
        "timestamp": str(ts),
        "nonce": nonce,
        "encrypt_type": "aes",
        "msg_signature": signature(side.token, str(ts), nonce, encrypted),
    }
    body = message_xml({"ToUserName": side.account, "Encrypt": encrypted})
    return SignedRequest(urlencode(params), body.encode())


@pytest.mark.parametrize(
    "encrypted",
    ["bm90IGEgY2lwaGVydGV4dA==", "%%%not-base64%%%", "QUJD"],
    ids=["wrong-length", "not-base64", "short"],
)
async def test_undecryptable_payload_is_400(wechat, sessions, encrypted):
    response = await wechat.post(_signed_encrypt(wechat.side, encrypted, wechat.now()))
    assert response.status == 400
    await nothing_written(sessions)


async def test_message_for_another_app_is_400(wechat, sessions):
    xml = wechat.side.message("o-hostile", "text", 9, wechat.now(), Content="举报")
    encrypted = encrypt(wechat.side.aes_key, "wx0000000000000000", xml)
    response = await wechat.post(_signed_encrypt(wechat.side, encrypted, wechat.now()))
    assert response.status == 400
    await nothing_written(sessions)


@pytest.mark.parametrize(
    "inner",
    [BILLION_LAUGHS, "<xml><MsgType>text</MsgType></xml>", "<xml><FromUserName>o</FromUserName>"],
    ids=["entities-inside", "no-sender", "unclosed-inside"],
)
async def test_hostile_or_incomplete_inner_message_is_400(wechat, sessions, inner):
    encrypted = encrypt(wechat.side.aes_key, wechat.side.app_id, inner)
    response = await wechat.post(_signed_encrypt(wechat.side, encrypted, wechat.now()))
    assert response.status == 400
    await nothing_written(sessions)


async def test_url_verification_echoes_only_with_a_good_signature(wechat):
    ts, nonce = str(wechat.now()), "777"
    good = {
        "signature": signature("spamtest", ts, nonce),
        "timestamp": ts,
        "nonce": nonce,
        "echostr": "shr5ch",
    }
    response = await wechat.client.get("/wechat/mp", params=good)
    assert response.status == 200 and await response.text() == "shr5ch"

    forged = await wechat.client.get("/wechat/mp", params={**good, "signature": "f" * 40})
    assert forged.status == 403
    missing = await wechat.client.get("/wechat/mp", params={"echostr": "x"})
    assert missing.status == 400
    stale = {**good, "timestamp": str(wechat.now() - 600)}
    stale["signature"] = signature("spamtest", stale["timestamp"], nonce)
    assert (await wechat.client.get("/wechat/mp", params=stale)).status == 403


@pytest.mark.parametrize("hostile", ["]]>", "<b>&amp;</b> & <", "😀🔥 emoji", "]]]]>"])
async def test_user_text_never_breaks_the_reply_xml(wechat, hostile):
    await wechat.say("o-xml", "举报")
    await wechat.say("o-xml", "1")
    await wechat.say("o-xml", "塘桥镇")
    place = f"宏达化工{hostile}南京路18号"
    await wechat.say("o-xml", place)
    await wechat.say("o-xml", f"消防通道被堵死，灭火器过期{hostile}")
    await wechat.say("o-xml", "完成")
    summary = await wechat.say("o-xml", "2")
    assert f"单位和地址：{place}" in summary
    assert f"灭火器过期{hostile}" in summary
