"""Every word the Official Account bot says to a citizen (zh-CN)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.conversation import Draft
from complaints.vocabulary import CATEGORY_LABELS

NOTICE = (
    "【举报须知】\n"
    "本平台受理本市生产经营单位的事故隐患、受伤或事故、瞒报谎报事故和其他安全生产违法行为的举报；"
    "道路交通、建筑施工、燃气、消防等事项由其他部门负责，我们会告知您去向。\n"
    "实名举报经查属实的，可按规定获得奖励；匿名举报凭举报编号和查询码查询进展、领取奖励。\n"
    "填写中发送「取消」可随时结束，发送「帮助」查看说明。"
)
CATEGORY_QUESTION = "请选择举报类型，回复数字：\n" + "\n".join(
    f"{n} {label}" for n, label in enumerate(CATEGORY_LABELS.values(), start=1)
)
PLACE_QUESTION = "请填写单位名称和地址（2–200字）。"
INJURY_QUESTION = "请填写受伤人数和发生时间，例如：2人受伤，11月3日下午。"
DEATHS_QUESTION = "请填写瞒报的死亡人数和发生时间，例如：死亡1人，10月20日。"
DESCRIPTION_QUESTION = (
    "请描述具体情况（10–2000字）：发生了什么，涉及哪些人员、设备，现在是否仍有危险。"
)
EVIDENCE_QUESTION = "可发送照片、语音或视频作为证据（最多9件），发送「完成」继续。"
IDENTITY_QUESTION = "请选择举报方式，回复数字：\n1 实名\n2 匿名（凭查询码查询和领奖）"
NAME_QUESTION = "请填写您的姓名（2–20字）。"
PHONE_QUESTION = "请填写您的11位手机号码。"
CONFIRM_CHOICES = "回复数字：\n1 提交\n2 重新填写\n3 取消"

HELP = (
    "发送「举报」开始举报事故隐患、受伤或事故、瞒报谎报事故和其他安全生产违法行为。\n"
    "发送「查询」查看您提交的举报；发送「查询 编号 查询码」查询任一举报的进展。\n"
    "逾期未办的举报可发送「催办 编号」；办结后可发送「评价 编号 数字」评价办理情况。\n"
    "收到工作人员留言后，可发送「回复 编号 内容」回复。\n"
    "填写过程中发送「取消」可随时结束。"
)
WELCOME = "感谢关注！\n" + HELP
IN_DIALOGUE_HELP = (
    "您正在填写举报，请回答下面的问题；发送「取消」结束本次填写（内容不会保存）。\n\n"
)
EXPIRED = "您上次的填写超过24小时未完成，已自动结束。\n\n"
CANCELLED = "已取消，本次填写的内容没有保存。需要时发送「举报」重新开始。"
NOTHING_TO_CANCEL = "当前没有正在填写的举报，无需取消。"

BAD_CATEGORY = "没有看懂您的选择。"
BAD_TOWN = "没有找到这个镇（区），请回复列表中的数字或名称。"
BAD_PLACE = "单位名称和地址需为2–200字。"
BAD_COUNT = "请写明人数，例如：2人受伤，11月3日下午。"
DESCRIPTION_TOO_SHORT = "具体情况至少需要10个字，请再详细描述一下。"
DESCRIPTION_TOO_LONG = "具体情况不能超过2000字，请精简后重新发送。"
EVIDENCE_FULL = "证据最多9件，已达上限。请发送「完成」继续。"
EVIDENCE_TEXT_ADDED = (
    "已将这段文字补充到具体情况中。可继续发送照片、语音或视频，或发送「完成」继续。"
)
EVIDENCE_TEXT_TOO_LONG = (
    "具体情况已接近2000字上限，这段文字没有补充。请发送照片、语音或视频，或发送「完成」继续。"
)
BAD_IDENTITY = "请回复 1（实名）或 2（匿名）。"
BAD_NAME = "姓名需为2–20个字，且不能包含数字。"
BAD_PHONE = "手机号码应为以1开头的11位数字，请重新填写。"
BAD_CONFIRM = "请回复 1 提交、2 重新填写 或 3 取消。"

QUERY_USAGE = "查询格式：查询 编号 查询码\n例如：查询 ZJG-2026-000123 1234 5678 9012 3456"
QUERY_WRONG = "举报编号或查询码不正确，请核对后再试。"
QUERY_LOCKED = "查询码错误次数过多，请一小时后再试。"
SUPPLEMENT_USAGE = "补充格式：补充 编号（本微信提交的举报），或 补充 编号 查询码"
SUPPLEMENT_REFUSED = (
    "没有找到可以补充的举报。补充用本微信提交的举报请发送「补充 编号」，"
    "其他举报请发送「补充 编号 查询码」；已办结或不予受理的举报不能补充。"
)
SUPPLEMENT_FULL = "本次补充已达9件上限。发送「完成」结束，需要时可再次发送「补充 编号」。"
SUPPLEMENT_TEXT_LIMIT = "补充的文字需在2000字以内。"
OBJECTION_USAGE = "异议格式：异议 编号 理由\n例如：异议 ZJG-2026-000123 现场问题仍未整改"
OBJECTION_ANSWERS = {
    "reopened": "已收到您对 {number} 处理结果的异议，我们将复查，并在{date}前答复您。",
    "not_found": "没有找到您提交的这件举报：{number}。异议只能由举报人本人提出。",
    "not_closed": "举报 {number} 尚未办结，暂不能提出异议；办结后会告知您结果。",
    "too_late": "举报 {number} 的异议期限已于{date}届满（结果告知后10日内），不能再提出异议。",
}
RATE_USAGE = (
    "评价格式：评价 编号 数字（1 满意　2 基本满意　3 不满意）\n例如：评价 ZJG-2026-000123 1"
)
RATE_ANSWERS = {
    "rated": "感谢您的评价！举报 {number}：{rating}。{date}前可发送「评价 {number} 数字」修改。",
    "changed": "已将举报 {number} 的评价修改为：{rating}。{date}前仍可修改。",
    "not_found": "没有找到您提交的这件举报：{number}。评价只能由举报人本人提出。",
    "not_closed": "举报 {number} 尚未办结，办结后可以评价。",
    "too_late": "举报 {number} 的评价期限已于{date}届满（办结后7日内）。",
}
DISSATISFIED_OBJECTION = "如对办理结果有异议，可在{date}前发送「异议 {number} 理由」，我们将复查。"
URGE_USAGE = "催办格式：催办 编号（本微信提交的举报）\n例如：催办 ZJG-2026-000123"
URGE_ANSWERS = {
    "urged": "已收到您对举报 {number} 的催办，我们已通知承办人员尽快办理。",
    "supervised": "已收到您对举报 {number} 的再次催办，已报分管领导督办。",
    "not_found": "没有找到您提交的这件举报：{number}。催办只能由举报人本人提出。",
    "finished": "举报 {number} 已办理完毕，无需催办；发送「查询」可查看结果。",
    "today": "举报 {number} 今天已经催办过，我们正在处理，请明天再试。",
    "in_time": "举报 {number} 尚在办理期限内。如{date}后仍未办结，可发送「催办 {number}」。",
}
REPLY_USAGE = "回复格式：回复 编号 内容\n例如：回复 ZJG-2026-000123 下午三点后可以电话联系我"
REPLY_TOO_LONG = "回复内容不能超过1000字，请精简后重新发送。"
REPLY_ANSWERS = {
    "received": "已收到您对 {number} 的回复，工作人员会尽快查看。",
    "not_found": "没有找到您提交的这件举报：{number}。回复只能由举报人本人发送。",
}
NO_OWN_REPORTS = "您还没有提交过举报。发送「举报」开始。"


def town_question(towns: Sequence[str]) -> str:
    lines = "\n".join(f"{n} {name}" for n, name in enumerate(towns, start=1))
    return f"请选择发生地所在的镇（区），回复数字或名称，也可以发送位置：\n{lines}"


def evidence_received(count: int, kind_label: str) -> str:
    return f"已收到第{count}件证据（{kind_label}）。可继续发送，或发送「完成」继续。"


SUBSCRIBE_OFFER = "为在48小时后仍能收到办理进展，请在本公众号弹出的「订阅通知」提示中选择「允许」。"


def submitted(number: str, code: str, decide_by: str, *, offer_subscription: bool = False) -> str:
    return (
        "举报已提交，感谢您的监督！\n"
        f"举报编号：{number}\n"
        f"查询码：{code}\n"
        "查询码只显示这一次，请截图或抄下妥善保存；凭编号和查询码可查询进展、补充材料和领取奖励。\n"
        f"我们将在{decide_by}前作出是否受理的决定并告知您。"
        + (f"\n{SUBSCRIBE_OFFER}" if offer_subscription else "")
    )


def supplement_started(number: str) -> str:
    return (
        f"请发送要补充到 {number} 的文字、照片、语音、视频或位置，"
        "每发一条即保存；发送「完成」结束。"
    )


def supplement_added(count: int, kind_label: str) -> str:
    return f"已补充第{count}件（{kind_label}）。可继续发送，或发送「完成」结束。"


def supplement_done(number: str, count: int) -> str:
    if not count:
        return f"已结束，没有为 {number} 补充内容。"
    return f"已为 {number} 补充{count}件材料，办理人员会一并核查。感谢您的补充！"


def own_reports(lines: Sequence[str]) -> str:
    return "您提交的举报：\n" + "\n".join(lines) + "\n\n查看详情请发送「查询 编号 查询码」。"


REPLY_LIMIT = 2000  # a passive reply's text stays under this many bytes of UTF-8


def summary(draft: Draft, lead: str = "") -> str:
    """The confirmation summary after `lead`, its description shortened so that the whole reply
    stays under 2,000 bytes."""
    head = [
        lead + "请核对举报内容：",
        f"类型：{CATEGORY_LABELS.get(draft.category, '')}",
        f"镇（区）：{draft.town}",
        f"单位和地址：{draft.place}",
    ]
    if draft.category == "injury":
        head.append(f"受伤情况：{draft.details}")
    elif draft.category == "concealed":
        head.append(f"瞒报情况：{draft.details}")
    identity = "匿名" if draft.anonymous else f"实名（{draft.name}，{draft.phone}）"
    tail = [f"证据：{len(draft.evidence)}件", f"举报方式：{identity}", "", CONFIRM_CHOICES]
    label = "具体情况："
    room = REPLY_LIMIT - 1 - len("\n".join([*head, label, *tail]).encode())
    description = draft.description
    if len(description.encode()) > room:
        description = _shorten(description, room - len("…".encode())) + "…"
    return "\n".join([*head, label + description, *tail])


def _shorten(text: str, limit: int) -> str:
    return text.encode()[: max(limit, 0)].decode(errors="ignore")
