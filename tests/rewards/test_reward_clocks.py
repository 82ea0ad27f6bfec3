"""The reward clocks with a controlled clock: the decision reminded and escalated, the
collection window reminded to the reporter and waived exactly once when it passes."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from jubao.identity import IdentityVault
from notifications.models import OutboxMessage
from rewards.clocks import run_clocks_once
from rewards.models import Reward, RewardEntry
from tests.rewards.test_reward_path import claim, closed_with_fine, reward_act


@pytest.fixture
async def told(staff):  # type: ignore[no-untyped-def]
    await staff.add("wang2", "dispatcher", wework_id="wang-wx")
    await staff.add("li2", "leader", wework_id="li-wx")
    await staff.add("qian2", "finance", wework_id="qian-wx")


async def run(sessions, settings, clock):  # type: ignore[no-untyped-def]
    vault = IdentityVault(settings.identity_keys)
    return await run_clocks_once(sessions, clock.now(), settings=settings, vault=vault)


async def messages(sessions, like: str) -> list[tuple[str | None, str]]:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        rows = await session.execute(
            select(OutboxMessage.recipient, OutboxMessage.text)
            .where(OutboxMessage.key.like(like))
            .order_by(OutboxMessage.id)
        )
    return [tuple(row) for row in rows]


async def test_the_decision_is_reminded_then_escalated(
    wechat, staff, told, sessions, settings, clock
):
    filed = await closed_with_fine(wechat, staff, "o-decide")
    assert (await run(sessions, settings, clock)).opened == 1  # closed at 10:00 on 27 November
    clock.advance(timedelta(days=17, hours=14))  # 00:00 local on 15 December: 3 days before
    first = await run(sessions, settings, clock)
    assert (first.opened, first.sent) == (0, 1)
    assert (await run(sessions, settings, clock)).sent == 0  # once
    clock.advance(timedelta(days=3))
    assert (await run(sessions, settings, clock)).sent == 1  # overdue
    sent = await messages(sessions, "reminder:%")
    assert [recipient for recipient, _ in sent] == ["wang-wx", "wang-wx", "li-wx"]
    assert "【奖励决定期限提醒】" in sent[0][1] and filed.number in sent[0][1]
    assert "15000.00 元" in sent[0][1]
    assert "【奖励决定期限逾期】" in sent[2][1]
    await reward_act(staff, filed.number, "wang", "propose")
    await reward_act(staff, filed.number, "li", "approve")
    clock.advance(timedelta(days=5))
    assert (await run(sessions, settings, clock)).sent == 0  # decided: the clock stopped


async def test_the_collection_window_reminds_then_waives_once(
    wechat, staff, told, sessions, settings, clock
):
    filed = await closed_with_fine(wechat, staff, "o-collect")
    await reward_act(staff, filed.number, "wang", "propose")
    await reward_act(staff, filed.number, "li", "approve")  # collect by 24:00 on 26 January
    clock.advance(timedelta(days=53, hours=14))  # 00:00 local on 20 January: 7 days before
    assert (await run(sessions, settings, clock)).sent == 1
    clock.advance(timedelta(days=6))
    assert (await run(sessions, settings, clock)).sent == 1
    reminders = await messages(sessions, "reminder:%:reporter")
    assert len(reminders) == 2 and "领取期限为2027年1月26日" in reminders[0][1]
    clock.advance(timedelta(days=1))  # 00:00 local on 27 January: the window has passed
    passed = await run(sessions, settings, clock)
    assert passed.waived == 1
    again = await run(sessions, settings, clock)
    assert (again.waived, again.sent) == (0, 0)
    async with sessions() as session:
        assert await session.scalar(select(Reward.status)) == "waived"
        waives = await session.scalar(select(func.count()).where(RewardEntry.action == "waive"))
    assert waives == 1
    assert len(await messages(sessions, f"reward:{filed.number}:waive")) == 1
    finance = await messages(sessions, "reminder:%:finance")
    assert [recipient for recipient, _ in finance] == ["qian-wx"]
    assert "暂无可领取的奖励" in await wechat.say("o-collect", f"领奖 {filed.number}")


async def test_a_claim_stops_the_collection_clock(wechat, staff, told, sessions, settings, clock):
    filed = await closed_with_fine(wechat, staff, "o-quick")
    await reward_act(staff, filed.number, "wang", "propose")
    await reward_act(staff, filed.number, "li", "approve")
    await claim(wechat, "o-quick", f"领奖 {filed.number}")
    assert [r for r, _ in await messages(sessions, f"reward-claimed:{filed.number}")] == ["qian-wx"]
    clock.advance(timedelta(days=70))
    assert (await run(sessions, settings, clock)).waived == 0
    async with sessions() as session:
        assert await session.scalar(select(Reward.status)) == "claimed"


async def test_two_processes_waive_once(
    wechat, staff, told, sessions, settings, clock, database_url
):
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite runs one transaction at a time: the race cannot happen there")
    filed = await closed_with_fine(wechat, staff, "o-race")
    await reward_act(staff, filed.number, "wang", "propose")
    await reward_act(staff, filed.number, "li", "approve")
    clock.advance(timedelta(days=61))
    runs = await asyncio.gather(*(run(sessions, settings, clock) for _ in range(3)))
    assert sum(r.waived for r in runs) == 1
    assert len(await messages(sessions, f"reward:{filed.number}:waive")) == 1
