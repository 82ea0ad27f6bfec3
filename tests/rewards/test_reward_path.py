"""From the citizen's first message to a paid reward, over the real callbacks and the API, for
a named and an anonymous whistleblower; and every refusal on the way."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from jubao.audit import AuditEntry, verify
from notifications.models import OutboxMessage
from rewards.models import Reward, RewardEntry

WORKSHOP = "塘桥镇东街一家无名五金加工作坊"
RESIDENT_ID = "11010519491231002X"
PAY = {"method": "bank", "reference": "ZJG-PAY-0001", "paid_on": "2026-11-27"}


async def closed_with_fine(wechat, staff, openid: str, *, named: bool = True) -> object:  # type: ignore[no-untyped-def]
    identity = {"name": "王举报", "phone": "13912345678"} if named else {}
    filed = await wechat.file_report(openid, town="塘桥镇", place=WORKSHOP, **identity)
    await staff.act(filed.number, "wang", "accept")
    await staff.act(filed.number, "wang", "assign", assignee="zhangwei")
    await staff.act(filed.number, "zhangwei", "take")
    await staff.act(filed.number, "zhangwei", "conclude", finding="substantiated",
                    summary="通道堵塞属实", case_filed=True, fine=100000)  # fmt: skip
    status, report = await staff.act(filed.number, "li", "close")
    assert status == 200, report
    return filed


async def reward(staff, number: str, who: str = "wang") -> dict:  # type: ignore[no-untyped-def]
    status, body = await staff.get(f"/api/v1/rewards/{number}", who)
    assert status == 200, body
    return body


async def reward_act(staff, number: str, who: str, action: str, **fields):  # type: ignore[no-untyped-def]
    return await staff.post(f"/api/v1/rewards/{number}/actions", who, {"action": action, **fields})


async def reporter_notices(sessions, number: str) -> list[str]:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        rows = await session.scalars(
            select(OutboxMessage.text)
            .where(OutboxMessage.key.like(f"reward:{number}:%"))
            .order_by(OutboxMessage.id)
        )
    return list(rows)


async def claim(wechat, openid: str, start: str) -> str:  # type: ignore[no-untyped-def]
    assert "真实姓名" in await wechat.say(openid, start)
    assert "身份证号码" in await wechat.say(openid, "王举报")
    assert "开户银行" in await wechat.say(openid, RESIDENT_ID)
    summary = await wechat.say(openid, "中国银行张家港支行 6217 8888 0000 1234")
    assert "************1234" in summary and RESIDENT_ID not in summary
    return await wechat.say(openid, "1")


async def test_a_named_whistleblower_goes_from_report_to_paid(wechat, staff, sessions, clock):
    filed = await closed_with_fine(wechat, staff, "o-named")
    before = await reward(staff, filed.number)
    assert before["status"] == "eligible" and before["eligible"] and before["reasons"] == []
    assert before["suggested_amount"] == "15000.00"
    assert before["rule"] == "violation 15% (national)"
    assert before["decide_by"] == "2026-12-17T16:00:00Z"  # 20 days after closing, 24:00 local

    status, proposed = await reward_act(staff, filed.number, "wang", "propose")
    assert status == 200 and proposed["status"] == "proposed" and proposed["amount"] == "15000.00"
    status, body = await reward_act(staff, filed.number, "wang", "pay", **PAY)
    assert status == 403  # finance pays; and only what is claimed
    status, approved = await reward_act(staff, filed.number, "li", "approve")
    assert status == 200 and approved["status"] == "notified"
    assert approved["collect_by"] == "2027-01-26T16:00:00Z"  # 60 days from the notice
    notice = (await reporter_notices(sessions, filed.number))[0]
    assert (
        "15000.00 元" in notice and f"领奖 {filed.number}」" in notice and "2027年1月26日" in notice
    )

    status, body = await reward_act(staff, filed.number, "qian", "pay", **PAY)
    assert status == 409 and body["error"] == "illegal_transition"  # not claimed yet
    done = await claim(wechat, "o-named", f"领奖 {filed.number}")
    assert "领奖信息已提交" in done and "15000.00" in done
    claimed = await reward(staff, filed.number, "qian")
    assert claimed["status"] == "claimed" and claimed["claimed"] is True
    assert "王举报" not in str(claimed) and RESIDENT_ID not in str(claimed)
    async with sessions() as session:
        stored = await session.scalar(select(Reward))
        assert RESIDENT_ID not in str(vars(stored)) and "6217888800001234" not in str(vars(stored))
        finance_told = await session.scalar(
            select(OutboxMessage.text).where(OutboxMessage.key == f"reward-claimed:{filed.number}")
        )
    assert finance_told is None  # qian has no WeChat Work id: nobody to tell (see the clocks' test)

    status, paid = await reward_act(staff, filed.number, "qian", "pay", **PAY)
    assert status == 200 and paid["status"] == "paid" and paid["paid_at"]
    assert [e["action"] for e in paid["entries"]] == ["propose", "approve", "claim", "pay"]
    assert paid["entries"][-1] | {"at": None} == {
        "action": "pay", "at": None, "actor": "qian", "from": "claimed", "to": "paid",
        "amount": "15000.00", "method": "bank", "reference": "ZJG-PAY-0001",
        "paid_on": "2026-11-27", "note": "",
    }  # fmt: skip
    status, body = await reward_act(staff, filed.number, "qian", "pay", **PAY)
    assert status == 409  # never twice
    paid_notice = (await reporter_notices(sessions, filed.number))[-1]
    assert "已于2026年11月27日通过银行转账发放" in paid_notice
    async with sessions() as session:
        assert await verify(session) is None
        audited = list(await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert [a for a in audited if a.startswith("reward_")] == [
        "reward_propose", "reward_approve", "reward_claim", "reward_pay",
    ]  # fmt: skip


async def test_an_anonymous_whistleblower_collects_with_the_query_code(wechat, staff, sessions):
    filed = await closed_with_fine(wechat, staff, "o-anon", named=False)
    await reward_act(staff, filed.number, "wang", "propose")
    await reward_act(staff, filed.number, "li", "approve")
    notice = (await reporter_notices(sessions, filed.number))[0]
    assert f"领奖 {filed.number} 查询码" in notice
    assert "查询码领奖" in await wechat.say("o-anon", f"领奖 {filed.number}")  # without the code
    assert "暂无可领取的奖励" in await wechat.say("o-anon", f"领奖 {filed.number} 1111222233334444")
    done = await claim(wechat, "o-other-phone", f"领奖 {filed.number} {filed.code}")
    assert "领奖信息已提交" in done
    status, paid = await reward_act(staff, filed.number, "qian", "pay", **PAY)
    assert status == 200 and paid["status"] == "paid"


async def test_four_eyes_and_reasons(wechat, staff):
    filed = await closed_with_fine(wechat, staff, "o-four")
    status, body = await reward_act(staff, filed.number, "li", "propose", amount="20000")
    assert status == 422 and "理由" in body["message"]
    status, body = await reward_act(staff, filed.number, "li", "propose", amount="20000",
                                    note="线索详实，协助查处")  # fmt: skip
    assert status == 200 and body["amount"] == "20000.00" and body["proposed_by"] == "li"
    status, body = await reward_act(staff, filed.number, "li", "approve")
    assert status == 403 and "提出人以外" in body["message"]
    await staff.add("zhou", "leader")
    status, body = await reward_act(staff, filed.number, "zhou", "approve")
    assert status == 200 and body["status"] == "notified"


async def test_who_reads_rewards_and_an_unknown_or_open_report(wechat, staff):
    filed = await wechat.file_report("o-open", town="塘桥镇", place=WORKSHOP)
    status, body = await staff.get(f"/api/v1/rewards/{filed.number}", "wang")
    assert status == 404 and body["error"] == "not_found"  # not closed yet
    assert (await staff.get("/api/v1/rewards/ZJG-2026-999999", "wang"))[0] == 404
    closed = await closed_with_fine(wechat, staff, "o-read")
    assert (await staff.get(f"/api/v1/rewards/{closed.number}", "zhangwei"))[0] == 403
    assert (await staff.get(f"/api/v1/rewards/{closed.number}", None))[0] == 401
    for who in ("wang", "li", "qian", "zhao"):
        assert (await staff.get(f"/api/v1/rewards/{closed.number}", who))[0] == 200
    status, body = await reward_act(staff, closed.number, "zhao", "propose")
    assert status == 403  # the auditor reads only
    status, listing = await staff.get("/api/v1/rewards", "qian", status="eligible")
    assert status == 200 and [i["number"] for i in listing["items"]] == [closed.number]
    assert (await staff.get("/api/v1/rewards", "qian", status="nonsense"))[0] == 422
    assert (await staff.get("/api/v1/rewards", "qian", page="0"))[0] == 422
    status, body = await reward_act(staff, closed.number, "wang", "fly")
    assert (status, body["error"]) == (422, "invalid")


async def test_a_refused_reward_tells_the_reporter_and_ends_the_decision_clock(
    wechat, staff, sessions
):
    filed = await closed_with_fine(wechat, staff, "o-refused")
    status, body = await reward_act(staff, filed.number, "li", "refuse")
    assert status == 422  # a reason is needed
    status, body = await reward_act(
        staff, filed.number, "li", "refuse", note="举报内容已由执法检查发现"
    )
    assert status == 200 and body["status"] == "refused" and body["decide_by"] is None
    assert [e["action"] for e in body["entries"]] == ["refuse"]
    told = await reporter_notices(sessions, filed.number)
    assert len(told) == 1 and "不予奖励" in told[0] and "执法检查发现" not in told[0]
    assert (await reward_act(staff, filed.number, "wang", "propose"))[0] == 409


async def test_an_unsubstantiated_report_is_ineligible_with_its_reason(wechat, staff):
    filed = await wechat.file_report("o-false", town="塘桥镇", place=WORKSHOP)
    await staff.act(filed.number, "wang", "accept")
    await staff.act(filed.number, "wang", "assign", assignee="zhangwei")
    await staff.act(filed.number, "zhangwei", "take")
    await staff.act(filed.number, "zhangwei", "conclude", finding="unsubstantiated", summary="无")
    await staff.act(filed.number, "li", "close")
    body = await reward(staff, filed.number)
    assert body["status"] == "ineligible" and "核查结论不是属实" in body["reasons"]
    assert body["suggested_amount"] is None
    status, _ = await reward_act(staff, filed.number, "wang", "propose", amount="100", note="x")
    assert status == 409


async def test_excluding_a_reporter_with_supervision_duties(wechat, staff, sessions):
    filed = await closed_with_fine(wechat, staff, "o-staff")
    status, body = await reward_act(staff, filed.number, "wang", "exclude")
    assert status == 422
    status, body = await reward_act(staff, filed.number, "wang", "exclude", note="本局执法人员")
    assert status == 200 and body["status"] == "ineligible"
    assert "负有安全监管职责的人员：本局执法人员" in body["reasons"][0]
    told = await reporter_notices(sessions, filed.number)
    assert len(told) == 1 and "不符合举报奖励的条件" in told[0] and "本局执法人员" not in told[0]


async def test_the_payee_is_shown_to_finance_only_with_a_reason(wechat, staff, sessions):
    filed = await closed_with_fine(wechat, staff, "o-payee")
    await reward_act(staff, filed.number, "wang", "propose")
    await reward_act(staff, filed.number, "li", "approve")
    await claim(wechat, "o-payee", f"领奖 {filed.number}")
    path = f"/api/v1/rewards/{filed.number}/payee"
    assert (await staff.post(path, "li", {"reason": "核对"}))[0] == 403
    assert (await staff.post(path, "qian", {}))[0] == 422
    status, payee = await staff.post(path, "qian", {"reason": "发放前核对账户"})
    assert status == 200 and payee == {
        "number": filed.number, "name": "王举报", "resident_id": RESIDENT_ID,
        "bank": "中国银行张家港支行", "account": "6217888800001234",
    }  # fmt: skip
    async with sessions() as session:
        assert (
            await session.scalar(select(func.count()).where(AuditEntry.action == "reveal_payee"))
            == 1
        )


async def test_one_payment_per_reward_is_a_database_constraint(wechat, staff, sessions):
    filed = await closed_with_fine(wechat, staff, "o-twice")
    await reward_act(staff, filed.number, "wang", "propose")
    await reward_act(staff, filed.number, "li", "approve")
    await claim(wechat, "o-twice", f"领奖 {filed.number}")
    await reward_act(staff, filed.number, "qian", "pay", **PAY)
    async with sessions() as session:
        row = await session.scalar(select(RewardEntry).where(RewardEntry.action == "pay"))
    with pytest.raises(IntegrityError):
        async with sessions.begin() as session:
            await session.execute(
                text(
                    "INSERT INTO reward_entries (reward_id, at, actor, action, from_status, "
                    "to_status, note) VALUES (:r, :at, 'qian', 'pay', 'claimed', 'paid', '')"
                ),
                {"r": row.reward_id, "at": row.at},
            )


async def test_two_payments_at_once_pay_once(wechat, staff, sessions, database_url):
    """Four finance requests at once: the reward's row lock lets one pay; the others find it
    paid (and the unique index would refuse a second payment had they not)."""
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite runs one transaction at a time: the race cannot happen there")
    filed = await closed_with_fine(wechat, staff, "o-race")
    await reward_act(staff, filed.number, "wang", "propose")
    await reward_act(staff, filed.number, "li", "approve")
    await claim(wechat, "o-race", f"领奖 {filed.number}")
    results = await asyncio.gather(
        *(reward_act(staff, filed.number, "qian", "pay", **PAY) for _ in range(4))
    )
    assert sorted(status for status, _ in results) == [200, 409, 409, 409]
    async with sessions() as session:
        payments = await session.scalar(select(func.count()).where(RewardEntry.action == "pay"))
    assert payments == 1


async def test_the_payees_details_are_in_no_log_and_nowhere_in_plain_text(
    wechat, staff, sessions, caplog, database_url
):
    caplog.set_level(logging.DEBUG)
    filed = await closed_with_fine(wechat, staff, "o-secret")
    await reward_act(staff, filed.number, "wang", "propose")
    await reward_act(staff, filed.number, "li", "approve")
    assert "领奖信息已提交" in await claim(wechat, "o-secret", f"领奖 {filed.number}")
    secrets = (RESIDENT_ID, "6217888800001234", "6217 8888 0000 1234", "中国银行张家港支行")
    for secret in secrets:
        assert secret not in caplog.text
    if database_url.startswith("sqlite"):  # every byte the database wrote, WAL included
        path = Path(make_url(database_url).database)
        written = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        for secret in secrets:
            assert secret.encode() not in written
