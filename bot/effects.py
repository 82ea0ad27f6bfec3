"""What a dialogue step's effect does beyond the dialogue: file the report, answer 查询,
check and add a 补充, lodge an 异议 — each inside the message's transaction, returning the
outcome with the reply it leads to."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot import claim_texts, texts
from bot.conversation import (
    Claim,
    Draft,
    ListOwn,
    Objection,
    Outcome,
    QueryOne,
    Rate,
    Reply,
    StartClaim,
    StartSupplement,
    Submit,
    Subscriptions,
    Supplement,
    Urge,
)
from bot.exactly_once import Envelope
from complaints import feedback, objections, services, supplements, thread
from complaints.deadlines import last_day
from complaints.feedback_rules import RATINGS
from complaints.new_report import NewReport
from complaints.vocabulary import CATEGORY_LABELS, STATUS_LABELS
from jubao.config import Settings
from jubao.identity import IdentityVault
from notifications import subscriptions
from rewards import claims
from rewards.ledger import Payee


def queues_work(effect: object) -> bool:
    """Whether the effect left background work: messages to send or media to fetch."""
    if isinstance(effect, Supplement):
        return effect.item is not None and bool(effect.item.media_id)
    return isinstance(effect, Submit | Objection | Urge | Claim | Reply)


async def carry_out(
    session: AsyncSession,
    outcome: Outcome,
    envelope: Envelope,
    hashes: list[str],
    vault: IdentityVault,
    settings: Settings,
    now: datetime,
) -> Outcome:
    """The step's effect done; the outcome with the reply (and conversation) it leads to."""
    effect = outcome.effect
    if isinstance(effect, Submit):
        filed = await services.file_report(
            session,
            new_report(effect.draft),
            envelope.openid,
            vault=vault,
            settings=settings,
            now=now,
        )
        reply = texts.submitted(
            filed.number,
            filed.code,
            last_day(filed.accept_by, settings.tz),
            offer_subscription=bool(settings.mp_subscribe_template_id),
        )
        return replace(outcome, reply=reply)
    if isinstance(effect, ListOwn):
        reports = await services.own_reports(session, hashes)
        if not reports:
            return replace(outcome, reply=texts.NO_OWN_REPORTS)
        return replace(outcome, reply=texts.own_reports([_line(r, settings) for r in reports]))
    if isinstance(effect, QueryOne):
        answer = await services.query_report(session, effect.number, effect.code, hashes[0], now)
        if answer.locked:
            return replace(outcome, reply=texts.QUERY_LOCKED)
        if answer.report is None:
            return replace(outcome, reply=texts.QUERY_WRONG)
        return replace(outcome, reply=_details(answer.report, settings))
    if isinstance(effect, StartSupplement) and not await supplements.may_supplement(
        session, effect.number, effect.code, hashes, now
    ):
        return Outcome(None, texts.SUPPLEMENT_REFUSED)
    if isinstance(effect, StartClaim):
        may = await claims.may_claim(session, effect.number, effect.code, hashes, now)
        if may != "ok":
            return Outcome(None, claim_texts.START_REFUSED[may])
    if isinstance(effect, Claim):
        payee = Payee(effect.name, effect.resident_id, effect.bank, effect.account)
        amount = await claims.claim(
            session, effect.number, payee, settings=settings, vault=vault, now=now
        )
        reply = (
            claim_texts.CLAIM_CLOSED
            if amount is None
            else claim_texts.claimed(effect.number, amount)
        )
        return replace(outcome, reply=reply)
    if isinstance(effect, Objection):
        answer = await objections.object_to(
            session, effect.number, effect.reason, hashes, settings=settings, vault=vault, now=now
        )
        reply = texts.OBJECTION_ANSWERS[answer.outcome].format(
            number=effect.number, date=answer.date
        )
        return replace(outcome, reply=reply)
    if isinstance(effect, Subscriptions):
        await subscriptions.record(session, hashes[0], effect.choices, now)
        return outcome
    if isinstance(effect, Rate):
        return replace(outcome, reply=await _rate(session, effect, hashes, settings, now))
    if isinstance(effect, Urge):
        answer = await feedback.urge(
            session, effect.number, hashes, settings=settings, vault=vault, now=now
        )
        reply = texts.URGE_ANSWERS[answer.outcome].format(number=effect.number, date=answer.date)
        return replace(outcome, reply=reply)
    if isinstance(effect, Reply):
        kept = await thread.reporter_replies(
            session, effect.number, effect.text, hashes, settings=settings, vault=vault, now=now
        )
        answer = texts.REPLY_ANSWERS["received" if kept else "not_found"]
        return replace(outcome, reply=answer.format(number=effect.number))
    if isinstance(effect, Supplement):
        await supplements.add(session, effect.number, text=effect.text, item=effect.item, now=now)
    return outcome


async def _rate(
    session: AsyncSession, effect: Rate, hashes: list[str], settings: Settings, now: datetime
) -> str:
    answer = await feedback.rate(
        session, effect.number, effect.rating, hashes, settings=settings, now=now
    )
    reply = texts.RATE_ANSWERS[answer.outcome].format(
        number=effect.number, rating=RATINGS[effect.rating], date=answer.date
    )
    if answer.objection_by:
        objection = texts.DISSATISFIED_OBJECTION.format(
            number=effect.number, date=answer.objection_by
        )
        reply = f"{reply}\n{objection}"
    return reply


def new_report(draft: Draft) -> NewReport:
    return NewReport(
        category=draft.category,
        town=draft.town,
        place=draft.place,
        description=draft.description,
        details=draft.details,
        count=draft.count,
        evidence=draft.evidence,
        anonymous=draft.anonymous,
        name=draft.name,
        phone=draft.phone,
    )


def _line(report: services.ReportView, settings: Settings) -> str:
    day = report.received_at.astimezone(settings.tz).strftime("%Y-%m-%d")
    category = CATEGORY_LABELS[report.category]
    return f"{report.number} {category} {STATUS_LABELS[report.status]}（{day}提交）"


def _details(report: services.ReportView, settings: Settings) -> str:
    received = report.received_at.astimezone(settings.tz).strftime("%Y-%m-%d %H:%M")
    lines = [
        f"举报编号：{report.number}",
        f"类型：{CATEGORY_LABELS[report.category]}",
        f"镇（区）：{report.town}",
        f"提交时间：{received}",
        f"状态：{STATUS_LABELS[report.status]}",
    ]
    if report.status == "received":
        lines.append(f"我们将在{last_day(report.accept_by, settings.tz)}前作出是否受理的决定。")
    return "\n".join(lines)
