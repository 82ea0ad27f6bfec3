"""Hostile inner messages on /wechat/mp and /wechat/work, encrypted and signed as WeChat does,
so that they pass the signature and reach the parser: never a 500, a refusal writes nothing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jubao.demo.wechat import cdata
from tests.hostile.conftest import HOSTILE, row_counts
from tests.wechat_client import next_msg_id, next_work_msg_id

# every plane; surrogates cannot travel in UTF-8
ANY_CHAR = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=("Cs",))
TRICKS = st.sampled_from(
    [
        "]]>",
        "<![CDATA[",
        "&amp;",
        "&#0;",
        "&#x1F600;",
        "&e;",
        '<!DOCTYPE xml [<!ENTITY e "x">]>',
        '<!DOCTYPE xml SYSTEM "file:///etc/passwd">',
        '<?xml version="1.0" encoding="UTF-16"?>',
        "<!--",
        "<a>",
        "</xml>",
        "\x00",
        "\ufffe",
        "\U0010ffff",
        "举报",
        "完成",
    ]
)
TEXT = st.lists(st.one_of(st.text(ANY_CHAR, max_size=30), TRICKS), max_size=6).map("".join)
TAGS = st.sampled_from(
    ["ToUserName", "FromUserName", "CreateTime", "MsgType", "MsgId", "Content", "MediaId",
     "Event", "EventKey", "Location_X", "Label", "Recognition", "List", "item", "x"]
)  # fmt: skip
MSG_TYPES = st.sampled_from(["text", "image", "voice", "video", "location", "link", "event", ""])


def element(depth: int) -> st.SearchStrategy[str]:
    """An XML fragment: a tag holding text (raw, CDATA) or, while `depth` lasts, elements."""
    leaf = st.builds(lambda tag, text: f"<{tag}>{text}</{tag}>", TAGS, TEXT.map(cdata) | TEXT)
    if depth == 0:
        return leaf
    nested = st.builds(
        lambda tag, children: f"<{tag}>{''.join(children)}</{tag}>",
        TAGS,
        st.lists(element(depth - 1), max_size=3),
    )
    return leaf | nested


def deep(tag: str, levels: int) -> str:
    return f"<{tag}>" * levels + "x" + f"</{tag}>" * levels


def message(fields: dict[str, str], extra: str = "") -> str:
    """An inner message whose fields are XML fragments already."""
    inner = "".join(f"<{name}>{value}</{name}>" for name, value in fields.items())
    return f"<xml>{inner}{extra}</xml>"


@st.composite
def inner_messages(draw: st.DrawFn) -> str:
    """A plausible message with hostile parts, random XML shapes, or random text."""
    shape = draw(st.sampled_from(["plausible", "shapes", "text", "huge"]))
    if shape == "shapes":
        return "<xml>" + "".join(draw(st.lists(element(3), max_size=5))) + "</xml>"
    if shape == "text":
        return draw(TEXT)
    fields = {
        "ToUserName": cdata("gh_jubao_demo"),
        "FromUserName": cdata(draw(st.sampled_from(["o-hostile", "zhangwei", ""]))),
        "CreateTime": draw(st.sampled_from(["1795744800", "", "²", "9" * 40, "-1", "1e3"])),
        "MsgType": cdata(draw(MSG_TYPES)),
        "MsgId": draw(
            st.sampled_from([str(next_msg_id()), str(2**63), str(10**30), "0", "-5", "١٢", ""])
            | st.integers(min_value=-(2**70), max_value=2**70).map(str)
        ),
        "Content": draw(TEXT.map(cdata) | element(2) | st.just(deep("a", 30_000))),
        "Event": cdata(draw(st.sampled_from(["subscribe", "CLICK", "unsubscribe", ""]))),
    }
    if shape == "huge":
        fields["Content"] = cdata(draw(ANY_CHAR) * draw(st.sampled_from([10_000, 300_000])))
    extra = draw(st.sampled_from(["", deep("x", 200), "<x>" * 3 + "</x>" * 3, "<xml/>"]))
    return message(fields, extra)


async def refused_or_answered(post, sessions, signed) -> int:  # type: ignore[no-untyped-def]
    """The status of a hostile request, which must be a 200 or a 4xx that wrote nothing."""
    before = await row_counts(sessions)
    status = await post(signed)
    assert status < 500
    if status >= 400:
        assert await row_counts(sessions) == before
    return status


@given(inner=inner_messages())
@HOSTILE
async def test_official_account_never_answers_500(hostile_app, sessions, clock, inner):
    _, mp, _ = hostile_app
    signed = mp.side.request(inner, timestamp=mp.now())

    async def post(signed):  # type: ignore[no-untyped-def]
        return (await mp.post(signed)).status

    await refused_or_answered(post, sessions, signed)


@given(inner=inner_messages())
@HOSTILE
async def test_work_app_never_answers_500(hostile_app, sessions, clock, inner):
    _, _, work = hostile_app
    signed = work.side.request(inner, timestamp=int(clock.now().timestamp()))

    async def post(signed):  # type: ignore[no-untyped-def]
        return (await work.post(signed))[0]

    await refused_or_answered(post, sessions, signed)


# The classes of issue 14 that answered 500, each for both callbacks where it applies.
MSG_IDS_OUT_OF_RANGE = [str(2**63), "9" * 31, "1" + "0" * 30, "0", "²", "١"]


@pytest.mark.parametrize("msg_id", MSG_IDS_OUT_OF_RANGE)
async def test_a_msg_id_beyond_64_bits_is_refused_on_both_callbacks(
    hostile_app, sessions, clock, msg_id
):
    _, mp, work = hostile_app
    now = mp.now()
    before = await row_counts(sessions)
    xml = mp.side.message("o-hostile", "text", None, now, Content="举报").replace(
        "</xml>", f"<MsgId>{msg_id}</MsgId></xml>"
    )
    assert (await mp.post(mp.side.request(xml, timestamp=now))).status == 400
    inner = work.side.message("zhangwei", "text", None, now, Content="我的").replace(
        "</xml>", f"<MsgId>{msg_id}</MsgId></xml>"
    )
    assert (await work.post(work.side.request(inner, timestamp=now)))[0] == 400
    assert await row_counts(sessions) == before


async def test_the_largest_64_bit_msg_id_is_taken(hostile_app, clock):
    _, mp, work = hostile_app
    assert "举报须知" in await mp.send("o-hostile", "text", msg_id=2**63 - 1, Content="举报")
    status, _ = await work.post(work.signed("zhangwei", "我的", msg_id=2**63 - 1))
    assert status == 200


@pytest.mark.parametrize(
    "content",
    [deep("a", 30_000), deep("a", 7), "<a>x</a>", "<a/><b/>", "<Content>x</Content>"],
)
async def test_an_element_where_text_belongs_is_refused(hostile_app, sessions, content):
    _, mp, work = hostile_app
    now = mp.now()
    before = await row_counts(sessions)
    fields = {
        "ToUserName": "gh_jubao_demo",
        "FromUserName": "o-hostile",
        "CreateTime": str(now),
        "MsgType": "text",
        "Content": content,
        "MsgId": str(next_msg_id()),
    }
    assert (await mp.post(mp.side.request(message(fields), timestamp=now))).status == 400
    fields |= {"FromUserName": "zhangwei", "MsgId": str(next_work_msg_id())}
    status, _ = await work.post(work.side.request(message(fields), timestamp=now))
    assert status == 400
    assert await row_counts(sessions) == before
