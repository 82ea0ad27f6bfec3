"""The WeChat API client against the fake WeChat servers: calls, errors and timeouts."""

from __future__ import annotations

import pytest

from jubao.demo.fake_api import FakeWeChat
from notifications.wechat_api import WeChatClient
from notifications.wechat_errors import DUPLICATE_CHECK_SECONDS, HTTP_ERROR, TIMEOUT, WeChatError

OPENID = "oDF3iY9ffA-hqb2vVvbr7qxf6A0Q"


async def test_customer_service_message(api: WeChatClient, fake_api: FakeWeChat):
    await api.mp_send_text(OPENID, "您的举报 ZJG-2026-000001 已受理")
    sent = fake_api.last("mp_custom")
    assert (sent.to, sent.text) == (OPENID, "您的举报 ZJG-2026-000001 已受理")
    assert sent.body["msgtype"] == "text"


async def test_template_message(api: WeChatClient, fake_api: FakeWeChat):
    data = {"first": "举报进展", "keyword1": {"value": "ZJG-2026-000001", "color": "#173177"}}
    msgid = await api.mp_send_template(OPENID, "TPL-1", data, url="https://example.org/r/1")
    assert isinstance(msgid, int)
    body = fake_api.last("mp_template").body
    assert body["template_id"] == "TPL-1" and body["url"] == "https://example.org/r/1"
    assert body["data"]["first"] == {"value": "举报进展"}
    assert body["data"]["keyword1"]["color"] == "#173177"


async def test_template_message_needs_a_template(api: WeChatClient, fake_api: FakeWeChat):
    with pytest.raises(WeChatError) as refused:
        await api.mp_send_template(OPENID, "", {"first": "x"})
    assert fake_api.sent() == [] and fake_api.requests["mp_template"] == 0
    assert refused.value.retryable  # a configuration an operator can fix


async def test_work_app_messages(api: WeChatClient, fake_api: FakeWeChat):
    assert await api.work_send_text("zhangwei|lina", "新分派：ZJG-2026-000001")
    await api.work_send_card(
        "zhangwei", title="新分派", description="塘桥镇 宏达化工", url="https://jubao/r/1"
    )
    text, card = fake_api.sent("work_app")
    assert text.to == "zhangwei|lina" and text.text == "新分派：ZJG-2026-000001"
    assert text.body["agentid"] == 1000002
    assert text.body["enable_duplicate_check"] == 1
    assert text.body["duplicate_check_interval"] == DUPLICATE_CHECK_SECONDS
    assert card.body["textcard"]["btntxt"] == "详情"
    assert card.text == "新分派\n塘桥镇 宏达化工\nhttps://jubao/r/1"


async def test_duplicate_check_as_wechat_work_does(api, fake_api, clock):  # type: ignore[no-untyped-def]
    from datetime import timedelta

    await api.work_send_text("zhangwei", "逾期提醒")
    await api.work_send_text("zhangwei", "逾期提醒")  # accepted, not delivered again
    assert len(fake_api.sent("work_app")) == 1
    clock.advance(timedelta(seconds=DUPLICATE_CHECK_SECONDS))
    await api.work_send_text("zhangwei", "逾期提醒")
    assert len(fake_api.sent("work_app")) == 2


async def test_group_messages(api: WeChatClient, fake_api: FakeWeChat):
    await api.appchat_send("wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA", "**新分派**", markdown=True)
    await api.webhook_send("robot-key", "新分派")
    chat, robot = fake_api.sent("work_appchat"), fake_api.sent("work_webhook")
    assert chat[0].to == "wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA" and chat[0].body["msgtype"] == "markdown"
    assert robot[0].to == "robot-key" and robot[0].text == "新分派"
    assert fake_api.token_fetches("work") == 1  # the robot needs no token


async def test_media_downloads(api: WeChatClient, fake_api: FakeWeChat):
    fake_api.add_media("IMG1", b"\xff\xd8jpeg", "image/jpeg")
    fake_api.add_media("VID1", b"mp4 bytes", "video/mp4")
    image = await api.mp_media("IMG1")
    assert (image.content, image.content_type) == (b"\xff\xd8jpeg", "image/jpeg")
    video = await api.mp_media("VID1")  # the Official Account answers with a video_url
    assert (video.content, video.content_type) == (b"mp4 bytes", "video/mp4")
    assert (await api.work_media("IMG1")).content == b"\xff\xd8jpeg"
    with pytest.raises(WeChatError) as unknown:
        await api.mp_media("gone")
    assert unknown.value.errcode == 40007 and not unknown.value.retryable


@pytest.mark.parametrize(
    ("response", "errcode", "retryable"),
    [
        ({"errcode": -1, "errmsg": "system error"}, -1, True),
        ({"errcode": 45009, "errmsg": "reach max api daily quota limit"}, 45009, True),
        (500, HTTP_ERROR, True),
        (502, HTTP_ERROR, True),
        ("delay", TIMEOUT, True),
        ({"errcode": 45015, "errmsg": "response out of time limit"}, 45015, False),
        ({"errcode": 45047, "errmsg": "out of response count limit"}, 45047, False),
        ({"errcode": 43004, "errmsg": "require subscribe"}, 43004, False),
    ],
)
async def test_errors_say_whether_to_retry(api, fake_api, response, errcode, retryable):  # type: ignore[no-untyped-def]
    fake_api.delay = 1.0
    fake_api.script("mp_custom", response)
    with pytest.raises(WeChatError) as refused:
        await api.mp_send_text(OPENID, "hello")
    assert (refused.value.errcode, refused.value.retryable) == (errcode, retryable)
    assert OPENID not in str(refused.value) and "hello" not in str(refused.value)
    assert fake_api.sent() == []


async def test_wrong_secret_is_a_token_error(api_settings, sessions, clock, fake_api):  # type: ignore[no-untyped-def]
    wrong = api_settings.replace(work_secret="nope")
    async with WeChatClient(wrong, sessions, clock) as client:
        with pytest.raises(WeChatError) as refused:
            await client.work_send_text("zhangwei", "hello")
    assert refused.value.errcode == 40001 and refused.value.errmsg == "token: invalid secret"
    assert refused.value.retryable and fake_api.requests["work_app"] == 0


async def test_unreachable_api_is_retryable(api_settings, sessions, clock):  # type: ignore[no-untyped-def]
    nowhere = api_settings.replace(mp_api_base="http://127.0.0.1:9")
    async with WeChatClient(nowhere, sessions, clock, timeout=2) as client:
        with pytest.raises(WeChatError) as refused:
            await client.mp_send_text(OPENID, "hello")
    assert refused.value.retryable and refused.value.errcode < 0


async def test_a_session_passed_in_is_not_closed(api_settings, sessions, clock, fake_api):  # type: ignore[no-untyped-def]
    import aiohttp

    async with aiohttp.ClientSession() as http:
        async with WeChatClient(api_settings, sessions, clock, http=http) as client:
            await client.mp_send_text(OPENID, "one")
        assert not http.closed
    assert len(fake_api.sent("mp_custom")) == 1


async def test_fake_can_be_mounted_under_a_prefix(aiohttp_server, api_settings, sessions, clock):  # type: ignore[no-untyped-def]
    from aiohttp import web

    from jubao.demo.fake_api import FAKE_WECHAT, create_fake_api

    root, fake_app = web.Application(), create_fake_api(api_settings, clock=clock)
    root.add_subapp("/fake-wechat", fake_app)
    base = str((await aiohttp_server(root)).make_url("/fake-wechat"))
    settings = api_settings.replace(mp_api_base=base, work_api_base=base)
    fake = fake_app[FAKE_WECHAT]
    fake.add_media("VID1", b"mp4 bytes", "video/mp4")
    async with WeChatClient(settings, sessions, clock) as client:
        await client.mp_send_text(OPENID, "hi")
        assert (await client.mp_media("VID1")).content == b"mp4 bytes"
    assert fake.last("mp_custom").text == "hi"
