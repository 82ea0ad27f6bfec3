"""What the bot says while a reporter collects his reward (zh-CN). The summary masks the ID
and the account: the reply is kept (encrypted) for WeChat's retries, and shown on a phone."""

from __future__ import annotations

from bot.conversation import Draft

CLAIM_USAGE = "领奖格式：领奖 编号（本微信提交的举报），或 领奖 编号 查询码"
NAME_QUESTION = "请填写领奖人的真实姓名（须与身份证一致）。"
ID_QUESTION = "请填写领奖人的18位居民身份证号码。"
BANK_QUESTION = (
    "请在一条消息中填写开户银行和银行账号，中间用空格分开，例如：\n"
    "中国银行张家港支行 6217 0000 0000 0000"
)
BAD_NAME = "姓名需为2–20个字，不含数字。"
BAD_ID = "身份证号码有误（请核对出生日期和最后一位校验码）。"
BAD_BANK = "未能识别开户银行和账号，请按示例填写。"
BAD_CONFIRM = "请回复 1 或 2。"
CONFIRM_CHOICES = (
    "回复数字：\n1 确认提交\n2 重新填写\n发送「取消」结束，稍后可再次发送「领奖 编号」。"
)


def claim_started(number: str) -> str:
    return f"您正在领取举报 {number} 的奖励。\n{NAME_QUESTION}"


def masked(text: str, keep_start: int, keep_end: int) -> str:
    hidden = len(text) - keep_start - keep_end
    return text[:keep_start] + "*" * max(hidden, 0) + text[len(text) - keep_end :]


def summary(draft: Draft) -> str:
    return (
        f"请核对领奖信息（举报编号 {draft.claim}）：\n"
        f"姓名：{draft.claim_name}\n"
        f"身份证号：{masked(draft.claim_id, 3, 4)}\n"
        f"开户银行：{draft.claim_bank}\n"
        f"银行账号：{masked(draft.claim_account, 0, 4)}\n"
        f"{CONFIRM_CHOICES}"
    )


def claimed(number: str, amount: str) -> str:
    return (
        f"领奖信息已提交（举报编号 {number}，奖励金额 {amount} 元）。"
        "财务人员核对后将把奖金转入您提供的账户，办理完毕后会通知您。感谢您对安全生产工作的支持！"
    )


START_REFUSED = {
    "refused": "该举报暂无可领取的奖励，或举报编号、查询码不正确，请核对后再试。",
    "code_needed": "匿名举报须凭查询码领奖，请发送：领奖 编号 查询码",
    "locked": "查询码错误次数过多，请一小时后再试。",
}
CLAIM_CLOSED = "该奖励已不能领取（已领取，或领取期限已届满）。如有疑问，请拨打举报电话咨询。"
IN_CLAIM_HELP = (
    "您正在填写领奖信息，请回答下面的问题；信息加密保存，仅用于发放奖金。"
    "发送「取消」结束（已填写的内容不会保存）。\n\n"
)


def cancelled(number: str) -> str:
    return f"已取消领奖，填写的信息未保存。需要时可再次发送「领奖 {number}」。"
