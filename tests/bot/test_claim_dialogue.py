"""领奖 as the reporter types it: each step asks again until it is answered right, and only the
confirmation hands the payee's details to the service."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.claim import read_bank_account
from bot.conversation import Claim, Conversation, Draft, Inbound, Outcome, StartClaim, Step
from bot.dialogue import step
from rewards.resident_id import check_digit

NOW = datetime(2026, 12, 7, 2, tzinfo=UTC)
NUMBER = "ZJG-2026-000123"
CODE = "1234567890123456"
RESIDENT_ID = "11010519491231002X"
BANK = "中国银行张家港支行 6217 8888 0000 1234"


def say(conversation: Conversation | None, *texts: str | Inbound) -> Outcome:
    outcome = Outcome(conversation)
    for text in texts:
        inbound = Inbound("text", text=text) if isinstance(text, str) else text
        outcome = step(outcome.conversation, inbound, (), NOW)
    return outcome


def test_the_whole_claim_from_number_and_code_to_confirmation():
    started = say(None, f"领奖 {NUMBER} {CODE[:4]} {CODE[4:8]} {CODE[8:12]} {CODE[12:]}")
    assert started.effect == StartClaim(NUMBER, CODE)
    assert "真实姓名" in started.reply and NUMBER in started.reply
    asked_id = say(started.conversation, "张 三")
    assert "身份证号码" in asked_id.reply
    asked_bank = say(asked_id.conversation, RESIDENT_ID.lower())
    assert "开户银行" in asked_bank.reply
    summary = say(asked_bank.conversation, BANK)
    assert summary.conversation.step == Step.CLAIM_CONFIRM
    assert "110***********002X" in summary.reply and "银行账号：************1234" in summary.reply
    assert RESIDENT_ID not in summary.reply and "6217888800001234" not in summary.reply
    done = say(summary.conversation, "1")
    assert done.conversation is None
    assert done.effect == Claim(
        NUMBER, "张 三", RESIDENT_ID, "中国银行张家港支行", "6217888800001234"
    )


def test_from_his_own_wechat_the_number_is_enough():
    assert say(None, f"领奖 {NUMBER}").effect == StartClaim(NUMBER, None)


@pytest.mark.parametrize("text", ["领奖", "领奖 123", f"领奖 {NUMBER} 12345"])
def test_a_claim_without_a_number_or_with_a_bad_code_explains_the_form(text):
    outcome = say(None, text)
    assert outcome.conversation is None and "领奖 编号" in outcome.reply


def claiming(where: Step) -> Conversation:
    draft = Draft(claim=NUMBER, claim_name="张三", claim_id=RESIDENT_ID, claim_bank="中国银行",
                  claim_account="6217888800001234")  # fmt: skip
    return Conversation(where, draft, NOW)


@pytest.mark.parametrize(
    ("where", "wrong", "complaint"),
    [
        (Step.CLAIM_NAME, "张", "2–20个字"),
        (Step.CLAIM_NAME, "张3", "不含数字"),
        (Step.CLAIM_ID, "110105194912310021", "校验码"),  # the last digit is wrong
        (Step.CLAIM_ID, "11010519490230" + "002" + check_digit("11010519490230002"), "出生日期"),
        (Step.CLAIM_BANK, "6217888800001234", "开户银行和账号"),  # no bank
        (Step.CLAIM_BANK, "中国银行", "开户银行和账号"),  # no account
        (Step.CLAIM_BANK, "中国银行 1234", "开户银行和账号"),  # too short for an account
        (Step.CLAIM_CONFIRM, "好的", "1 或 2"),
    ],
)
def test_a_wrong_answer_is_asked_again_and_keeps_what_was_given(where, wrong, complaint):
    outcome = say(claiming(where), wrong)
    assert outcome.conversation is not None and outcome.conversation.step == where
    assert outcome.conversation.draft == claiming(where).draft
    assert complaint in outcome.reply and outcome.effect is None


@pytest.mark.parametrize("where", [Step.CLAIM_NAME, Step.CLAIM_ID, Step.CLAIM_BANK,
                                   Step.CLAIM_CONFIRM])  # fmt: skip
def test_cancel_drops_the_claim_and_help_repeats_the_question(where):
    cancelled = say(claiming(where), "取消")
    assert cancelled.conversation is None and cancelled.effect is None
    assert "已取消领奖" in cancelled.reply and f"领奖 {NUMBER}" in cancelled.reply
    helped = say(claiming(where), "帮助")
    assert helped.conversation == claiming(where) and "领奖信息" in helped.reply
    photo = say(claiming(where), Inbound("image", media_id="m"))
    assert photo.conversation == claiming(where) and photo.effect is None and photo.reply


def test_start_again_keeps_only_the_number():
    outcome = say(claiming(Step.CLAIM_CONFIRM), "2")
    assert outcome.conversation.step == Step.CLAIM_NAME
    assert outcome.conversation.draft == Draft(claim=NUMBER)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (BANK, ("中国银行张家港支行", "6217888800001234")),
        ("农业银行 塘桥 支行 622848001234567890", ("农业银行 塘桥 支行", "622848001234567890")),
        ("工商银行　６２２２０２１２３４５６７８", ("工商银行", "62220212345678")),  # full-width
        ("6217888800001234", None),
        ("中国银行", None),
    ],
)
def test_bank_and_account_in_one_message(text, expected):
    assert read_bank_account(text) == expected
