"""Acting on a report: decide (pure), apply, record the timeline event and the audit entry,
route on acceptance, and queue the notices — all in the caller's transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints import notices, routing
from complaints.deadline_rules import DeadlineRules, rules_in_force
from complaints.deadlines import days_after
from complaints.lifecycle import (
    SYSTEM,
    Action,
    Actor,
    Change,
    Invalid,
    ReportState,
    Status,
    decide,
)
from complaints.models import Report, ReportEvent
from complaints.registry_models import Enterprise, Officer, RoutingRule, Town, Unit
from complaints.reminders import next_moment, running_clocks
from jubao import audit
from jubao.auth import Staff
from jubao.config import Settings
from jubao.identity import IdentityVault

OPEN_ASSIGNMENTS = ("assigned", "investigating")
# An action's field named like the audit detail's status key is renamed there: a transfer's `to`
# (the receiving body) must not overwrite the new status.
AUDIT_KEYS = {"to": "transfer_to"}


@dataclass(frozen=True)
class Context:
    settings: Settings
    rules: DeadlineRules
    now: datetime


def staff_actor(staff: Staff) -> Actor:
    """The lifecycle's actor for a signed-in staff member (API, console)."""
    return Actor(staff.username, staff.role, staff.wework_id)


async def act(
    session: AsyncSession,
    number: str,
    action_name: str,
    fields: Mapping[str, object],
    actor: Actor,
    *,
    settings: Settings,
    vault: IdentityVault,
    now: datetime,
) -> list[Change]:
    """Carry out one action and queue its notices; returns the changes made (an accept may
    add the routing's assign)."""
    try:
        action = Action(action_name)
    except ValueError:
        raise Invalid(f"未知操作：{action_name}") from None
    # populate_existing: a caller may have read the report before this lock was granted (the
    # API checks scope first); the identity map would hand back that older copy.
    report = await session.scalar(
        select(Report)
        .where(Report.number == number)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if report is None:
        raise LookupError(number)
    ctx = Context(settings, await rules_in_force(session), now)
    changes = [await _apply(session, report, action, fields, actor, ctx)]
    if action == Action.ACCEPT:
        routed = await _route(session, report, ctx)
        if routed is not None:
            changes.append(routed)
    report.next_reminder_at = next_moment(running_clocks(report), {})  # the sweep refines it
    await notices.queue(session, report, changes, settings=settings, vault=vault, now=now)
    return [change for change, _ in changes]


async def _state(session: AsyncSession, report: Report) -> ReportState:
    assignee = None
    if report.assignee_id is not None:
        assignee = await session.scalar(
            select(Officer.wework_id).where(Officer.id == report.assignee_id)
        )
    return ReportState(
        report.number, Status(report.status), assignee, report.extension_days is not None
    )


async def _apply(
    session: AsyncSession,
    report: Report,
    action: Action,
    fields: Mapping[str, object],
    actor: Actor,
    ctx: Context,
) -> tuple[Change, ReportEvent]:
    state = await _state(session, report)
    change = decide(
        state, action, actor, fields, extension_max=ctx.rules.rules["extension_max"].count
    )
    await EFFECTS.get(action, _nothing)(session, report, change, ctx)
    report.status = change.to.value
    return change, await _record(session, report, change, actor.name, ctx.now)


async def _record(
    session: AsyncSession, report: Report, change: Change, actor: str, now: datetime
) -> ReportEvent:
    event = ReportEvent(
        report_id=report.id,
        at=now,
        actor=actor,
        action=change.action.value,
        from_status=change.frm.value,
        to_status=change.to.value,
        note=change.note,
    )
    session.add(event)
    await session.flush()
    await audit.append(
        session,
        actor=actor,
        action=change.action.value,
        subject=report.number,
        at=now,
        detail={
            "from": change.frm.value,
            "to": change.to.value,
            "note": change.note,
            **{AUDIT_KEYS.get(key, key): str(value) for key, value in change.fields.items()},
        },
    )
    return event


async def _nothing(session: AsyncSession, report: Report, change: Change, ctx: Context) -> None:
    return None


async def _accept(session: AsyncSession, report: Report, change: Change, ctx: Context) -> None:
    report.accepted_at = ctx.now
    report.handle_by = ctx.rules.ends("handle", ctx.now, ctx.settings.tz)


async def _assign(session: AsyncSession, report: Report, change: Change, ctx: Context) -> None:
    wework_id = str(change.fields["assignee"])
    officer = await session.scalar(select(Officer).where(Officer.wework_id == wework_id))
    if officer is None:
        raise Invalid(f"没有这位执法人员：{wework_id}")
    report.assignee_id, report.unit_id, report.assigned_at = officer.id, officer.unit_id, ctx.now
    report.ack_by = ctx.rules.ends("ack", ctx.now, ctx.settings.tz)


async def _return(session: AsyncSession, report: Report, change: Change, ctx: Context) -> None:
    report.assignee_id = None
    report.ack_by = None


async def _merge(session: AsyncSession, report: Report, change: Change, ctx: Context) -> None:
    original = str(change.fields["duplicate_of"])
    if original == report.number or not await session.scalar(
        select(Report.id).where(Report.number == original)
    ):
        raise Invalid(f"duplicate_of 应为另一件举报的编号：{original}")
    report.duplicate_of = original


async def _case(session: AsyncSession, report: Report, change: Change, ctx: Context) -> None:
    fields = change.fields
    if "finding" in fields:
        report.finding, report.summary = str(fields["finding"]), str(fields["summary"])
        report.concluded_at = ctx.now
        report.result_by = ctx.rules.ends("result", ctx.now, ctx.settings.tz)
    for name in ("case_filed", "case_number", "fine", "criminal_referral", "grade"):
        if name in fields:
            setattr(report, name, fields[name])
    if "deaths" in fields:
        report.concealed_deaths = int(fields["deaths"])  # type: ignore[call-overload]


async def _extend(session: AsyncSession, report: Report, change: Change, ctx: Context) -> None:
    days = int(change.fields["days"])  # type: ignore[call-overload]
    report.extension_days = days
    if report.handle_by is not None:
        report.handle_by = days_after(
            report.handle_by - timedelta(microseconds=1), days, ctx.settings.tz
        )
    else:
        report.accept_by = days_after(
            report.accept_by - timedelta(microseconds=1), days, ctx.settings.tz
        )


async def _set_fields(session: AsyncSession, report: Report, change: Change, ctx: Context) -> None:
    if change.action == Action.REJECT:
        report.reject_reason = str(change.fields["reason"])
    if change.action == Action.TRANSFER:
        report.transferred_to = str(change.fields["to"])
    if change.action == Action.CLOSE:
        report.closed_at = ctx.now
    if change.action == Action.REOPEN:
        report.closed_at, report.reopened_at = None, ctx.now
        report.review_by = ctx.rules.ends("review", ctx.now, ctx.settings.tz)


Effect = Callable[[AsyncSession, Report, Change, Context], Awaitable[None]]
EFFECTS: dict[Action, Effect] = {
    Action.ACCEPT: _accept,
    Action.ASSIGN: _assign,
    Action.RETURN: _return,
    Action.MERGE: _merge,
    Action.CONCLUDE: _case,
    Action.RECORD: _case,
    Action.EXTEND: _extend,
    Action.REJECT: _set_fields,
    Action.TRANSFER: _set_fields,
    Action.CLOSE: _set_fields,
    Action.REOPEN: _set_fields,
}


async def _route(
    session: AsyncSession, report: Report, ctx: Context
) -> tuple[Change, ReportEvent] | None:
    """Assign by the first matching rule to the least-loaded officer of its unit."""
    town = await session.scalar(select(Town.name).where(Town.id == report.town_id))
    enterprise = None
    if report.enterprise_id is not None:
        enterprise = await session.get(Enterprise, report.enterprise_id)
    facts = routing.Facts(
        report.category,
        town or "",
        enterprise.code if enterprise else None,
        bool(enterprise and enterprise.blacklisted),
    )
    rows = await session.execute(
        select(RoutingRule.match, Unit.name, Unit.id)
        .join(Unit, Unit.id == RoutingRule.unit_id)
        .order_by(RoutingRule.position)
    )
    rules, unit_ids = [], {}
    for match, unit_name, unit_id in rows:
        rules.append(routing.Rule(match, unit_name))
        unit_ids[unit_name] = unit_id
    found = routing.first_match(facts, rules)
    if found is None:
        return None
    report.routed_by = found.describe()
    report.unit_id = unit_ids[found.rule.unit]
    officer = routing.least_loaded(await open_assignments(session, report.unit_id))
    if officer is None:
        return None
    return await _apply(session, report, Action.ASSIGN, {"assignee": officer}, SYSTEM, ctx)


async def open_assignments(session: AsyncSession, unit_id: int) -> dict[str, int]:
    """Every officer of the unit with his count of reports assigned or under investigation."""
    rows = await session.execute(
        select(Officer.wework_id, func.count(Report.id))
        .outerjoin(Report, (Report.assignee_id == Officer.id) & Report.status.in_(OPEN_ASSIGNMENTS))
        .where(Officer.unit_id == unit_id)
        .group_by(Officer.wework_id)
    )
    return {wework_id: count for wework_id, count in rows}
