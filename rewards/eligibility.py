"""Whether a closed report earns its reporter a reward, with the reasons (pure; SPEC §8).

Eligible: the report is closed, its finding substantiated, the rules give an amount (a fine,
concealed deaths, or a `fixed` outcome), the reporter is not excluded (staff with supervision
duties, flagged by a dispatcher with a reason), and no duplicate merged into it was received
earlier (the earliest reporter keeps the priority). An anonymous reporter is eligible, and
collects with the report's query code only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from rewards.rules import Amount, Outcome, RewardRule, reward_for


@dataclass(frozen=True)
class RewardFacts:
    """What a reward decision reads of a report."""

    status: str
    finding: str | None
    fine: Decimal | None
    concealed_deaths: int | None
    grade: str | None
    town: str
    case_filed: bool
    criminal_referral: bool
    anonymous: bool
    received_at: datetime
    excluded: str | None = None  # the dispatcher's reason, when the reporter is excluded
    earlier_duplicates: tuple[str, ...] = ()  # numbers merged into it and received before it


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reasons: tuple[str, ...]  # why not (zh-CN, for staff); empty when eligible
    suggested: Amount | None
    code_only: bool  # anonymous: he collects with the query code only


def outcome_of(facts: RewardFacts) -> Outcome:
    held = {
        "substantiated": facts.finding == "substantiated",
        "case_filed": facts.case_filed,
        "criminal_referral": facts.criminal_referral,
    }
    return Outcome(
        fine=facts.fine or Decimal(0),
        concealed_deaths=facts.concealed_deaths or 0,
        grade=facts.grade,
        town=facts.town,
        outcomes=frozenset(name for name, holds in held.items() if holds),
    )


def eligibility(facts: RewardFacts, rules: Iterable[RewardRule] = ()) -> Eligibility:
    suggested = reward_for(outcome_of(facts), rules)
    reasons: list[str] = []
    if facts.status != "closed":
        reasons.append("举报尚未办结")
    if facts.finding != "substantiated":
        reasons.append("核查结论不是属实")
    elif suggested is None:
        reasons.append("无罚款、瞒报死亡人数或奖励规则列明的结果，奖励规则不给予金额")
    if facts.excluded:
        reasons.append(f"举报人属于负有安全监管职责的人员：{facts.excluded}")
    if facts.earlier_duplicates:
        reasons.append(f"更早的重复举报享有奖励优先权：{'、'.join(facts.earlier_duplicates)}")
    eligible = not reasons and suggested is not None
    return Eligibility(eligible, tuple(reasons), suggested, code_only=facts.anonymous)
