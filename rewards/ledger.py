"""A report's reward, kept: opened when the report is closed, moved by the flow, each move a
ledger entry, an audit entry and, where someone must hear of it, a notice — all inside the
caller's transaction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.deadline_rules import rules_in_force
from complaints.lifecycle import Actor, Invalid
from complaints.models import Report
from complaints.registry_models import Town
from complaints.reminders import Candidate, next_moment
from jubao import audit
from jubao.config import Settings
from jubao.db import insert_ignoring_conflicts
from jubao.identity import IdentityVault
from rewards.eligibility import Eligibility, RewardFacts, eligibility
from rewards.flow import Entry, RewardAction, RewardState, RewardStatus, authorise, decide
from rewards.models import Reward, RewardEntry
from rewards.notices import tell_finance_of_claim, tell_reporter_of
from rewards.rule_store import registry_rules

OPEN = (RewardStatus.ELIGIBLE, RewardStatus.PROPOSED)  # the decision clock runs
NOTIFIED_ACTIONS = frozenset(  # the reporter hears of these
    {RewardAction.APPROVE, RewardAction.PAY, RewardAction.WAIVE, RewardAction.REFUSE,
     RewardAction.EXCLUDE}
)  # fmt: skip


class NoReward(LookupError):
    """The report is not closed (or unknown): there is no reward to act on yet."""


@dataclass(frozen=True)
class Payee:
    name: str
    resident_id: str
    bank: str
    account: str


async def facts_of(session: AsyncSession, report: Report, excluded: str | None) -> RewardFacts:
    town = await session.scalar(select(Town.name).where(Town.id == report.town_id))
    earlier = await session.scalars(
        select(Report.number)
        .where(Report.duplicate_of == report.number, Report.received_at < report.received_at)
        .order_by(Report.received_at)
    )
    return RewardFacts(
        status=report.status,
        finding=report.finding,
        fine=report.fine,
        concealed_deaths=report.concealed_deaths,
        grade=report.grade,
        town=town or "",
        case_filed=report.case_filed,
        criminal_referral=report.criminal_referral,
        anonymous=report.anonymous,
        received_at=report.received_at,
        excluded=excluded,
        earlier_duplicates=tuple(earlier),
    )


async def judge(session: AsyncSession, report: Report, excluded: str | None) -> Eligibility:
    return eligibility(await facts_of(session, report, excluded), await registry_rules(session))


def clocks(reward: Reward, number: str) -> list[Candidate]:
    """The reward's running clocks, as the reminder rules read them."""
    running = (
        ("reward_decision", reward.status in OPEN, reward.decide_by, reward.closed_at),
        ("reward_collection", reward.status == RewardStatus.NOTIFIED, reward.collect_by,
         reward.notified_at),
    )  # fmt: skip
    return [
        Candidate(reward.report_id, number, clock, deadline, started)
        for clock, runs, deadline, started in running
        if runs and deadline is not None
    ]


async def open_reward(
    session: AsyncSession, report: Report, *, settings: Settings, now: datetime
) -> Reward:
    """The closed report's reward, made the first time it is asked for (idempotent: two
    processes opening it at once make one), eligible or not, locked for this transaction."""
    reward = await _locked(session, report.id)
    if reward is not None:
        if reward.status == RewardStatus.INELIGIBLE and not reward.excluded:
            await _rejudge(session, report, reward, settings)  # reopened, closed anew
        return reward
    judged = await judge(session, report, None)
    closed_at = report.closed_at or now
    decide_by = None
    if judged.eligible:
        decide_by = (await rules_in_force(session)).ends("reward_decision", closed_at, settings.tz)
    dialect = (await session.connection()).dialect.name
    await session.execute(
        insert_ignoring_conflicts(dialect, Reward.__table__).values(
            report_id=report.id,
            status=(RewardStatus.ELIGIBLE if judged.eligible else RewardStatus.INELIGIBLE).value,
            suggested=judged.suggested.amount if judged.suggested else None,
            rule=judged.suggested.rule if judged.suggested else None,
            created_at=now,
            closed_at=closed_at,
            decide_by=decide_by,
            next_reminder_at=None,
        )
    )
    reward = await _locked(session, report.id)
    assert reward is not None
    reward.next_reminder_at = next_moment(clocks(reward, report.number), {})
    return reward


async def _rejudge(
    session: AsyncSession, report: Report, reward: Reward, settings: Settings
) -> None:
    judged = await judge(session, report, None)
    reward.closed_at = report.closed_at  # judged as of this closing
    if judged.eligible and judged.suggested is not None:
        reward.status = RewardStatus.ELIGIBLE.value
        reward.suggested, reward.rule = judged.suggested.amount, judged.suggested.rule
        rules = await rules_in_force(session)
        reward.decide_by = rules.ends("reward_decision", report.closed_at, settings.tz)
        reward.next_reminder_at = next_moment(clocks(reward, report.number), {})


async def _locked(session: AsyncSession, report_id: int) -> Reward | None:
    return await session.scalar(
        select(Reward)
        .where(Reward.report_id == report_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def closed_report(session: AsyncSession, number: str) -> Report:
    report = await session.scalar(select(Report).where(Report.number == number))
    if report is None or report.status != "closed":
        raise NoReward(number)
    return report


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
    payee: Payee | None = None,
) -> tuple[Reward, RewardEntry]:
    """One step of the report's reward; raises the flow's errors, or NoReward."""
    try:
        action = RewardAction(action_name)
    except ValueError:
        raise Invalid(f"未知操作：{action_name}") from None
    authorise(action, actor)  # a role that may never do it hears so first
    report = await closed_report(session, number)
    reward = await open_reward(session, report, settings=settings, now=now)
    if action in (RewardAction.PROPOSE, RewardAction.APPROVE) and reward.status in OPEN:
        judged = await judge(session, report, reward.excluded)  # the facts may have changed
        if not judged.eligible or judged.suggested is None:
            raise Invalid("；".join(judged.reasons) or "不符合奖励条件")
        reward.suggested, reward.rule = judged.suggested.amount, judged.suggested.rule
    state = RewardState(
        number, RewardStatus(reward.status), reward.suggested, reward.amount, reward.proposed_by
    )
    entry = decide(state, action, actor, fields, today=now.astimezone(settings.tz).date())
    row = _apply(reward, entry, actor, now, payee, vault)
    if entry.action == RewardAction.APPROVE:
        rules = await rules_in_force(session)
        reward.collect_by = rules.ends("reward_collection", now, settings.tz)
    reward.next_reminder_at = next_moment(clocks(reward, number), {})
    session.add(row)
    await session.flush()
    await audit.append(
        session,
        actor=actor.name,
        action=f"reward_{entry.action.value}",
        subject=number,
        detail={"from": entry.frm.value, "to": entry.to.value, "amount": _yuan(entry.amount)},
        at=now,
    )
    if entry.action in NOTIFIED_ACTIONS:
        await tell_reporter_of(
            session, report, reward, row, settings=settings, vault=vault, now=now
        )
    if entry.action == RewardAction.CLAIM:
        await tell_finance_of_claim(
            session, number, reward, settings=settings, vault=vault, now=now
        )
    return reward, row


def _apply(
    reward: Reward,
    entry: Entry,
    actor: Actor,
    now: datetime,
    payee: Payee | None,
    vault: IdentityVault,
) -> RewardEntry:
    reward.status = entry.to.value
    if entry.action == RewardAction.PROPOSE:
        reward.amount, reward.proposed_by = entry.amount, actor.name
    elif entry.action == RewardAction.APPROVE:
        reward.decide_by, reward.notified_at = None, now
    elif entry.action in (RewardAction.REFUSE, RewardAction.EXCLUDE):
        reward.decide_by = None
        if entry.action == RewardAction.EXCLUDE:
            reward.excluded = entry.note
    elif entry.action == RewardAction.CLAIM:
        if payee is None:
            raise Invalid("领奖须提供领奖人信息")
        reward.collect_by, reward.claimed_at = None, now
        reward.payee_name_enc = vault.encrypt(payee.name)
        reward.payee_id_enc = vault.encrypt(payee.resident_id)
        reward.payee_bank_enc = vault.encrypt(payee.bank)
        reward.payee_account_enc = vault.encrypt(payee.account)
    elif entry.action == RewardAction.PAY:
        reward.paid_at = now
    elif entry.action == RewardAction.WAIVE:
        reward.collect_by = None
    return RewardEntry(
        reward_id=reward.id,
        at=now,
        actor=actor.name,
        action=entry.action.value,
        from_status=entry.frm.value,
        to_status=entry.to.value,
        amount=entry.amount,
        method=entry.fields.get("method"),
        reference=entry.fields.get("reference"),
        paid_on=entry.fields.get("paid_on"),
        note=entry.note,
    )


def _yuan(amount: object) -> str | None:
    return None if amount is None else f"{amount:.2f}"
