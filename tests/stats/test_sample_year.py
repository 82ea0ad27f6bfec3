"""The 2021 generator: the bureau's year through the models — every report numbered in 2021,
spread over the towns and months, finished, with timelines and a few rewards — deterministic,
loaded once, and sending nothing."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from complaints.models import Report, ReportCounter, ReportEvent
from jubao.audit import AuditEntry
from jubao.demo.sample_year import plan
from jubao.identity import IdentityVault
from notifications.models import OutboxMessage
from rewards.clocks import run_clocks_once
from rewards.models import Reward, RewardEntry
from tests.stats.helpers import load_2021

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_the_plan_is_the_same_every_time() -> None:
    assert plan(12, SHANGHAI) == plan(12, SHANGHAI)
    assert len(plan(12, SHANGHAI)) == 93


async def test_the_year_is_written_finished_and_quiet(sessions, settings, clock, towns):
    assert await load_2021(sessions, settings, clock) == 93
    async with sessions() as session:
        reports = list(await session.scalars(select(Report).order_by(Report.seq)))
        assert [r.number for r in reports[:2]] == ["ZJG-2021-000001", "ZJG-2021-000002"]
        assert reports[-1].number == "ZJG-2021-000093"
        assert all(r.received_at.astimezone(SHANGHAI).year == 2021 for r in reports)
        received = [r.received_at for r in reports]
        assert received == sorted(received)  # numbered in the order received
        assert {r.status for r in reports} == {"closed", "rejected", "transferred", "merged"}
        assert all(r.next_reminder_at is None for r in reports)  # no clock left running
        assert len({r.town_id for r in reports}) == len(towns)
        assert len({r.received_at.astimezone(SHANGHAI).month for r in reports}) == 12
        filed = [r for r in reports if r.case_filed]
        assert len(filed) == 40 and all(r.fine and r.case_number for r in filed)
        assert all(r.finding == "substantiated" for r in filed)
        first_events = await session.scalars(
            select(ReportEvent.action).where(ReportEvent.from_status == "")
        )
        assert list(first_events) == ["file"] * 93
        assert await session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
        statuses = sorted(
            await session.scalars(select(Reward.status).where(Reward.status != "ineligible"))
        )
        assert statuses == ["paid"] * 6 + ["refused", "waived"]
        closed = {r.id for r in reports if r.status == "closed"}
        assert set(await session.scalars(select(Reward.report_id))) == closed  # all decided
        payments = await session.scalar(select(func.count()).where(RewardEntry.action == "pay"))
        assert payments == 6
        counter = await session.get(ReportCounter, 2021)
        assert counter is not None and counter.last == 93
        audit = await session.scalar(select(AuditEntry).where(AuditEntry.action == "sample_year"))
        assert audit is not None and audit.subject == "2021"
    assert await load_2021(sessions, settings, clock) == 0  # once only
    # five years on, no reward clock opens for it: nobody is told of 2021
    vault = IdentityVault(settings.identity_keys)
    run = await run_clocks_once(sessions, clock.now(), settings=settings, vault=vault)
    assert (run.opened, run.sent) == (0, 0)
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
