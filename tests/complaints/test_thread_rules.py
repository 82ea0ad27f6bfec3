"""The thread's rules without a database: who writes, what text is kept, which reports can be
messaged, and how the bot reads the reporter's `回复 编号 内容` (only outside a dialogue)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot import texts
from bot.answers import read_reply
from bot.conversation import Conversation, Inbound, Reply, Step
from bot.dialogue import step
from complaints.lifecycle import Forbidden, Invalid
from complaints.thread_rules import Kind, check_reachable, check_writer, clean_text, may_write

NOW = datetime(2026, 11, 27, 2, tzinfo=UTC)
NUMBER = "ZJG-2026-000123"


@pytest.mark.parametrize(
    ("role", "writes"),
    [
        ("dispatcher", True),
        ("leader", True),
        ("officer", True),  # for reports in his scope: the adapters find it there or 404
        ("auditor", False),
        ("finance", False),
        ("admin", False),
    ],
)
def test_who_writes_to_the_reporter_and_notes(role, writes):
    assert may_write(role) is writes
    for kind in (Kind.STAFF, Kind.NOTE):
        if writes:
            check_writer(role, kind)
        else:
            with pytest.raises(Forbidden):
                check_writer(role, kind)


def test_the_refusal_names_what_was_refused():
    with pytest.raises(Forbidden, match="您的角色不能给举报人留言"):
        check_writer("auditor", Kind.STAFF)
    with pytest.raises(Forbidden, match="您的角色不能写内部备注"):
        check_writer("finance", Kind.NOTE)


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("  请补充现场照片。 \n", "请补充现场照片。"),
        ("字" * 1000, "字" * 1000),
        ("", None),
        ("   \n ", None),
        ("字" * 1001, None),
        (None, None),
        (42, None),
    ],
)
def test_text_is_trimmed_and_one_to_a_thousand_characters(text, kept):
    if kept is None:
        with pytest.raises(Invalid):
            clean_text(text, Kind.STAFF)
    else:
        assert clean_text(text, Kind.STAFF) == kept


def test_too_long_says_the_limit_and_the_length():
    with pytest.raises(Invalid, match="不能超过1000字（现为1001字）"):
        clean_text("字" * 1001, Kind.NOTE)


def test_a_report_without_an_openid_cannot_be_messaged():
    check_reachable(True)
    with pytest.raises(Invalid, match="该举报经电话等渠道受理，无法通过微信留言"):
        check_reachable(False)


@pytest.mark.parametrize(
    ("said", "read"),
    [
        (f"回复 {NUMBER} 下午三点后可以联系我", (NUMBER, "下午三点后可以联系我")),
        (f"回复{NUMBER} 在仓库后门", (NUMBER, "在仓库后门")),
        (f"回复\u3000{NUMBER}\u3000照片已补充，谢谢！", (NUMBER, "照片已补充，谢谢！")),
        (f"回复 {NUMBER.lower()} 好的", (NUMBER, "好的")),
        ("回复 ＺＪＧ－２０２６－０００１２３ 好的", (NUMBER, "好的")),
        (f"回复 {NUMBER}", None),
        ("回复 好的", None),
    ],
)
def test_reading_a_reply(said, read):
    assert read_reply(said) == read


def test_a_reply_outside_a_dialogue_is_a_command():
    outcome = step(None, Inbound("text", f"回复 {NUMBER} 下午三点后可以联系我"), [], NOW)
    assert outcome.conversation is None
    assert outcome.effect == Reply(NUMBER, "下午三点后可以联系我")


def test_a_reply_without_a_text_or_too_long_is_explained():
    assert step(None, Inbound("text", f"回复 {NUMBER}"), [], NOW).reply == texts.REPLY_USAGE
    long = step(None, Inbound("text", f"回复 {NUMBER} {'字' * 1001}"), [], NOW)
    assert long.reply == texts.REPLY_TOO_LONG and long.effect is None


def test_inside_a_dialogue_a_reply_answers_the_current_question():
    describing = Conversation(Step.DESCRIPTION, updated_at=NOW)
    outcome = step(
        describing, Inbound("text", f"回复 {NUMBER} 仓库里堆满了油漆桶没有防火"), [], NOW
    )
    assert outcome.effect is None and outcome.conversation is not None
    assert outcome.conversation.step == Step.EVIDENCE  # taken as the description


def test_help_mentions_the_reply():
    assert "回复 编号 内容" in step(None, Inbound("text", "帮助"), [], NOW).reply
