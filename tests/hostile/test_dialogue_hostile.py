"""Random message sequences: a citizen's dialogue on /wechat/mp and an officer's commands on
/wechat/work, well-formed messages with any content. Every one is answered 200 (never a 500),
and after each the stored dialogue decodes into a valid step."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from bot.citizen_message import decode
from bot.conversation import Step
from bot.models import Dialogue
from jubao.identity import IdentityVault
from tests.hostile.conftest import HOSTILE

ANY_TEXT = st.text(
    st.characters(min_codepoint=1, max_codepoint=0x10FFFF, exclude_categories=("Cs",)),
    max_size=40,
).map(lambda text: "".join(c for c in text if c.isprintable() or c in "\n\t"))
WORDS = st.sampled_from(
    ["举报", "1", "2", "3", "4", "5", "0", "9", "²", "١", "１", "塘桥镇", "完成", "取消", "查询",
     "补充", "领奖", "是", "否", "确认", "重新开始", "帮助", "张三", "13800138000", "9" * 5000,
     "ZJG-2026-000001", "320582199001011234", "中国银行 6222020200112233445", "]]>", "\U0001f600",
     "张家港市宏达化工有限公司，塘桥镇南京路18号",
     "仓库消防通道被堆放的化工原料桶堵死，灭火器过期。"]
)  # fmt: skip
TEXTS = WORDS | ANY_TEXT | st.builds(lambda a, b: a + b, WORDS, ANY_TEXT)


@st.composite
def citizen_messages(draw: st.DrawFn) -> tuple[str, str, dict[str, object]]:
    """(openid, MsgType, fields) of a message a citizen's WeChat could send."""
    openid = draw(st.sampled_from(["o-alice", "o-bob"]))
    kind = draw(st.sampled_from(["text"] * 6 + ["image", "voice", "location", "link", "event"]))
    if kind == "text":
        return openid, kind, {"Content": draw(TEXTS)}
    if kind == "image":
        return openid, kind, {"MediaId": draw(TEXTS), "PicUrl": "http://x/y.jpg"}
    if kind == "voice":
        return openid, kind, {"MediaId": "m1", "Format": "amr", "Recognition": draw(TEXTS)}
    if kind == "location":
        fields = {"Location_X": draw(TEXTS), "Location_Y": "120.5", "Label": draw(TEXTS)}
        return openid, kind, fields | {"Scale": "15"}
    if kind == "link":
        return openid, kind, {"Title": draw(TEXTS), "Url": "http://x"}
    event = draw(st.sampled_from(["subscribe", "unsubscribe", "CLICK", "VIEW", "LOCATION", "x"]))
    return openid, kind, {"Event": event, "EventKey": draw(TEXTS)}


async def dialogues_are_valid(sessions, vault: IdentityVault) -> None:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        for state in await session.scalars(select(Dialogue.state_enc)):
            assert isinstance(decode(vault.decrypt(state)).step, Step)


@given(messages=st.lists(citizen_messages(), min_size=1, max_size=12))
@HOSTILE
async def test_random_citizen_dialogues_are_answered_and_stay_valid(
    hostile_app, sessions, settings, clock, messages
):
    _, mp, _ = hostile_app
    vault = IdentityVault(settings.identity_keys)
    for openid, kind, fields in messages:
        response = await mp.post(mp.signed(openid, kind, **fields))
        assert response.status == 200, response.body
        await dialogues_are_valid(sessions, vault)


COMMANDS = st.sampled_from(
    ["接收", "退回", "进展", "属实", "不属实", "我的", "逾期", "帮助", "理由", "内容", "说明"]
)
NUMBERS = st.sampled_from(["ZJG-2026-000001", "ZJG-2026-000002", "ZJG-2026-9999999", "²", ""])
OFFICER_TEXTS = (
    st.builds(lambda *parts: " ".join(parts), COMMANDS, NUMBERS, TEXTS) | COMMANDS | TEXTS
)


@pytest.fixture
async def officer_reports(reports, staff) -> list[str]:  # type: ignore[no-untyped-def]
    """zhangwei (an officer with a WeChat Work id) has one report to take and one in hand."""
    return [(await reports.advanced(s)).number for s in ("assigned", "investigating")]


@given(
    commands=st.lists(
        st.tuples(st.sampled_from(["zhangwei", "nobody", "wang"]), OFFICER_TEXTS), max_size=10
    )
)
@HOSTILE
async def test_random_officer_commands_are_answered(hostile_app, officer_reports, commands):
    _, _, work = hostile_app
    for user, text in commands:
        status, reply = await work.post(work.signed(user, text))
        assert status == 200, reply
