"""The citizen dialogue (SPEC §6, §11) walked through the pure `step` function."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.dialogue import (
    Conversation,
    Draft,
    Inbound,
    ListOwn,
    Outcome,
    QueryOne,
    Step,
    Submit,
    step,
)

TOWNS = ["杨舍镇", "塘桥镇", "金港镇"]
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
PLACE = "东方化工有限公司，人民路8号"
DESCRIPTION = "车间里堆满了油漆桶，旁边有人抽烟，没有任何防火措施。"
FILLED = Draft(
    category="injury",
    town="杨舍镇",
    place=PLACE,
    details="两人受伤，昨天下午",
    count=2,
    description=DESCRIPTION,
)
# A phrase from each step's question that a citizen would see.
QUESTIONS = {
    Step.CATEGORY: "1 事故隐患",
    Step.TOWN: "2 塘桥镇",
    Step.PLACE: "单位名称和地址",
    Step.DETAILS: "受伤人数",
    Step.DESCRIPTION: "具体情况",
    Step.EVIDENCE: "发送「完成」继续",
    Step.IDENTITY: "2 匿名",
    Step.NAME: "姓名",
    Step.PHONE: "11位手机号码",
    Step.CONFIRM: "1 提交",
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


# Whole reports ---------------------------------------------------------------------------------

CATEGORY_WALKS = [
    ("1", "hazard", None, None),
    ("2", "injury", "两人受伤，11月3日下午", 2),
    ("3", "concealed", "死亡三人，10月20日", 3),
    ("4", "violation", None, None),
]


@pytest.mark.parametrize(("answer", "category", "details", "count"), CATEGORY_WALKS)
def test_anonymous_report_of_each_category(
    answer: str, category: str, details: str | None, count: int | None
) -> None:
    start = say(None, "举报")
    assert "举报须知" in start.reply and "1 事故隐患" in start.reply
    town = say(start.conversation, answer)
    assert current(town) == Step.TOWN and "1 杨舍镇\n2 塘桥镇\n3 金港镇" in town.reply
    place = say(town.conversation, "2")
    assert current(place) == Step.PLACE and "单位名称和地址" in place.reply
    after_place = say(place.conversation, PLACE)
    if details is None:
        assert current(after_place) == Step.DESCRIPTION and "具体情况" in after_place.reply
        described = say(after_place.conversation, DESCRIPTION)
    else:
        assert current(after_place) == Step.DETAILS
        expected_question = "受伤人数" if category == "injury" else "瞒报的死亡人数"
        assert expected_question in after_place.reply
        described = say(after_place.conversation, details, DESCRIPTION)
    assert current(described) == Step.EVIDENCE and "证据" in described.reply
    identity = say(described.conversation, "跳过")
    assert current(identity) == Step.IDENTITY and "1 实名" in identity.reply
    confirm = say(identity.conversation, "2")
    assert current(confirm) == Step.CONFIRM
    assert "匿名" in confirm.reply and PLACE in confirm.reply and "塘桥镇" in confirm.reply
    done = say(confirm.conversation, "1")
    assert done.conversation is None
    assert done.effect == Submit(
        Draft(
            category=category,
            town="塘桥镇",
            place=PLACE,
            details=details or "",
            count=count,
            description=DESCRIPTION,
            anonymous=True,
        )
    )


def test_named_report_with_evidence_and_a_location_for_the_town() -> None:
    spot = Inbound("location", label="江苏省苏州市张家港市金港镇长江路", latitude="31.9")
    outcome = say(None, "我要举报", "违法", spot, "东方化工", "没有安全员，工人不戴安全帽作业。")
    assert draft_of(outcome).town == "金港镇" and current(outcome) == Step.EVIDENCE
    outcome = say(outcome.conversation, Inbound("image", media_id="img-1"))
    assert "第2件" in outcome.reply and "照片" in outcome.reply
    outcome = say(outcome.conversation, Inbound("voice", media_id="voice-1"), "完成", "1")
    assert current(outcome) == Step.NAME and "姓名" in outcome.reply
    outcome = say(outcome.conversation, "李四")
    assert current(outcome) == Step.PHONE and "手机号码" in outcome.reply
    outcome = say(outcome.conversation, "+86 138-0013-8000")
    assert current(outcome) == Step.CONFIRM
    assert "实名（李四，13800138000）" in outcome.reply and "证据：3件" in outcome.reply
    done = say(outcome.conversation, "1")
    assert done.conversation is None and isinstance(done.effect, Submit)
    filed = done.effect.draft
    assert (filed.category, filed.name, filed.phone, filed.anonymous) == (
        "violation",
        "李四",
        "13800138000",
        False,
    )
    assert [(item.kind, item.media_id) for item in filed.evidence] == [
        ("location", ""),
        ("image", "img-1"),
        ("voice", "voice-1"),
    ]
    assert filed.evidence[0].label == "江苏省苏州市张家港市金港镇长江路"


# Starting and commands outside a dialogue -----------------------------------------------------


@pytest.mark.parametrize(
    "inbound",
    [
        Inbound("text", "举报"),
        Inbound("text", "我要举报"),
        Inbound("text", "\u3000举报\u3000"),
        Inbound("text", "  我要举报 "),
        Inbound("event", event="click", event_key="REPORT"),
    ],
)
def test_report_starts_at_the_category_question(inbound: Inbound) -> None:
    outcome = step(None, inbound, TOWNS, NOW)
    assert current(outcome) == Step.CATEGORY and draft_of(outcome) == Draft()
    assert "举报须知" in outcome.reply and "4 其他安全生产违法行为" in outcome.reply


@pytest.mark.xfail(reason="spaces inside the start word are not folded", strict=True)
@pytest.mark.parametrize("words", ["我要 举报", "举 报"])
def test_spaced_start_words_start_a_report(words: str) -> None:
    assert current(say(None, words)) == Step.CATEGORY


def test_cancel_outside_a_dialogue_says_there_is_nothing_to_cancel() -> None:
    outcome = say(None, "取消")
    assert outcome.conversation is None and "无需取消" in outcome.reply


def test_query_alone_lists_own_reports() -> None:
    outcome = say(None, "查询")
    assert outcome.conversation is None and outcome.effect == ListOwn()


def test_query_with_number_and_spaced_code() -> None:
    outcome = say(None, "查询 ZJG-2026-000123 1234 5678 9012 3456")
    assert outcome.effect == QueryOne("ZJG-2026-000123", "1234567890123456")


@pytest.mark.parametrize("text", ["查询 ZJG-2026-000123", "查询 123", "查询 ZJG-2026-000123 1234"])
def test_malformed_query_gets_usage(text: str) -> None:
    outcome = say(None, text)
    assert outcome.effect is None and "查询 编号 查询码" in outcome.reply


# Commands and unexpected messages at every step ------------------------------------------------


@pytest.mark.parametrize("where", list(Step))
def test_cancel_at_any_step_keeps_nothing(where: Step) -> None:
    outcome = say(at(where), "取消")
    assert outcome.conversation is None and outcome.effect is None and "已取消" in outcome.reply


@pytest.mark.parametrize("where", list(Step))
def test_help_keeps_the_step_and_repeats_the_question(where: Step) -> None:
    outcome = say(at(where), "帮助")
    assert current(outcome) == where and draft_of(outcome) == FILLED
    assert "正在填写举报" in outcome.reply and QUESTIONS[where] in outcome.reply


@pytest.mark.parametrize("where", list(Step))
def test_link_gets_the_current_question_again(where: Step) -> None:
    outcome = say(at(where), Inbound("link"))
    assert current(outcome) == where and draft_of(outcome) == FILLED
    assert QUESTIONS[where] in outcome.reply


@pytest.mark.parametrize("where", [s for s in Step if s != Step.EVIDENCE])
def test_image_outside_the_evidence_step_gets_the_question_again(where: Step) -> None:
    outcome = say(at(where), Inbound("image", media_id="m"))
    assert current(outcome) == where and draft_of(outcome).evidence == ()
    assert QUESTIONS[where] in outcome.reply


# Idle conversations --------------------------------------------------------------------------


def test_dialogue_idle_over_24_hours_is_dropped() -> None:
    outcome = say(at(Step.PLACE), PLACE, now=NOW + timedelta(hours=24, minutes=1))
    assert outcome.conversation is None
    assert "超过24小时" in outcome.reply and "发送「举报」" in outcome.reply


def test_after_expiry_cancel_has_nothing_to_cancel_and_report_starts_afresh() -> None:
    later = NOW + timedelta(days=2)
    assert "无需取消" in say(at(Step.CONFIRM), "取消", now=later).reply
    restarted = say(at(Step.CONFIRM), "举报", now=later)
    assert current(restarted) == Step.CATEGORY and draft_of(restarted) == Draft()


def test_dialogue_within_24_hours_continues_and_is_refreshed() -> None:
    later = NOW + timedelta(hours=23)
    outcome = say(at(Step.PLACE), PLACE, now=later)
    assert current(outcome) == Step.DETAILS
    assert outcome.conversation is not None and outcome.conversation.updated_at == later
