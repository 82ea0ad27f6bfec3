"""The demo clock (jubao/demo/clock_control.py) on the demo app as `jubao demo` serves it: its
fake WeChat API mounted at /fake-wechat and the service delivering to it, all on one clock.
A move runs the sweep, the reward clocks and the outbox, so what it sends is at the fake when
it returns."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, unused_port
from sqlalchemy import select

from complaints.jobs import sweep_job
from complaints.lifecycle import Actor
from jubao.clock import FixedClock
from jubao.config import Settings
from jubao.demo import DEMO_FAKE, DEMO_WORK, FAKE_API_PATH, demo_app
from jubao.demo.clock_control import advance, clock_status
from jubao.demo.fake_api import FAKE_WECHAT, FakeWeChat
from jubao.demo.next_deadline import Deadline
from jubao.demo.wechat import OfficialAccountSide
from jubao.identity import IdentityVault
from jubao.keys import CLOCK, SESSIONS, VAULT
from jubao.roles import Role
from notifications import WECHAT_API
from notifications.outbox import deliver_all
from rewards import clocks_job
from rewards.ledger import act
from rewards.models import Reward
from tests.factories import Reports
from tests.staff import StaffApi
from tests.wechat_client import MpClient

FINED = {"finding": "substantiated", "summary": "通道堵塞属实", "case_filed": True, "fine": 100000}


@dataclass
class Demo:
    app: web.Application
    client: TestClient
    fake: FakeWeChat
    reports: Reports
    settings: Settings
    clock: FixedClock

    def texts(self, to: str) -> list[str]:
        """What WeChat Work delivered to `to` (a wework_id or the group chat)."""
        return [sent.text for sent in self.fake.sent() if sent.to == to]

    async def deliver(self) -> None:
        """What is already in the outbox (filing's notices), so a move starts from nothing."""
        app = self.app
        await deliver_all(app[SESSIONS], app[WECHAT_API], app[VAULT], app[CLOCK])

    async def reward(self, number: str, action: str, by: Actor) -> None:
        vault = IdentityVault(self.settings.identity_keys)
        async with self.app[SESSIONS].begin() as session:
            await act(session, number, action, {}, by, settings=self.settings, vault=vault,
                      now=self.clock.now())  # fmt: skip


@pytest.fixture
async def demo(aiohttp_server, aiohttp_client, settings, clock, towns) -> Demo:  # type: ignore[no-untyped-def]
    """The demo app on a port chosen first, so its API bases can point at its own fake."""
    port = unused_port()
    base = f"http://127.0.0.1:{port}{FAKE_API_PATH}"
    demo_settings = settings.replace(
        mp_api_base=base, work_api_base=base, public_url=f"http://127.0.0.1:{port}",
        **DEMO_WORK, **DEMO_FAKE,
    )  # fmt: skip
    app = demo_app(demo_settings, clock=clock)
    client = await aiohttp_client(await aiohttp_server(app, port=port))
    staff = StaffApi(client, app[SESSIONS], clock)
    await staff.add("wang", "dispatcher", wework_id="wang-wx")
    await staff.add("li", "leader", wework_id="li-wx")
    await staff.add("qian", "finance", wework_id="qian-wx")
    reports = Reports(app[SESSIONS], demo_settings, clock)
    return Demo(app, client, app[FAKE_WECHAT], reports, demo_settings, clock)


async def test_a_day_moves_the_clock_a_day_and_changes_nothing_else(demo):  # type: ignore[no-untyped-def]
    filed = await demo.reports.filed()
    await demo.deliver()
    before, sent = demo.clock.now(), len(demo.fake.sent())
    move = await advance(demo.app, "day")
    assert move.now == before + timedelta(days=1) == demo.app[CLOCK].now()
    assert move.offset == move.moved == timedelta(days=1)
    assert (move.reminders_sent, move.reminders_skipped, move.rewards_waived) == (0, 0, 0)
    assert move.delivered == 0 and len(demo.fake.sent()) == sent
    assert move.summary == (
        "时间已快进到 11月28日 10:00（共快进 1 天）：没有到期的提醒，送达微信消息 0 条"
    )
    status = await clock_status(demo.app)
    assert status.now == move.now and status.now_text == "现在：11月28日 10:00（已快进 1 天）"
    assert status.next_text == f"下一个期限：{filed.number} 受理告知期限 12月12日 24:00"


async def test_the_acceptance_reminder_reaches_the_dispatcher_once(demo):  # type: ignore[no-untyped-def]
    filed = await demo.reports.filed()  # to accept by 24:00 on 12 December
    await demo.deliver()
    assert (await advance(demo.app, "week")).reminders_sent == 0  # 4 December
    tokens = demo.fake.token_fetches("work")
    move = await advance(demo.app, "week")  # 11 December: three days before
    assert (move.reminders_sent, move.delivered) == (1, 1)
    assert move.summary.endswith("（共快进 14 天）：发出提醒 1 条，送达微信消息 1 条")
    [reminder] = demo.texts("wang-wx")
    assert reminder.startswith(f"【受理告知期限提醒】{filed.number}") and "还有3天" in reminder
    # A week on, the fake's tokens had expired by the same clock: a new one was fetched, and
    # the message went through at the first try.
    assert demo.fake.token_fetches("work") == tokens + 1
    assert demo.fake.requests["work_app"] == len(demo.fake.sent("work_app"))

    assert (await advance(demo.app, "day")).reminders_sent == 1  # 12 December: the last day
    await sweep_job(demo.app)  # the scheduler's own run at the same time: nothing again
    await demo.deliver()
    texts = demo.texts("wang-wx")
    assert [("还有3天" in t, "还有1天" in t) for t in texts] == [(True, False), (False, True)]


async def test_a_deadline_jump_lands_past_the_earliest_deadline_and_escalates(demo):  # type: ignore[no-untyped-def]
    report = await demo.reports.advanced("assigned")  # zhangwei acknowledges by Monday 24:00
    await demo.deliver()
    ack = Deadline(report.number, "ack", datetime(2026, 11, 30, 16, 0, tzinfo=UTC))
    status = await clock_status(demo.app)
    assert status.next_deadline == ack and status.next_deadline.kind == "分派确认"
    assert status.next_text == f"下一个期限：{report.number} 分派确认期限 11月30日 24:00"
    assert status.now_text == "现在：11月27日 10:00（未快进）"

    move = await advance(demo.app, "deadline")
    assert move.passed == ack and move.now == ack.at + timedelta(minutes=1)
    assert (move.reminders_sent, move.reminders_skipped) == (1, 2)  # the overdue one only
    assert move.summary == (
        f"已越过 {report.number} 分派确认期限 11月30日 24:00。"
        "时间已快进到 12月1日 00:01（共快进 3 天 14 小时 1 分钟）："
        "发出提醒 1 条，2 条已过时的提醒不再发送，送达微信消息 3 条"
    )
    overdue = f"【分派确认期限逾期】{report.number}"
    assert [t for t in demo.texts(DEMO_FAKE["work_chatid"]) if t.startswith(overdue)]
    assert [t for t in demo.texts("wang-wx") if t.startswith(overdue)]
    assert [t for t in demo.texts("zhangwei") if t.startswith(overdue)]

    # Still assigned: the next deadline is the handling's, 60 days from acceptance.
    assert (await clock_status(demo.app)).next_text == (
        f"下一个期限：{report.number} 办结期限 2027年1月26日 24:00"
    )


async def test_the_clock_does_not_go_back(demo):  # type: ignore[no-untyped-def]
    before = demo.clock.now()
    with pytest.raises(ValueError):
        await advance(demo.app, "back")
    assert demo.clock.now() == before


async def test_with_no_open_report_a_deadline_jump_moves_nothing(demo):  # type: ignore[no-untyped-def]
    await demo.reports.advanced("closed")  # not substantiated: no reward either
    await demo.deliver()
    before, sent = demo.clock.now(), len(demo.fake.sent())
    assert (await clock_status(demo.app)).next_text == "没有进行中的期限"
    move = await advance(demo.app, "deadline")
    assert move.passed is None and move.moved == move.offset == timedelta(0)
    assert demo.clock.now() == before and len(demo.fake.sent()) == sent
    assert move.summary == "没有进行中的期限，时间未动：现在是 11月27日 10:00（未快进）"


async def test_a_notified_reward_is_waived_when_a_jump_passes_its_window(demo):  # type: ignore[no-untyped-def]
    report = await demo.reports.advanced(
        "closed", conclusion=FINED, name="王举报", phone="13912345678"
    )
    await advance(demo.app, "day")  # the reward clocks open the reward
    await demo.reward(report.number, "propose", Actor("wang", Role.DISPATCHER))
    await demo.reward(report.number, "approve", Actor("li", Role.LEADER))
    await demo.deliver()
    status = await clock_status(demo.app)  # 60 days from the notice on 28 November
    assert status.next_text == f"下一个期限：{report.number} 奖励领取期限 2027年1月27日 24:00"

    move = await advance(demo.app, "deadline")
    assert move.rewards_waived == 1 and "1 项奖励逾期未领取已作废" in move.summary
    assert move.undelivered == 0 and "未送达" not in move.summary
    async with demo.app[SESSIONS]() as session:
        assert await session.scalar(select(Reward.status)) == "waived"
    assert [t for t in demo.texts("qian-wx") if t.startswith("【奖励领取期限逾期】")]
    # The reporter hears of it by the progress template: his 48-hour window closed long ago.
    waiver = demo.fake.last("mp_template")
    assert waiver.to == "o-citizen" and report.number in waiver.text
    assert (await clock_status(demo.app)).next_deadline is None


async def test_a_move_beside_the_schedulers_own_runs_sends_each_reminder_once(demo):  # type: ignore[no-untyped-def]
    filed = await demo.reports.filed()
    await advance(demo.app, "week")
    # The move sets the offset before its first await: the jobs below run at the new time too.
    await asyncio.gather(advance(demo.app, "week"), sweep_job(demo.app), clocks_job(demo.app))
    await demo.deliver()
    reminders = [t for t in demo.texts("wang-wx") if t.startswith("【受理告知期限提醒】")]
    assert len(reminders) == 1 and filed.number in reminders[0]


async def test_the_citizen_signs_with_the_demo_clocks_time_after_a_jump(demo):  # type: ignore[no-untyped-def]
    settings = demo.settings
    side = OfficialAccountSide(settings.mp_token, settings.mp_appid, settings.mp_aes_key)
    phone = MpClient(demo.client, side, demo.clock)  # signs with app[CLOCK]'s time
    filed = await phone.file_report("o-demo-clock")
    await advance(demo.app, "week")
    stale = side.request(
        side.message("o-demo-clock", "text", 1, 0, Content="查询"),
        timestamp=int((demo.clock.now() - timedelta(weeks=1)).timestamp()),
    )  # signed a week earlier, as a signer on the system time would
    assert (await phone.post(stale)).status == 403
    assert filed.number in await phone.say("o-demo-clock", "查询")
