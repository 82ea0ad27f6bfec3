"""Names shared by data, API and people: categories and statuses with their Chinese labels."""

from __future__ import annotations

CATEGORY_LABELS: dict[str, str] = {
    "hazard": "事故隐患",
    "injury": "受伤或事故",
    "concealed": "瞒报谎报事故",
    "violation": "其他安全生产违法行为",
}
CATEGORIES: tuple[str, ...] = tuple(CATEGORY_LABELS)

STATUS_LABELS: dict[str, str] = {
    "received": "已接收",
    "accepted": "已受理",
    "rejected": "不予受理",
    "transferred": "已转办",
    "merged": "已合并",
    "assigned": "已分派",
    "investigating": "核查中",
    "concluded": "已核查",
    "closed": "已办结",
}

# The channels the petition office takes a report by (CHANNEL_LABELS below: all but wechat).
INTAKE_CHANNELS: tuple[str, ...] = ("phone", "visit", "letter", "email")

EVIDENCE_LABELS: dict[str, str] = {
    "image": "照片",
    "voice": "语音",
    "video": "视频",
    "shortvideo": "小视频",
    "location": "位置",
    "text": "文字补充",
}

# What a reward rule pays for (rewards/rules.py): a fine (a percentage of it), concealed deaths
# (per death by accident grade), or named outcomes (a fixed amount).
REWARD_KINDS: tuple[str, ...] = ("violation", "concealed", "fixed")
# The outcomes of a report a `fixed` rule may name (it pays when all it names hold).
REWARD_OUTCOMES: tuple[str, ...] = ("substantiated", "case_filed", "criminal_referral")

# How a report came in (Report.channel): the bot, or taken on a caller's behalf (SPEC §11).
CHANNEL_LABELS: dict[str, str] = {
    "wechat": "微信公众号",
    "phone": "电话（12350）",
    "visit": "来访",
    "letter": "来信",
    "email": "电子邮件",
}
