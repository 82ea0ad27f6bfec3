"""The citizen dialogue (SPEC §6, §11) walked through the pure `step` function."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.conversation import (
    Conversation,
    Draft,
    Effect,
    EvidenceItem,
    Inbound,
    ListOwn,
    Outcome,
    QueryOne,
    Step,
    Submit,
)
from bot.dialogue import CLAIM_STEPS, step

TOWNS = ["杨舍镇", "塘桥镇", "金港镇"]
TOWN_LIST = "1 杨舍镇\n2 塘桥镇\n3 金港镇"
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
PLACE = "东方化工有限公司，人民路８号"  # kept as written
DESCRIPTION = "车间里堆满了油漆桶，旁边有人抽烟，没有任何防火措施。"
FILLED = Draft("injury", "杨舍镇", PLACE, "两人受伤 昨天下午", 2, DESCRIPTION)
# A phrase from each step's question that the citizen sees when the step is asked.
QUESTIONS = {
    Step.CATEGORY: "1 事故隐患",
    Step.TOWN: TOWN_LIST,
    Step.PLACE: "单位名称和地址",
    Step.DETAILS: "受伤人数",
    Step.DESCRIPTION: "请描述具体情况",
    Step.EVIDENCE: "发送「完成」继续",
    Step.IDENTITY: "2 匿名",
    Step.NAME: "请填写您的姓名",
    Step.PHONE: "11位手机号码",
    Step.CONFIRM: "1 提交\n2 重新填写\n3 取消",
    Step.SUPPLEMENT: "发送「完成」结束",
}


def say(
    conversation: Conversation | None, *messages: Inbound | str, now: datetime = NOW
) -> Outcome:
    """Send messages one after another (strings are text messages); the last outcome."""
    outcome = Outcome(conversation)
    for message in messages:
        inbound = Inbound("text", message) if isinstance(message, str) else message
        outcome = step(outcome.conversation, inbound, TOWNS, now)
    return outcome


def at(where: Step, draft: Draft = FILLED) -> Conversation:
    return Conversation(where, draft, NOW)


def current(outcome: Outcome) -> Step:
    assert outcome.conversation is not None, outcome.reply
    return outcome.conversation.step


def draft_of(outcome: Outcome) -> Draft:
    assert outcome.conversation is not None, outcome.reply
    return outcome.conversation.draft


WALKS = [("1", "hazard", None, None), ("2", "injury", "两人受伤，11月3日下午", 2)]
WALKS += [("3", "concealed", "死亡三人 10月20日", 3), ("4", "violation", None, None)]


@pytest.mark.parametrize(("answer", "category", "details", "count"), WALKS)
def test_anonymous_report_of_each_category(
    answer: str, category: str, details: str | None, count: int | None
) -> None:
    started = say(None, "举报")
    assert "举报须知" in started.reply and "1 事故隐患" in started.reply
    town = say(started.conversation, answer)
    assert current(town) == Step.TOWN and TOWN_LIST in town.reply
    place = say(town.conversation, "2")
    assert current(place) == Step.PLACE and "单位名称和地址" in place.reply
    after_place = say(place.conversation, PLACE)
    if details is None:
        assert current(after_place) == Step.DESCRIPTION and "具体情况" in after_place.reply
        described = say(after_place.conversation, DESCRIPTION)
    else:
        asked = "受伤人数" if category == "injury" else "瞒报的死亡人数"
        assert current(after_place) == Step.DETAILS and asked in after_place.reply
        described = say(after_place.conversation, details, DESCRIPTION)
    assert current(described) == Step.EVIDENCE and "证据" in described.reply
    identity = say(described.conversation, "跳过")
    assert current(identity) == Step.IDENTITY and "1 实名" in identity.reply
    confirm = say(identity.conversation, "2")
    assert current(confirm) == Step.CONFIRM and "举报方式：匿名" in confirm.reply
    assert "镇（区）：塘桥镇" in confirm.reply and PLACE in confirm.reply
    done = say(confirm.conversation, "1")
    assert done.conversation is None
    expected = Draft(category, "塘桥镇", PLACE, details or "", count, DESCRIPTION, anonymous=True)
    assert done.effect == Submit(expected)


def test_named_report_with_evidence_and_a_location_for_the_town() -> None:
    spot = Inbound("location", label="江苏省苏州市张家港市金港镇长江路", latitude="31.9")
    outcome = say(None, "我要举报", "违法", spot, "东方化工", "没有安全员，工人不戴安全帽作业。")
    assert draft_of(outcome).town == "金港镇" and current(outcome) == Step.EVIDENCE
    outcome = say(outcome.conversation, Inbound("image", media_id="img-1"))
    assert "第2件证据（照片）" in outcome.reply
    outcome = say(outcome.conversation, Inbound("voice", media_id="voice-1"), "完成", "1")
    assert current(outcome) == Step.NAME and "姓名" in outcome.reply
    outcome = say(outcome.conversation, "李四")
    assert current(outcome) == Step.PHONE and "手机号码" in outcome.reply
    outcome = say(outcome.conversation, "+86 138-0013-8000")
    assert current(outcome) == Step.CONFIRM and "证据：3件" in outcome.reply
    assert "实名（李四，13800138000）" in outcome.reply
    done = say(outcome.conversation, "1")
    assert done.conversation is None and isinstance(done.effect, Submit)
    filed = done.effect.draft
    assert (filed.category, filed.name, filed.phone) == ("violation", "李四", "13800138000")
    assert not filed.anonymous and filed.evidence[0].label == spot.label
    kinds = [(item.kind, item.media_id) for item in filed.evidence]
    assert kinds == [("location", ""), ("image", "img-1"), ("voice", "voice-1")]


CLICK = Inbound("event", event="click", event_key="REPORT")


STARTS = ["举报", "我要举报", "\u3000举报\u3000", "  我要举报 ", "我要 举报", "举 报", "举报！"]


@pytest.mark.parametrize("text", [*STARTS, None])
def test_report_starts_at_the_category_question(text: str | None) -> None:
    outcome = step(None, CLICK if text is None else Inbound("text", text), TOWNS, NOW)
    assert current(outcome) == Step.CATEGORY and draft_of(outcome) == Draft()
    assert "举报须知" in outcome.reply and "4 其他安全生产违法行为" in outcome.reply


def test_the_menu_keys_query_and_claim_answer_as_their_words_do() -> None:
    """The Official Account's menu: 举报 (REPORT), 查询 (QUERY), 领奖 (CLAIM)."""
    query = step(None, Inbound("event", event="click", event_key="QUERY"), TOWNS, NOW)
    assert query.effect == ListOwn() and query.conversation is None
    claim = step(None, Inbound("event", event="click", event_key="CLAIM"), TOWNS, NOW)
    assert claim.conversation is None and "领奖 编号" in claim.reply
    other = step(None, Inbound("event", event="click", event_key="NEWS"), TOWNS, NOW)
    assert other.effect is None and "发送「举报」" in other.reply


QUERY = "查询 ZJG-2026-000123 1234 5678 9012 3456"
USAGE = "查询 编号 查询码"
IDLE_COMMANDS: list[tuple[str, Effect | None, str]] = [("取消", None, "没有正在填写的举报")]
IDLE_COMMANDS += [
    ("查询", ListOwn(), ""),
    (QUERY, QueryOne("ZJG-2026-000123", "1234567890123456"), ""),
]
IDLE_COMMANDS += [("查询 ZJG-2026-000123", None, USAGE), ("查询 ZJG-2026-000123 1234", None, USAGE)]
IDLE_COMMANDS += [("查询 123 1234567890123456", None, USAGE), ("你好", None, "发送「举报」")]
IDLE_COMMANDS += [("帮助", None, "发送「查询」")]


@pytest.mark.parametrize(("text", "effect", "said"), IDLE_COMMANDS)
def test_commands_outside_a_dialogue(text: str, effect: Effect | None, said: str) -> None:
    outcome = say(None, text)
    assert outcome.conversation is None and outcome.effect == effect
    assert said in outcome.reply


REPORT_STEPS = [step for step in Step if step not in CLAIM_STEPS]


@pytest.mark.parametrize("where", [step for step in REPORT_STEPS if step != Step.SUPPLEMENT])
def test_cancel_keeps_nothing_and_help_repeats_the_question_at_any_step(where: Step) -> None:
    cancelled = say(at(where), "取消")
    assert cancelled.conversation is None and cancelled.effect is None
    assert "已取消" in cancelled.reply
    for variant in ("\u3000取消 ", "取 消", "取消。"):
        assert say(at(where), variant).conversation is None, variant
    helped = say(at(where), "帮助")
    assert current(helped) == where and draft_of(helped) == FILLED
    assert "正在填写举报" in helped.reply and QUESTIONS[where] in helped.reply


UNEXPECTED = [Inbound("link"), Inbound("image", media_id="m"), CLICK]


@pytest.mark.parametrize(
    ("where", "inbound"),
    [
        (w, i)
        for w in REPORT_STEPS
        for i in UNEXPECTED
        if (w, i.kind) not in ((Step.EVIDENCE, "image"), (Step.SUPPLEMENT, "image"))
    ],
)
def test_unexpected_message_gets_the_current_question(where: Step, inbound: Inbound) -> None:
    outcome = say(at(where), inbound)
    assert current(outcome) == where and draft_of(outcome) == FILLED
    assert QUESTIONS[where] in outcome.reply


def test_dialogue_idle_over_24_hours_is_dropped_and_within_continues() -> None:
    outcome = say(at(Step.PLACE), PLACE, now=NOW + timedelta(hours=24, minutes=1))
    assert outcome.conversation is None
    assert "超过24小时" in outcome.reply and "发送「举报」" in outcome.reply
    later = NOW + timedelta(days=2)
    assert "没有正在填写的举报" in say(at(Step.CONFIRM), "取消", now=later).reply
    restarted = say(at(Step.CONFIRM), "举报", now=later)
    assert current(restarted) == Step.CATEGORY and draft_of(restarted) == Draft()
    within = say(at(Step.PLACE), PLACE, now=NOW + timedelta(hours=23))
    assert current(within) == Step.DETAILS
    assert within.conversation is not None and within.conversation.updated_at > NOW


CATEGORY_ANSWERS = [("1", "hazard"), ("2", "injury"), ("3", "concealed"), ("4", "violation")]
CATEGORY_ANSWERS += [("１", "hazard"), ("隐患", "hazard"), ("有人受伤了", "injury")]
CATEGORY_ANSWERS += [("瞒报", "concealed"), ("谎报事故", "concealed"), ("违法", "violation")]


@pytest.mark.parametrize(("answer", "category"), [*CATEGORY_ANSWERS, ("5", None), ("嗯", None)])
def test_category_answers(answer: str, category: str | None) -> None:
    outcome = say(at(Step.CATEGORY, Draft()), answer)
    if category is None:
        assert current(outcome) == Step.CATEGORY and "没有看懂" in outcome.reply
    else:
        assert current(outcome) == Step.TOWN and draft_of(outcome).category == category


SPOT = Inbound("location", label="张家港市塘桥镇南京路", latitude="31.8", longitude="120.6")
NOWHERE = Inbound("location", label="江苏省苏州市张家港市", latitude="31.8", longitude="120.5")
TOWN_ANSWERS = [("2", "塘桥镇"), ("３", "金港镇"), ("在塘桥镇那边", "塘桥镇"), (SPOT, "塘桥镇")]
TOWN_ANSWERS += [("4", None), ("0", None), ("不清楚", None), (NOWHERE, None)]


@pytest.mark.parametrize(("answer", "town"), TOWN_ANSWERS)
def test_town_answers(answer: Inbound | str, town: str | None) -> None:
    outcome = say(at(Step.TOWN, Draft(category="hazard")), answer)
    if town is None:
        assert current(outcome) == Step.TOWN and TOWN_LIST in outcome.reply
        assert draft_of(outcome) == Draft(category="hazard")
    else:
        assert current(outcome) == Step.PLACE and draft_of(outcome).town == town
    if answer is SPOT:  # the location is kept as evidence
        kept = EvidenceItem("location", label=SPOT.label, latitude="31.8", longitude="120.6")
        assert draft_of(outcome).evidence == (kept,)


@pytest.mark.parametrize("length", [1, 2, 200, 201])
def test_place_length(length: int) -> None:
    place = "厂" * length
    outcome = say(at(Step.PLACE, Draft(category="hazard", town="杨舍镇")), place)
    if 2 <= len(place) <= 200:
        assert current(outcome) == Step.DESCRIPTION and draft_of(outcome).place == place
    else:
        assert current(outcome) == Step.PLACE and "2–200" in outcome.reply
        assert draft_of(outcome).place == ""


NUMERALS = [(f"{n}人受伤 昨天", v) for v, n in enumerate("一二三四五六七八九十", start=1)]
COUNTS = [*NUMERALS, ("两人受伤", 2), ("十二人", 12), ("二十三人受伤", 23), ("３人", 3)]


@pytest.mark.parametrize(("details", "count"), [*COUNTS, ("17人", 17), ("不清楚", None)])
def test_count_is_the_first_number(details: str, count: int | None) -> None:
    outcome = say(at(Step.DETAILS, Draft(category="concealed")), details)
    assert draft_of(outcome).count == count
    if count is None:
        assert current(outcome) == Step.DETAILS and "瞒报的死亡人数" in outcome.reply
    else:
        assert current(outcome) == Step.DESCRIPTION
        assert draft_of(outcome).details == details  # kept as the citizen wrote it


DESCRIPTIONS = [(9, "至少需要10个字"), (10, None), (2000, None), (2001, "不能超过2000字")]


@pytest.mark.parametrize(("length", "problem"), DESCRIPTIONS)
def test_description_length(length: int, problem: str | None) -> None:
    outcome = say(at(Step.DESCRIPTION, Draft(category="hazard")), "危" * length)
    if problem is None:
        assert current(outcome) == Step.EVIDENCE and draft_of(outcome).description == "危" * length
    else:
        assert current(outcome) == Step.DESCRIPTION and problem in outcome.reply


EVIDENCE = [("image", "照片"), ("voice", "语音"), ("video", "视频"), ("shortvideo", "小视频")]


@pytest.mark.parametrize(("kind", "label"), [*EVIDENCE, ("location", "位置")])
def test_each_evidence_kind_is_recorded(kind: str, label: str) -> None:
    sent = Inbound(kind, media_id=f"{kind}-7", label="后门", latitude="31.87", longitude="120.5")
    outcome = say(at(Step.EVIDENCE), sent)
    assert current(outcome) == Step.EVIDENCE and f"第1件证据（{label}）" in outcome.reply
    kept = EvidenceItem(kind, f"{kind}-7", "后门", "31.87", "120.5")
    assert draft_of(outcome).evidence == (kept,)


def test_at_most_nine_evidence_items() -> None:
    outcome = say(at(Step.EVIDENCE), *[Inbound("image", media_id=f"m{n}") for n in range(10)])
    assert "最多9件" in outcome.reply and current(outcome) == Step.EVIDENCE
    assert [item.media_id for item in draft_of(outcome).evidence] == [f"m{n}" for n in range(9)]


def test_text_at_the_evidence_step_is_added_to_the_description() -> None:
    outcome = say(at(Step.EVIDENCE), "另外，消防通道也被堵住了")
    assert current(outcome) == Step.EVIDENCE and "补充到具体情况" in outcome.reply
    assert draft_of(outcome).description == f"{DESCRIPTION}\n另外，消防通道也被堵住了"
    full = say(at(Step.EVIDENCE, Draft(description="危" * 1995)), "还有更多情况要说明")
    assert draft_of(full).description == "危" * 1995 and "没有补充" in full.reply


BAD_ANSWERS = [(Step.IDENTITY, "3", "1（实名）或 2（匿名）"), (Step.NAME, "张", "2–20个字")]
BAD_ANSWERS += [(Step.NAME, "张3", "不能包含数字"), (Step.NAME, "张" * 21, "2–20个字")]


@pytest.mark.parametrize(("where", "answer", "problem"), BAD_ANSWERS)
def test_bad_identity_or_name_is_asked_again(where: Step, answer: str, problem: str) -> None:
    outcome = say(at(where), answer)
    assert current(outcome) == where and draft_of(outcome) == FILLED
    assert problem in outcome.reply and QUESTIONS[where] in outcome.reply


PHONES = [("+86 138-0013-8000", True), ("１３８００１３８０００", True), ("138 0013 8000", True)]
PHONES += [("abcdefghijk", False), ("1380013800", False), ("23800138000", False)]


@pytest.mark.parametrize(("phone", "accepted"), [*PHONES, ("1380013800x", False)])
def test_mobile_answers(phone: str, accepted: bool) -> None:
    outcome = say(at(Step.PHONE), phone)
    if accepted:
        assert current(outcome) == Step.CONFIRM and draft_of(outcome).phone == "13800138000"
    else:
        assert current(outcome) == Step.PHONE and "以1开头的11位数字" in outcome.reply


def test_confirm_2_restarts_3_cancels_and_another_answer_repeats_the_summary() -> None:
    named = Draft("hazard", "杨舍镇", PLACE, description=DESCRIPTION, name="李四", phone="1")
    restarted = say(at(Step.CONFIRM, named), "2")
    assert current(restarted) == Step.CATEGORY and draft_of(restarted) == Draft()
    assert "请选择举报类型" in restarted.reply
    cancelled = say(at(Step.CONFIRM), "3")
    assert cancelled.conversation is None and cancelled.effect is None
    assert "已取消" in cancelled.reply
    again = say(at(Step.CONFIRM), "5")
    assert current(again) == Step.CONFIRM and PLACE in again.reply and "1 提交" in again.reply


LONGEST = Draft("injury", "金港镇", "厂" * 200, "受" * 200, 1, "情" * 2000, name="欧" * 20)


def test_summary_shortens_a_long_description_under_2000_bytes() -> None:
    outcome = say(at(Step.PHONE, LONGEST), "13800138000")
    assert current(outcome) == Step.CONFIRM and len(outcome.reply.encode()) < 2000
    assert "厂" * 200 in outcome.reply and "情情…" in outcome.reply
    assert outcome.reply.endswith("3 取消") and "13800138000" in outcome.reply


def test_summary_with_ascii_description_is_under_2000_bytes() -> None:
    draft = Draft("hazard", "杨舍镇", "工厂", description="a" * 2000)
    assert len(say(at(Step.IDENTITY, draft), "2").reply.encode()) < 2000


@pytest.mark.parametrize("answer", ["帮助", "9"])
def test_replies_at_confirm_stay_under_2000_bytes(answer: str) -> None:
    outcome = say(at(Step.CONFIRM, LONGEST), answer)
    assert current(outcome) == Step.CONFIRM and len(outcome.reply.encode()) < 2000


def test_supplement_is_started_by_the_service_and_ended_by_done() -> None:
    from bot.conversation import StartSupplement, Supplement

    outcome = step(None, Inbound("text", text="补充 ZJG-2026-000007"), TOWNS, NOW)
    assert outcome.effect == StartSupplement("ZJG-2026-000007", None)
    assert outcome.conversation.step == Step.SUPPLEMENT
    with_code = step(
        None, Inbound("text", text="补充 zjg-2026-000007 1234 5678 9012 3456"), TOWNS, NOW
    )
    assert with_code.effect == StartSupplement("ZJG-2026-000007", "1234567890123456")
    added = step(outcome.conversation, Inbound("voice", media_id="v1"), TOWNS, NOW)
    assert added.effect == Supplement("ZJG-2026-000007", item=added.effect.item)
    assert added.effect.item.media_id == "v1" and "已补充第1件（语音）" in added.reply
    assert (added.effect.item.kind, added.effect.text) == ("voice", "")
    done = step(added.conversation, Inbound("text", text="完成"), TOWNS, NOW)
    assert done.conversation is None and "补充1件材料" in done.reply
