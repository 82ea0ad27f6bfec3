"""The audit log page for auditors and admins (SPEC §10, §11): the chain as its last full check
(`jubao audit verify`, daily) found it, every entry since checked entry by entry as that check
does, then the entries newest first, fifty a page, filtered by
actor and by action. Entries hold no identity data (a reveal holds its reason, not what was
revealed), so the page shows them as they are."""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlencode

from aiohttp import web
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.vocabulary import STATUS_LABELS
from console.pages import current, page
from console.report_pages import EVENT_LABELS
from console.reward_pages import STATUS_LABELS as REWARD_STATUS_LABELS
from jubao import audit, audit_checks
from jubao.audit import AuditEntry
from jubao.audit_checks import ChainState
from jubao.inputs import BadInput, page_number
from jubao.keys import SESSIONS, SETTINGS
from jubao.roles import READ_AUDIT
from rewards.flow import ACTION_LABELS as REWARD_LABELS

PAGE_SIZE = 50
ACTION_LABELS = (
    EVENT_LABELS
    | {f"reward_{action.value}": f"奖励：{label}" for action, label in REWARD_LABELS.items()}
    | {"reveal": "查看举报人身份", "reveal_payee": "查看领奖人信息"}
)
DETAIL_LABELS = {
    "from": "原状态",
    "to": "新状态",
    "note": "说明",
    "reason": "理由",
    "amount": "金额",
    "kind": "材料类型",
    "rating": "评价",
    "finding": "结论",
    "summary": "核查情况",
    "fine": "罚款",
    "case_filed": "立案",
    "case_number": "案号",
    "criminal_referral": "移送司法",
    "assignee": "承办人",
    "duplicate_of": "重复于",
    "days": "延长天数",
    "transfer_to": "移交单位",
}


@dataclass(frozen=True)
class ChainCheck:
    state: ChainState
    entry: AuditEntry | None  # the entry where it breaks, when there is one

    @property
    def broken(self) -> audit.Broken | None:
        return self.state.broken


async def check_chain(session: AsyncSession) -> ChainCheck:
    """The chain as of its last full check (`jubao audit verify`, the daily job) and every
    entry written since, checked now (jubao/audit_checks.py)."""
    state = await audit_checks.look(session)
    entry = None
    if state.broken is not None and state.broken.entry_id:
        entry = await session.get(AuditEntry, state.broken.entry_id)
    return ChainCheck(state, entry)


def details(action: str, detail: str) -> list[tuple[str, str]]:
    """Pure: an entry's canonical JSON as labelled pairs, statuses in words."""
    try:
        data = json.loads(detail)
    except ValueError:
        return [("", detail)]
    if not isinstance(data, dict):
        return [("", str(data))]
    statuses = REWARD_STATUS_LABELS if action.startswith("reward_") else STATUS_LABELS
    pairs = []
    for key, value in data.items():
        if value is None or value == "":
            continue
        text = str(value)
        if key in ("from", "to"):
            text = statuses.get(text, text)
        pairs.append((DETAIL_LABELS.get(key, key), text))
    return pairs


async def audit_view(request: web.Request) -> web.Response:
    staff, csrf = await current(request)
    if staff.role not in READ_AUDIT:
        raise web.HTTPForbidden(text="审计日志仅供审计人员和系统管理员查看。")
    actor = request.query.get("actor", "").strip()
    action = request.query.get("action", "").strip()
    try:
        number = str(page_number(request.query.get("page")))
    except BadInput as error:
        raise web.HTTPUnprocessableEntity(text=str(error)) from None
    query = select(AuditEntry)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    if action:
        query = query.where(AuditEntry.action == action)
    async with request.app[SESSIONS].begin() as session:  # one snapshot for check and page
        chain = await check_chain(session)
        total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = await session.scalars(
            query.order_by(AuditEntry.id.desc())
            .offset((int(number) - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
        )
        entries = list(rows)
        actions = list(await session.scalars(select(AuditEntry.action).distinct()))
    tz = request.app[SETTINGS].tz

    def shown(entry: AuditEntry) -> dict[str, object]:
        return {
            "id": entry.id,
            "at": entry.at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"),
            "actor": {"reporter": "举报人", "system": "系统"}.get(entry.actor, entry.actor),
            "action": ACTION_LABELS.get(entry.action, entry.action),
            "code": entry.action,
            "subject": entry.subject,
            "details": details(entry.action, entry.detail),
        }

    kept = {k: v for k, v in (("actor", actor), ("action", action)) if v}
    pages = max(1, -(-total // PAGE_SIZE))
    return page(
        request, "audit.html", staff, csrf, chain=chain,
        full_at=chain.state.full_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        if chain.state.full_at else None,
        broken_entry=shown(chain.entry) if chain.entry else None,
        entries=[shown(e) for e in entries], total=total, actor=actor, action=action,
        actions=sorted((a, ACTION_LABELS.get(a, a)) for a in actions),
        page_number=int(number), pages=pages,
        previous=urlencode(kept | {"page": int(number) - 1}) if int(number) > 1 else None,
        following=urlencode(kept | {"page": int(number) + 1}) if int(number) < pages else None,
    )  # fmt: skip
