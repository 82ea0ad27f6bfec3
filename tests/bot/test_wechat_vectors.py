"""The WeChat side used by the tests is checked once against WeChat's published sample, and the
service accepts that very sample over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

from jubao.app import create_app
from jubao.clock import FixedClock
from jubao.demo.wechat import OfficialAccountSide, SignedRequest, decrypt, encrypt, signature
from tests.wechat_client import MpClient

# WeChat's sample for the Official Account (token spamtest, appid wx2c2769f8efd9abc2).
KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
TIMESTAMP, NONCE = "1409735669", "1320562132"
MSG_SIGNATURE = "5d197aaffba7e9b25a30732f161a50dee96bd5fa"
ENCRYPTED = (
    "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PG"
    "HQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6"
    "tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp"
    "3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhv"
    "Ql+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE="
)


def test_signature_matches_the_sample():
    assert signature("spamtest", TIMESTAMP, NONCE, ENCRYPTED) == MSG_SIGNATURE


def test_decrypting_the_sample_gives_the_message_and_appid():
    xml, app_id = decrypt(KEY, ENCRYPTED)
    assert app_id == "wx2c2769f8efd9abc2"
    assert "<Content><![CDATA[abcdteT]]></Content>" in xml
    assert "<MsgId>6054768590064713728</MsgId>" in xml


def test_encryption_is_the_inverse_of_decryption():
    xml, _ = decrypt(KEY, ENCRYPTED)
    again = encrypt(KEY, "wx2c2769f8efd9abc2", xml, random16=b"0123456789abcdef")
    assert decrypt(KEY, again) == (xml, "wx2c2769f8efd9abc2")


async def test_service_answers_the_published_sample(aiohttp_client, settings, towns):
    clock = FixedClock(datetime.fromtimestamp(int(TIMESTAMP), UTC))
    client = await aiohttp_client(create_app(settings, clock=clock))
    params = {
        "signature": signature("spamtest", TIMESTAMP, NONCE),
        "timestamp": TIMESTAMP,
        "nonce": NONCE,
        "encrypt_type": "aes",
        "msg_signature": MSG_SIGNATURE,
    }
    body = (
        "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>"
        f"<Encrypt><![CDATA[{ENCRYPTED}]]></Encrypt></xml>"
    )
    side = OfficialAccountSide("spamtest", "wx2c2769f8efd9abc2", KEY)
    response = await MpClient(client, side, clock).post(
        SignedRequest(urlencode(params), body.encode())
    )
    assert response.status == 200
    assert "发送「举报」" in response.reply  # 'abcdteT' is no command: the help text
