"""The admin's registry pages (SPEC §5 `/console/registry`): a tab per part — users, towns,
units, officers, enterprises, routing rules, deadlines, reward rules, the calendar. Only an
admin sees them (others: 403). Read-only but for adding a user (here) and uploading the
enterprise list (console/registry_enterprises.py): the registry file stays the truth for the
rest."""

from __future__ import annotations

from aiohttp import web

from complaints import registry_queries as queries
from complaints.deadlines import DEFAULT_RULES
from console.pages import ROLE_LABELS, current, page
from console.registry_labels import (
    CLOCK_LABELS,
    REWARD_KINDS,
    WEEKDAYS,
    describe_duration,
    describe_reward,
    describe_rule,
    duration_text,
    yuan,
)
from jubao.auth import Staff
from jubao.keys import SESSIONS
from jubao.roles import Role

TABS = (
    ("users", "用户"),
    ("towns", "镇（区）"),
    ("units", "执法单位"),
    ("officers", "执法人员"),
    ("enterprises", "企业"),
    ("rules", "分派规则"),
    ("deadlines", "办理期限"),
    ("rewards", "奖励规则"),
    ("calendar", "节假日"),
)

OFFICERS_NOTE = (
    "执法人员在企业微信中接收分派；要登录本平台的，在“用户”页添加账号并填写同一企业微信账号。"
)


async def admin(request: web.Request) -> tuple[Staff, str]:
    """The signed-in admin and the session's CSRF token; anyone else is refused."""
    staff, csrf = await current(request)
    if staff.role != Role.ADMIN:
        raise web.HTTPForbidden(text="登记信息只有系统管理员可以查看。")
    return staff, csrf


def registry_page(
    request: web.Request, staff: Staff, csrf: str, tab: str, template: str, **context: object
) -> web.Response:
    return page(request, template, staff, csrf, tabs=TABS, tab=tab, **context)


def table_page(
    request: web.Request, staff: Staff, csrf: str, tab: str, tables: list[dict[str, object]]
) -> web.Response:
    """A tab whose content is tables: each {title, columns, rows, empty}."""
    return registry_page(request, staff, csrf, tab, "registry_tables.html", tables=tables)


async def index_view(request: web.Request) -> web.Response:
    await admin(request)
    raise web.HTTPSeeOther("/console/registry/users")


async def towns_view(request: web.Request) -> web.Response:
    staff, csrf = await admin(request)
    async with request.app[SESSIONS]() as session:
        towns = await queries.towns(session)
    rows = [(str(index), town.name, f"{count:,}") for index, (town, count) in enumerate(towns, 1)]
    return table_page(request, staff, csrf, "towns", [{
        "title": "镇（区）", "count": f"共 {len(rows)} 个", "columns": ("序号", "名称", "登记企业"),
        "rows": rows, "empty": "尚未登记镇（区）。",
        "note": "序号即举报人在公众号中选择镇（区）时看到的顺序。",
    }])  # fmt: skip


async def units_view(request: web.Request) -> web.Response:
    staff, csrf = await admin(request)
    async with request.app[SESSIONS]() as session:
        units = await queries.units(session)
    rows = [
        (unit.name, "、".join(town.name for town in unit.towns) or "全市", str(count))
        for unit, count in units
    ]
    return table_page(request, staff, csrf, "units", [{
        "title": "执法单位", "count": f"共 {len(rows)} 个",
        "columns": ("名称", "负责镇（区）", "执法人员"),
        "rows": rows, "empty": "尚未登记执法单位。",
    }])  # fmt: skip


async def officers_view(request: web.Request) -> web.Response:
    staff, csrf = await admin(request)
    async with request.app[SESSIONS]() as session:
        officers = await queries.officers(session)
    rows = [(officer.name, officer.wework_id, unit) for officer, unit in officers]
    return table_page(request, staff, csrf, "officers", [{
        "title": "执法人员", "count": f"共 {len(rows)} 人",
        "columns": ("姓名", "企业微信账号", "所属单位"),
        "rows": rows, "empty": "尚未登记执法人员。",
        "note": OFFICERS_NOTE,
    }])  # fmt: skip


async def rules_view(request: web.Request) -> web.Response:
    staff, csrf = await admin(request)
    async with request.app[SESSIONS]() as session:
        rules = await queries.routing_rules(session)
    rows = [
        (str(index), describe_rule(rule.match, unit)) for index, (rule, unit) in enumerate(rules, 1)
    ]
    return table_page(request, staff, csrf, "rules", [{
        "title": "分派规则", "columns": ("顺序", "条件 → 承办单位"), "rows": rows,
        "empty": "尚未登记分派规则。", "note": "按顺序逐条比对，第一条符合的规则决定承办单位。",
    }])  # fmt: skip


async def deadlines_view(request: web.Request) -> web.Response:
    staff, csrf = await admin(request)
    async with request.app[SESSIONS]() as session:
        overrides = await queries.deadline_overrides(session)
    rows = []
    for clock, default in DEFAULT_RULES.items():
        value = overrides.get(clock)
        rows.append((
            CLOCK_LABELS.get(clock, clock),
            describe_duration(value or duration_text(default)),
            "登记文件" if value else "默认",
            describe_duration(duration_text(default)),
        ))  # fmt: skip
    return table_page(request, staff, csrf, "deadlines", [{
        "title": "办理期限", "columns": ("期限", "现行", "来源", "默认"), "rows": rows,
        "empty": "", "note": "日为自然日（当地时间）；工作日不含周末和节假日，含调休上班日。",
    }])  # fmt: skip


async def rewards_view(request: web.Request) -> web.Response:
    staff, csrf = await admin(request)
    async with request.app[SESSIONS]() as session:
        rules = await queries.reward_rules(session)
    rows = [
        (
            REWARD_KINDS.get(rule.kind, rule.kind),
            town or "全市",
            describe_reward(rule.kind, rule.percent, rule.per_death, rule.fixed, rule.outcomes),
            yuan(rule.minimum),
            yuan(rule.maximum),
        )
        for rule, town in rules
    ]
    return table_page(request, staff, csrf, "rewards", [{
        "title": "奖励规则", "columns": ("类型", "适用范围", "金额", "最低", "最高"), "rows": rows,
        "empty": "未登记奖励规则，适用《安全生产领域举报奖励办法》的标准。",
    }])  # fmt: skip


async def calendar_view(request: web.Request) -> web.Response:
    staff, csrf = await admin(request)
    async with request.app[SESSIONS]() as session:
        days = await queries.calendar(session)

    def rows(working: bool) -> list[tuple[str, str]]:
        return [
            (day.day.isoformat(), f"星期{WEEKDAYS[day.day.weekday()]}")
            for day in days
            if day.working is working
        ]

    return table_page(request, staff, csrf, "calendar", [
        {"title": "节假日", "columns": ("日期", "星期"), "rows": rows(False),
         "empty": "尚未登记节假日。"},
        {"title": "调休上班日", "columns": ("日期", "星期"), "rows": rows(True),
         "empty": "尚未登记调休上班日。"},
    ])  # fmt: skip


def role_choices() -> list[tuple[str, str]]:
    return [(role.value, ROLE_LABELS[role.value]) for role in Role]
