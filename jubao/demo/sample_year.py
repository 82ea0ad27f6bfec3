"""The bureau's 2021, written into the database through the models: 93 reports received (47
injury, 46 hazard), 40 filed as enforcement cases, spread over the registry's towns and the
year's months, each with the timeline its outcome implies — so the demo and the tests have the
year whose statistics read 「共受理各类信访举报93起，其中受伤举报47起，隐患举报46起，立案查处40起」.

Deterministic (seeded): the same registry gives the same reports. The history is written as it
would stand years later, every report finished, and sends nothing: no outbox rows, no running
clocks. One audit entry records that the sample was loaded."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.deadline_rules import DeadlineRules, rules_in_force
from complaints.models import Report, ReportCounter, ReportEvent
from complaints.query_codes import hash_code, new_code
from complaints.registry_models import Officer, Town, Unit
from complaints.report_numbers import format_number
from jubao import audit
from jubao.config import Settings
from rewards.models import Reward, RewardEntry

YEAR = 2021
SEED = 2021
CATEGORIES = ["injury"] * 47 + ["hazard"] * 46
# What became of each report: 40 cases, 14 ordered to rectify, 20 unfounded, and the
# decisions that end a report early.
OUTCOMES = (
    ["case"] * 40 + ["rectified"] * 14 + ["unfounded"] * 20
    + ["rejected"] * 9 + ["transferred"] * 7 + ["merged"] * 3
)  # fmt: skip
CHANNELS = ["wechat"] * 70 + ["phone"] * 12 + ["visit"] * 5 + ["letter"] * 4 + ["email"] * 2
TOWN_WEIGHTS = (18, 12, 14, 10, 8, 9, 7, 6, 3, 2, 8, 10)  # the demo registry's towns, in order
REJECT_REASONS = ("no_facts", "not_complaint", "outside_remit", "duplicate")
TRANSFERS = ("市住房和城乡建设局", "市交通运输局", "市消防救援大队", "市市场监督管理局")
PLACES = {
    "injury": ("车间冲压机旁", "仓库装卸区", "脚手架作业面", "叉车通道", "配电房"),
    "hazard": ("危化品仓库", "消防通道", "厂房二楼", "锅炉房", "喷涂车间"),
}
DESCRIPTIONS = {
    "injury": ("工人作业时手部受伤，企业未按规定上报。", "员工高处坠落受伤，现场无防护措施。",
               "设备无防护罩，有工人被卷入受伤。"),
    "hazard": ("消防通道被货物堵塞，灭火器过期。", "危化品混放，无通风和防爆措施。",
               "特种作业人员无证上岗，安全出口上锁。"),
}  # fmt: skip
PAID, WAIVED, REFUSED = 6, 1, 1  # rewards among the cases, in that order
REWARDED = (3, 8, 13, 18, 23, 28, 33, 38)  # which cases (in order received) had a reward
REFERRED = (5, 17, 29)  # which cases were also referred to the police


@dataclass
class Planned:
    category: str
    outcome: str
    channel: str
    town_index: int
    received_at: datetime


def plan(towns: int, tz: ZoneInfo) -> list[Planned]:
    """The 93 reports, in the order received (pure and seeded)."""
    rng = random.Random(SEED)
    categories, outcomes, channels = CATEGORIES[:], OUTCOMES[:], CHANNELS[:]
    for items in (categories, outcomes, channels):
        rng.shuffle(items)
    weights = [TOWN_WEIGHTS[i % len(TOWN_WEIGHTS)] for i in range(towns)]
    planned = []
    chosen = zip(categories, outcomes, channels, strict=True)
    for i, (category, outcome, channel) in enumerate(chosen):
        month = 1 + (i * 12) // len(CATEGORIES)  # 7 or 8 a month
        day = rng.randint(1, 28)
        local = datetime(YEAR, month, day, rng.randint(8, 20), rng.randint(0, 59), tzinfo=tz)
        town = rng.choices(range(towns), weights)[0]
        planned.append(Planned(category, outcome, channel, town, local.astimezone(UTC)))
    return sorted(planned, key=lambda p: p.received_at)


async def load_sample_year(session: AsyncSession, settings: Settings, now: datetime) -> int:
    """Write the year into the database (inside the caller's transaction); returns how many
    reports were written: 0 when the year already has reports."""
    if await session.scalar(select(func.count()).where(Report.year == YEAR)):
        return 0
    towns = list(await session.scalars(select(Town).order_by(Town.position, Town.id)))
    if not towns:
        raise ValueError("load the registry before the sample year")
    officers = await _officers_by_town(session, towns)
    rules, tz = await rules_in_force(session), settings.tz
    code_hash = await hash_code(new_code())  # nobody holds these codes: one hash serves all
    rng = random.Random(SEED + 1)
    written: list[Report] = []
    cases = 0
    for seq, item in enumerate(plan(len(towns), tz), start=1):
        town = towns[item.town_index]
        unit_id, officer = officers[town.id]
        report = _report(settings, seq, item, town, code_hash, rules, tz)
        session.add(report)
        await session.flush()
        events = _story(report, item, rng, rules, tz, unit_id, officer, written)
        session.add_all(events)
        rewarded = item.outcome == "case" and cases in REWARDED
        if item.outcome == "case":
            report.criminal_referral = cases in REFERRED
            if rewarded:
                await _reward(session, report, REWARDED.index(cases), rng)
            cases += 1
        if report.status == "closed" and not rewarded:
            session.add(_decided_elsewhere(report))
        written.append(report)
    await _counter(session, len(written))
    await audit.append(
        session,
        actor="system",
        action="sample_year",
        subject=str(YEAR),
        detail={"reports": len(written)},
        at=now,
    )
    await session.flush()
    return len(written)


async def _officers_by_town(
    session: AsyncSession, towns: list[Town]
) -> dict[int, tuple[int | None, Officer | None]]:
    """Each town's unit and one of its officers (the city brigade where a town has none)."""
    units = list(await session.scalars(select(Unit).order_by(Unit.id)))
    officers = list(await session.scalars(select(Officer).order_by(Officer.wework_id)))
    citywide = next((u for u in units if not u.towns), None)
    found: dict[int, tuple[int | None, Officer | None]] = {}
    for town in towns:
        unit = next((u for u in units if any(t.id == town.id for t in u.towns)), citywide)
        staff = next((o for o in officers if unit and o.unit_id == unit.id), None)
        found[town.id] = (unit.id if unit else None, staff)
    return found


def _report(
    settings: Settings,
    seq: int,
    item: Planned,
    town: Town,
    code_hash: str,
    rules: DeadlineRules,
    tz: ZoneInfo,
) -> Report:
    rng = random.Random(SEED * 1000 + seq)
    injured = rng.randint(1, 3) if item.category == "injury" else None
    return Report(
        number=format_number(settings.report_prefix, YEAR, seq),
        year=YEAR,
        seq=seq,
        category=item.category,
        town_id=town.id,
        place=f"{town.name}{rng.choice(PLACES[item.category])}",
        details=f"受伤{injured}人" if injured else "",
        injured=injured,
        deaths=None,
        description=rng.choice(DESCRIPTIONS[item.category]),
        channel=item.channel,
        anonymous=True,
        query_code_hash=code_hash,
        status="received",
        urgent=False,
        received_at=item.received_at,
        accept_by=rules.ends("accept", item.received_at, tz),
        next_reminder_at=None,
    )


def _later(rng: random.Random, start: datetime, low: float, high: float) -> datetime:
    return start + timedelta(hours=rng.uniform(low * 24, high * 24))


def _story(
    report: Report,
    item: Planned,
    rng: random.Random,
    rules: DeadlineRules,
    tz: ZoneInfo,
    unit_id: int | None,
    officer: Officer | None,
    earlier: list[Report],
) -> list[ReportEvent]:
    """Set the report's outcome and return its timeline, filing first."""
    events = [_event(report, report.received_at, "reporter", "file", "", "received", "匿名举报")]

    def step(at: datetime, actor: str, action: str, to: str, note: str = "") -> None:
        events.append(_event(report, at, actor, action, report.status, to, note))
        report.status = to

    if item.outcome == "rejected":
        report.reject_reason = rng.choice(REJECT_REASONS)
        step(_later(rng, report.received_at, 1, 10), "wang", "reject", "rejected", "不予受理")
        return events
    if item.outcome == "transferred":
        report.transferred_to = rng.choice(TRANSFERS)
        step(_later(rng, report.received_at, 1, 5), "wang", "transfer", "transferred",
             f"转{report.transferred_to}办理")  # fmt: skip
        return events
    accepted = _later(rng, report.received_at, 0.3, 6)
    report.accepted_at, report.handle_by = accepted, rules.ends("handle", accepted, tz)
    step(accepted, "wang", "accept", "accepted")
    if item.outcome == "merged":
        same_town = [r for r in earlier if r.town_id == report.town_id] or earlier
        report.duplicate_of = same_town[-1].number if same_town else None
        step(_later(rng, accepted, 0, 1), "wang", "merge", "merged", "同一事项重复举报")
        return events
    report.unit_id = unit_id
    report.assignee_id = officer.id if officer else None
    report.assigned_at = accepted
    report.routed_by = "demo 2021"
    actor = officer.wework_id if officer else "system"
    step(accepted, "system", "assign", "assigned", officer.name if officer else "")
    step(_later(rng, accepted, 0.05, 0.9), actor, "take", "investigating")
    if report.seq % 13 == 0:  # a few the reporter pressed while they were being handled
        pressed = _later(rng, accepted, 16, 20)
        events.append(_event(report, pressed, "reporter", "urge", report.status, report.status))
        if report.seq % 39 == 0:
            again = pressed + timedelta(days=3)
            events.append(
                _event(report, again, "reporter", "supervise", report.status, report.status)
            )
    concluded = _later(rng, accepted, 10, 50)
    report.concluded_at = concluded
    substantiated = item.outcome in ("case", "rectified")
    report.finding = "substantiated" if substantiated else "unsubstantiated"
    report.summary = {
        "case": "情况属实，已立案查处。",
        "rectified": "情况属实，已责令限期整改。",
        "unfounded": "经现场核查，未发现举报所述问题。",
    }[item.outcome]
    step(concluded, actor, "conclude", "concluded", report.summary)
    if item.outcome == "case":
        report.case_filed = True
        report.case_number = f"张应急罚〔{YEAR}〕{report.seq:03d}号"
        report.fine = Decimal(rng.randrange(5, 200) * 1000)
    closed = _later(rng, concluded, 1, 9)
    report.closed_at = closed
    step(closed, "li", "close", "closed", "结果已告知举报人")
    if item.channel == "wechat" and rng.random() < 0.7:
        report.rating = rng.choices(("satisfied", "fair", "dissatisfied"), (12, 3, 1))[0]
        report.rated_at = _later(rng, closed, 0.1, 5)
    return events


def _event(
    report: Report, at: datetime, actor: str, action: str, frm: str, to: str, note: str = ""
) -> ReportEvent:
    return ReportEvent(
        report_id=report.id, at=at, actor=actor, action=action, from_status=frm, to_status=to,
        note=note,
    )  # fmt: skip


def _decided_elsewhere(report: Report) -> Reward:
    """The reward question of a 2021 report that got none, settled: the year is over, so its
    20-day decision clock must not open now (and flood the leaders with five-year-old
    escalations). Shown as not rewarded; counted nowhere in the statistics."""
    return Reward(
        report_id=report.id, status="ineligible", rule="2021年的奖励已在本系统之外决定",
        created_at=report.closed_at, closed_at=report.closed_at, next_reminder_at=None,
    )  # fmt: skip


async def _reward(session: AsyncSession, report: Report, index: int, rng: random.Random) -> None:
    """Proposed, approved and then paid, waived or refused."""
    assert report.fine is not None and report.closed_at is not None
    share = (report.fine * Decimal("0.15")).quantize(Decimal("0.01"))
    amount = min(max(share, Decimal("3000.00")), Decimal("300000.00"))
    status = "paid" if index < PAID else "waived" if index < PAID + WAIVED else "refused"
    proposed = report.closed_at + timedelta(days=rng.randint(3, 12))
    notified = proposed + timedelta(days=rng.randint(2, 6))
    reward = Reward(
        report_id=report.id, status=status, suggested=amount, rule="violation 15% (national)",
        amount=amount, proposed_by="wang", created_at=report.closed_at,
        closed_at=report.closed_at, next_reminder_at=None,
    )  # fmt: skip
    session.add(reward)
    await session.flush()
    steps = [("wang", "propose", "eligible", "proposed", proposed)]
    if status == "refused":
        steps.append(("li", "refuse", "proposed", "refused", notified))
    else:
        reward.notified_at = notified
        steps.append(("li", "approve", "proposed", "notified", notified))
    if status == "waived":
        steps.append(("system", "waive", "notified", "waived", notified + timedelta(days=60)))
    if status == "paid":
        claimed = notified + timedelta(days=rng.randint(3, 20))
        reward.claimed_at, reward.paid_at = claimed, claimed + timedelta(days=rng.randint(2, 8))
        steps.append(("reporter", "claim", "notified", "claimed", claimed))
        steps.append(("qian", "pay", "claimed", "paid", reward.paid_at))
    session.add_all(
        RewardEntry(
            reward_id=reward.id, at=at, actor=actor, action=action, from_status=frm,
            to_status=to, amount=amount, method="bank" if action == "pay" else None,
            reference=f"ZZ{YEAR}{report.seq:04d}" if action == "pay" else None,
            paid_on=at.date() if action == "pay" else None, note="",
        )
        for actor, action, frm, to, at in steps
    )  # fmt: skip


async def _counter(session: AsyncSession, last: int) -> None:
    counter = await session.get(ReportCounter, YEAR)
    if counter is None:
        session.add(ReportCounter(year=YEAR, last=last))
    else:
        counter.last = max(counter.last, last)
