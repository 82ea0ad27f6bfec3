"""补充: a reporter adds text and media to an open report of his, or one whose code he holds."""

from __future__ import annotations

from sqlalchemy import select

from complaints.models import Evidence

WORKSHOP = "塘桥镇东街一家无名五金加工作坊"


async def test_the_reporter_adds_text_and_a_photo(wechat, sessions, staff):
    filed = await wechat.file_report("o-owner", town="塘桥镇", place=WORKSHOP)
    assert "请发送要补充到" in await wechat.say("o-owner", f"补充 {filed.number}")
    assert "已补充第1件（文字）" in await wechat.say("o-owner", "晚上还有人在仓库里吸烟。")
    reply = await wechat.send("o-owner", "image", MediaId="later-photo", PicUrl="http://x/p.jpg")
    assert "已补充第2件（照片）" in reply
    assert "补充2件材料" in await wechat.say("o-owner", "完成")

    async with sessions() as session:
        added = (await session.scalars(select(Evidence).order_by(Evidence.id))).all()
    assert [(e.kind, e.text, e.media_id) for e in added] == [
        ("text", "晚上还有人在仓库里吸烟。", None),
        ("image", None, "later-photo"),
    ]
    events = (await staff.report(filed.number, "wang"))["events"]
    assert [(e["action"], e["actor"]) for e in events] == [
        ("file", "reporter"), ("supplement", "reporter"), ("supplement", "reporter")
    ]  # fmt: skip


async def test_anyone_with_the_code_may_add_but_not_without_it(wechat):
    filed = await wechat.file_report("o-owner", town="塘桥镇", place=WORKSHOP)
    refused = await wechat.say("o-friend", f"补充 {filed.number}")
    assert "没有找到可以补充的举报" in refused
    assert "发送「举报」" in await wechat.say("o-friend", "我也看到了。")  # no dialogue open
    assert "请发送要补充到" in await wechat.say("o-friend", f"补充 {filed.number} {filed.code}")
    assert "已补充第1件" in await wechat.say("o-friend", "我也看到了。")


async def test_a_wrong_code_is_refused_like_an_unknown_number(wechat):
    filed = await wechat.file_report("o-owner", town="塘桥镇", place=WORKSHOP)
    wrong = await wechat.say("o-x", f"补充 {filed.number} 0000 0000 0000 0000")
    unknown = await wechat.say("o-x", "补充 ZJG-2026-999999 0000 0000 0000 0000")
    assert wrong == unknown and "没有找到可以补充的举报" in wrong


async def test_a_closed_or_rejected_report_takes_no_additions(wechat, staff):
    filed = await wechat.file_report("o-owner", town="塘桥镇", place=WORKSHOP)
    await staff.act(filed.number, "wang", "reject", reason="no_facts", note="无具体地址")
    assert "没有找到可以补充的举报" in await wechat.say("o-owner", f"补充 {filed.number}")


async def test_cancel_keeps_what_was_already_added(wechat, sessions):
    filed = await wechat.file_report("o-owner", town="塘桥镇", place=WORKSHOP)
    await wechat.say("o-owner", f"补充 {filed.number}")
    await wechat.say("o-owner", "补充一句。")
    assert "补充1件材料" in await wechat.say("o-owner", "取消")
    async with sessions() as session:
        assert (await session.scalars(select(Evidence.kind))).all() == ["text"]


async def test_malformed_supplement_explains_the_format(wechat):
    assert "补充格式" in await wechat.say("o-x", "补充一下")


async def test_a_retried_addition_is_added_once(wechat, sessions, staff):
    filed = await wechat.file_report("o-owner", town="塘桥镇", place=WORKSHOP)
    await wechat.say("o-owner", f"补充 {filed.number}")
    signed = wechat.signed("o-owner", "text", Content="仓库后门也被堵住了。")
    first, again = await wechat.post(signed), await wechat.post(signed)
    assert first.reply == again.reply and "已补充第1件（文字）" in first.reply
    async with sessions() as session:
        added = (await session.scalars(select(Evidence.text))).all()
    assert added == ["仓库后门也被堵住了。"]
    events = (await staff.report(filed.number, "wang"))["events"]
    assert [e["action"] for e in events] == ["file", "supplement"]
