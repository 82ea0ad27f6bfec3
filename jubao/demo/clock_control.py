"""The demo clock (SPEC §11 "Time": one clock offset shared by the service and the sweep): move
the app's clock a day, a week or just past the next deadline, then do at once what the
scheduler would do at the new time — the reminder sweep, the reward clocks, the outbox — so the
reminders and escalations have reached WeChat (the demo's fake) when the move returns.

The offset lives on `app[CLOCK]`, which the web requests, the sweep, the reward clocks, the
access tokens and the demo's fake WeChat API all read; it is never moved backwards, and it
starts at zero again when the demo restarts. Every job run here is safe beside the scheduler's
own runs: the reminder ledger's unique key records each reminder (and each waiver) once, and
outbox rows are claimed under a lease."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from aiohttp import web

from complaints.sweep import sweep_in_batches
from jubao.demo.next_deadline import Deadline, next_deadline
from jubao.keys import CLOCK, SESSIONS, SETTINGS, VAULT
from notifications import WECHAT_API
from notifications.outbox import deliver_all
from rewards.clocks import run_clocks_once

STEPS = {"day": timedelta(days=1), "week": timedelta(days=7)}
DEADLINE = "deadline"
PAST_DEADLINE = timedelta(minutes=1)  # where a deadline jump lands: its overdue moment has come


@dataclass(frozen=True)
class ClockMove:
    """What one move of the demo clock did."""

    step: str  # "day", "week" or "deadline"
    moved: timedelta  # this move (zero when there was nothing to jump to)
    now: datetime  # the clock's time after the move, UTC
    offset: timedelta  # the clock's total offset from the system time
    passed: Deadline | None  # the deadline a "deadline" move jumped past
    reminders_sent: int  # reports' and rewards' reminders and overdue escalations recorded
    reminders_skipped: int  # earlier reminders passed over, recorded as skipped
    rewards_waived: int  # rewards whose collection window passed
    delivered: int  # outbox messages WeChat accepted before the move returned
    undelivered: int  # outbox messages that failed this time (retried by the scheduler)
    summary: str  # one line for the simulator, zh-CN


@dataclass(frozen=True)
class ClockStatus:
    now: datetime  # UTC
    offset: timedelta
    next_deadline: Deadline | None
    now_text: str  # 现在：12月14日 09:30（已快进 7 天）
    next_text: str  # 下一个期限：ZJG-2026-000012 办结期限 12月10日 24:00


# --- texts (pure) ---------------------------------------------------------------------------


def _day(local: datetime, reference: datetime) -> str:
    year = f"{local.year}年" if local.year != reference.year else ""
    return f"{year}{local.month}月{local.day}日"


def moment_text(at: datetime, tz: ZoneInfo, reference: datetime) -> str:
    """`at` in local time, as 12月14日 09:30 (with the year when it is not `reference`'s)."""
    local = at.astimezone(tz)
    return f"{_day(local, reference.astimezone(tz))} {local:%H:%M}"


def deadline_text(at: datetime, tz: ZoneInfo, reference: datetime) -> str:
    """A deadline as people say it: local midnight is 24:00 of the day before (12月10日 24:00)."""
    local = at.astimezone(tz)
    if local.time() == datetime.min.time():
        return f"{_day(local - timedelta(days=1), reference.astimezone(tz))} 24:00"
    return moment_text(at, tz, reference)


def offset_text(offset: timedelta) -> str:
    """The offset in days, hours and minutes (7 天; 15 天 6 小时 1 分钟)."""
    minutes = int(offset.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{n} {unit}" for n, unit in ((days, "天"), (hours, "小时"), (minutes, "分钟")) if n]
    return " ".join(parts) or "0 天"


def deadline_line(deadline: Deadline, tz: ZoneInfo, reference: datetime) -> str:
    return f"{deadline.number} {deadline.kind}期限 {deadline_text(deadline.at, tz, reference)}"


def outcome_text(sent: int, skipped: int, waived: int, delivered: int, undelivered: int) -> str:
    """What the jobs reported, as the simulator says it."""
    parts = [f"发出提醒 {sent} 条" if sent else "没有到期的提醒"]
    if skipped:
        parts.append(f"{skipped} 条已过时的提醒不再发送")
    if waived:
        parts.append(f"{waived} 项奖励逾期未领取已作废")
    parts.append(f"送达微信消息 {delivered} 条")
    if undelivered:
        parts.append(f"{undelivered} 条未送达，稍后重试")
    return "，".join(parts)


def move_summary(move: ClockMove, tz: ZoneInfo) -> str:
    real = move.now - move.offset  # the system time: the year it is really
    total = offset_text(move.offset) if move.offset else "未快进"
    if move.step == DEADLINE and move.passed is None:
        return f"没有进行中的期限，时间未动：现在是 {moment_text(move.now, tz, real)}（{total}）"
    moved = f"时间已快进到 {moment_text(move.now, tz, real)}（共快进 {total}）"
    outcome = outcome_text(
        move.reminders_sent,
        move.reminders_skipped,
        move.rewards_waived,
        move.delivered,
        move.undelivered,
    )
    passed = f"已越过 {deadline_line(move.passed, tz, real)}。" if move.passed else ""
    return f"{passed}{moved}：{outcome}"


# --- the moves --------------------------------------------------------------------------------


async def clock_status(app: web.Application) -> ClockStatus:
    """The demo clock's time, its offset and the next deadline after it."""
    clock, tz = app[CLOCK], app[SETTINGS].tz
    now = clock.now()
    async with app[SESSIONS]() as session:
        ahead = await next_deadline(session, now)
    real = now - clock.offset
    total = f"已快进 {offset_text(clock.offset)}" if clock.offset else "未快进"
    return ClockStatus(
        now,
        clock.offset,
        ahead,
        f"现在：{moment_text(now, tz, real)}（{total}）",
        f"下一个期限：{deadline_line(ahead, tz, now)}" if ahead else "没有进行中的期限",
    )


async def advance(app: web.Application, step: str) -> ClockMove:
    """Move the demo clock forward by `step` ("day", "week", or "deadline": one minute past the
    next deadline of any open report or running reward clock, or nowhere when there is none),
    then run the reminder sweep, the reward clocks and the outbox delivery as of the new time.
    Raises ValueError for any other step (the clock never goes back)."""
    clock, settings = app[CLOCK], app[SETTINGS]
    passed = None
    if step in STEPS:
        moved = STEPS[step]
    elif step == DEADLINE:
        async with app[SESSIONS]() as session:
            passed = await next_deadline(session, clock.now())
        if passed is None:
            still = ClockMove(
                step, timedelta(0), clock.now(), clock.offset, None, 0, 0, 0, 0, 0, ""
            )
            return _summarised(still, settings.tz)
        # Read now and set the offset with no await between: a move made meanwhile (another
        # click) is counted, and the clock still never goes back.
        moved = max(passed.at + PAST_DEADLINE - clock.now(), timedelta(0))
    else:
        raise ValueError(f"unknown clock step {step!r}: day, week or deadline")
    clock.offset += moved
    now = clock.now()
    swept = await sweep_in_batches(app[SESSIONS], now, settings=settings, vault=app[VAULT])
    rewards = await run_clocks_once(app[SESSIONS], now, settings=settings, vault=app[VAULT])
    delivery = await deliver_all(app[SESSIONS], app[WECHAT_API], app[VAULT], clock)
    move = ClockMove(
        step,
        moved,
        now,
        clock.offset,
        passed,
        swept.sent + rewards.sent,
        swept.skipped + rewards.skipped,
        rewards.waived,
        delivery.sent,
        delivery.retrying + delivery.failed,
        "",
    )
    return _summarised(move, settings.tz)


def _summarised(move: ClockMove, tz: ZoneInfo) -> ClockMove:
    return replace(move, summary=move_summary(move, tz))
