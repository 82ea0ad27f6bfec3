"""Who hears of a reward's steps: the reporter (approved — how and until when to collect —,
paid, waived) through the Official Account, and finance of a claim waiting to be paid. Staff
messages carry the number and the amount, never the payee's details."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from complaints.deadlines import last_day
from complaints.models import Report
from complaints.notices import tell_reporter
from complaints.staff_notices import notify_staff
from jubao.config import Settings
from jubao.identity import IdentityVault
from notifications.texts import render
from rewards.flow import METHODS, RewardAction
from rewards.models import Reward, RewardEntry

TEMPLATES = {
    RewardAction.APPROVE: ("举报奖励通知", "reward_notified.txt.j2"),
    RewardAction.PAY: ("举报奖励已发放", "reward_paid.txt.j2"),
    RewardAction.WAIVE: ("举报奖励领取期限届满", "reward_waived.txt.j2"),
    RewardAction.REFUSE: ("举报奖励审核结果", "reward_refused.txt.j2"),
    RewardAction.EXCLUDE: ("举报奖励审核结果", "reward_refused.txt.j2"),
}


async def tell_reporter_of(
    session: AsyncSession,
    report: Report,
    reward: Reward,
    entry: RewardEntry,
    *,
    settings: Settings,
    vault: IdentityVault,
    now: datetime,
) -> None:
    title, template = TEMPLATES[RewardAction(entry.action)]
    text = render(
        template,
        number=report.number,
        amount=f"{reward.amount:.2f}" if reward.amount is not None else "",
        collect_by=last_day(reward.collect_by, settings.tz) if reward.collect_by else "",
        anonymous=report.anonymous,
        method=METHODS.get(entry.method or "", ""),
        paid_on=f"{entry.paid_on.year}年{entry.paid_on.month}月{entry.paid_on.day}日"
        if entry.paid_on
        else "",
    )
    await tell_reporter(
        session,
        report,
        key=f"reward:{report.number}:{entry.action}",
        title=title,
        text=text,
        settings=settings,
        vault=vault,
        now=now,
    )


async def tell_finance_of_claim(
    session: AsyncSession,
    number: str,
    reward: Reward,
    *,
    settings: Settings,
    vault: IdentityVault,
    now: datetime,
) -> None:
    await notify_staff(
        session,
        "finance",
        f"reward-claimed:{number}",
        "reward_claimed.txt.j2",
        vault=vault,
        now=now,
        number=number,
        amount=f"{reward.amount:.2f}" if reward.amount is not None else "",
        url=f"{settings.public_url.rstrip('/')}/console/rewards",
    )
