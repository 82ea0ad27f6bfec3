"""Every word the WeChat Work app says to an officer (zh-CN)."""

from __future__ import annotations

HELP = (
    "可用指令：\n"
    "接收 编号 —— 接收分派给您的举报，开始核查\n"
    "退回 编号 理由 —— 退回给信访办重新分派\n"
    "进展 编号 内容 —— 记录核查进展\n"
    "属实 编号 说明 / 不属实 编号 说明 —— 提交核查结论（立案、罚款等在控制台填写）\n"
    "我的 —— 分派给您、尚未办结的举报\n"
    "逾期 —— 其中已逾期的举报\n"
    "帮助 —— 本说明"
)
NOT_AN_OFFICER = "您不在执法人员名单中，无法通过本应用办理举报。如需开通，请联系信访办。"
TEXT_ONLY = "本应用只接受文字指令。发送「帮助」查看可用指令。"
NOT_FOUND = "没有这件举报：{number}"
NOTHING_OPEN = "目前没有分派给您、尚未办结的举报。"
NOTHING_OVERDUE = "分派给您的举报中没有逾期的。"

DONE = {
    "take": "已接收 {number}，请按期核查。办结期限：{handle_by}。",
    "return": "已退回 {number}，信访办将重新分派。",
    "progress": "已记录 {number} 的核查进展。",
    "conclude": "已提交 {number} 的核查结论（{finding}）。立案、罚款等请在控制台补充。",
}
