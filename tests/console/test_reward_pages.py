"""The reward pages as dispatchers, leaders, finance and auditors use them: the rewards by
status, a reward proposed, approved by another leader, claimed and paid — each by its form —,
the four-eyes rule shown and enforced, the payee's details for finance only on an audited
request, and every refusal (wrong role, missing CSRF token, bad input) changing nothing."""

from __future__ import annotations

import re
from dataclasses import astuple

import pytest
from sqlalchemy import select

from console.reward_pages import Forms, forms_for, rule_words
from jubao.audit import AuditEntry
from jubao.auth import Staff
from jubao.identity import IdentityVault
from jubao.roles import Role
from rewards.claims import claim
from rewards.ledger import Payee
from rewards.models import Reward, RewardEntry
from tests.console.test_sign_in import CSRF, log_in
from tests.staff import StaffApi

SUBSTANTIATED = {
    "finding": "substantiated",
    "summary": "通道堵塞属实",
    "case_filed": True,
    "fine": 100000,
}
PAYEE = Payee("王领奖", "11010519491231002X", "中国银行张家港支行", "6217888800001234")


@pytest.fixture
async def console(client, sessions, clock, towns):  # type: ignore[no-untyped-def]
    staff = StaffApi(client, sessions, clock)
    await staff.add("wang", "dispatcher")
    await staff.add("li", "leader")
    await staff.add("zhou", "leader")
    await staff.add("qian", "finance")
    await staff.add("zhao", "auditor")
    await staff.add("zhangwei", "officer", wework_id="zhangwei")
    return client


async def closed_with_fine(reports):  # type: ignore[no-untyped-def]
    return await reports.advanced("closed", conclusion=SUBSTANTIATED)


async def reward_page(client, number: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    response = await client.get(f"/console/rewards/{number}")
    return response.status, await response.text()


async def post_action(client, number: str, **fields: str):  # type: ignore[no-untyped-def]
    _, html = await reward_page(client, number)
    token = CSRF.search(html).group(1)
    return await client.post(
        f"/console/rewards/{number}/actions",
        data={"csrf_token": token, **fields},
        allow_redirects=False,
    )


def forms(html: str) -> list[str]:
    return re.findall(r'name="action" value="([a-z]+)"', html)


async def claimed(sessions, settings, clock, number: str) -> None:  # type: ignore[no-untyped-def]
    """The reporter's 领奖, as the bot's claim dialogue records it."""
    async with sessions.begin() as session:
        amount = await claim(
            session, number, PAYEE, settings=settings,
            vault=IdentityVault(settings.identity_keys), now=clock.now(),
        )  # fmt: skip
    assert amount == "15000.00"


async def ledger(sessions) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        rows = await session.execute(
            select(RewardEntry.action, RewardEntry.actor).order_by(RewardEntry.id)
        )
    return [tuple(row) for row in rows]  # type: ignore[misc]


async def test_a_reward_goes_from_proposal_to_payment_by_its_forms(
    console, reports, sessions, settings, clock
):
    closed = await closed_with_fine(reports)
    await log_in(console, "wang")
    status, html = await reward_page(console, closed.number)
    assert status == 200 and "可申报" in html and "符合奖励条件" in html
    assert "¥15000.00" in html and "violation 15% (national)" in html
    assert forms(html) == ["propose", "refuse", "exclude"]
    done = await post_action(console, closed.number, action="propose", amount="15000.00")
    assert done.status == 303 and done.headers["Location"] == f"/console/rewards/{closed.number}"
    _, html = await reward_page(console, closed.number)
    assert "已申报待审批" in html and "申报人</dt><dd>wang" in html

    await log_in(console, "li")
    _, html = await reward_page(console, closed.number)
    assert forms(html) == ["approve", "propose", "refuse"]
    assert (await post_action(console, closed.number, action="approve")).status == 303
    _, html = await reward_page(console, closed.number)
    assert "已批准待领取" in html and "领取期限" in html and forms(html) == []

    await claimed(sessions, settings, clock, closed.number)
    await log_in(console, "qian")
    _, html = await reward_page(console, closed.number)
    assert "已领取待支付" in html and forms(html) == ["pay"]
    paid = await post_action(
        console, closed.number, action="pay", method="bank", reference="ZJG-PAY-0001",
        paid_on="2026-11-27",
    )  # fmt: skip
    assert paid.status == 303
    _, html = await reward_page(console, closed.number)
    assert "已支付" in html and "银行转账，凭证号 ZJG-PAY-0001" in html
    assert await ledger(sessions) == [
        ("propose", "wang"), ("approve", "li"), ("claim", "reporter"), ("pay", "qian"),
    ]  # fmt: skip


async def test_the_list_shows_rewards_by_status_with_who_proposed_and_approved(
    console, reports, clock
):
    waiting = await closed_with_fine(reports)
    approved = await closed_with_fine(reports)
    nothing = await reports.advanced("closed")  # not substantiated
    await log_in(console, "wang")
    await post_action(console, approved.number, action="propose", amount="15000")
    await log_in(console, "li")
    await post_action(console, approved.number, action="approve")
    html = await (await console.get("/console/rewards")).text()
    assert all(r.number in html for r in (waiting, approved, nothing))
    assert '可申报 <span class="n">1</span>' in html
    assert '已批准待领取 <span class="n">1</span>' in html
    assert '不符合条件 <span class="n">1</span>' in html
    notified = await (await console.get("/console/rewards?status=notified")).text()
    assert approved.number in notified and waiting.number not in notified
    row = notified.split(approved.number)[-1].split("</tr>")[0]
    assert "15000.00" in row and "<td>wang</td><td>li</td>" in row and "2026-11-27" in row
    eligible = await (await console.get("/console/rewards?status=eligible")).text()
    assert waiting.number in eligible and "建议 15000.00" in eligible
    assert approved.number not in eligible and nothing.number not in eligible
    assert (await console.get("/console/rewards?status=nonsense")).status == 422


async def test_the_proposer_sees_no_approve_button_and_a_forged_approval_is_refused(
    console, reports, sessions
):
    closed = await closed_with_fine(reports)
    await log_in(console, "li")
    assert (await post_action(console, closed.number, action="propose")).status == 303
    _, html = await reward_page(console, closed.number)
    assert "approve" not in forms(html) and "您是申报人，须由另一位领导审批" in html
    forged = await post_action(console, closed.number, action="approve")
    assert forged.status == 403 and "您是申报人，须由另一位领导审批" in await forged.text()
    assert await ledger(sessions) == [("propose", "li")]  # nothing changed
    await log_in(console, "zhou")
    _, html = await reward_page(console, closed.number)
    assert "approve" in forms(html) and "您是申报人" not in html
    assert "申报人</dt><dd>li" in html


async def test_refusals_change_nothing(console, reports, sessions):
    closed = await closed_with_fine(reports)
    await log_in(console, "wang")
    no_reason = await post_action(console, closed.number, action="propose", amount="20000")
    assert no_reason.status == 422 and "理由" in await no_reason.text()
    approve = await post_action(console, closed.number, action="approve")
    assert approve.status == 403 and "您的角色不能执行" in await approve.text()
    no_token = await console.post(
        f"/console/rewards/{closed.number}/actions",
        data={"action": "propose", "amount": "15000"},
        allow_redirects=False,
    )
    assert no_token.status == 403
    assert await ledger(sessions) == []
    _, html = await reward_page(console, closed.number)
    assert "可申报" in html
    await log_in(console, "zhao")  # the auditor reads, and has no form
    status, html = await reward_page(console, closed.number)
    assert status == 200 and forms(html) == [] and "查看领奖人信息" not in html
    assert (await post_action(console, closed.number, action="propose")).status == 403
    assert await ledger(sessions) == []
    open_report = await reports.filed()
    assert (await reward_page(console, open_report.number))[0] == 404  # not closed: no reward


async def test_an_officer_has_no_reward_pages(console, reports):
    closed = await closed_with_fine(reports)
    await log_in(console, "zhangwei")
    listing = await console.get("/console/rewards")
    assert listing.status == 403 and "无权访问" in await listing.text()
    assert (await console.get(f"/console/rewards/{closed.number}")).status == 403
    assert 'href="/console/rewards"' not in await (await console.get("/console/")).text()


async def test_finance_sees_the_payee_only_after_asking_and_it_is_audited(
    console, reports, sessions, settings, clock
):
    closed = await closed_with_fine(reports)
    await log_in(console, "wang")
    await post_action(console, closed.number, action="propose")
    await log_in(console, "li")
    await post_action(console, closed.number, action="approve")
    await claimed(sessions, settings, clock, closed.number)
    path = f"/console/rewards/{closed.number}/payee"

    _, html = await reward_page(console, closed.number)  # a leader: no button, and refused
    assert "查看领奖人信息" not in html
    token = CSRF.search(html).group(1)
    refused = await console.post(path, data={"csrf_token": token, "reason": "想看"})
    assert refused.status == 403 and PAYEE.name not in await refused.text()

    await log_in(console, "qian")
    status, html = await reward_page(console, closed.number)
    assert status == 200 and "查看领奖人信息" in html
    assert PAYEE.name not in html and PAYEE.resident_id not in html and PAYEE.account not in html
    token = CSRF.search(html).group(1)
    assert (await console.post(path, data={"reason": "核对发放信息"})).status == 403  # no token
    no_reason = await console.post(path, data={"csrf_token": token, "reason": " "})
    assert no_reason.status == 422 and PAYEE.name not in await no_reason.text()
    async with sessions() as session:
        reveals = select(AuditEntry).where(AuditEntry.action == "reveal_payee")
        assert (await session.scalars(reveals)).all() == []
    shown = await console.post(path, data={"csrf_token": token, "reason": "核对发放信息"})
    text = await shown.text()
    assert shown.status == 200 and shown.headers["Cache-Control"] == "no-store"
    assert all(value in text for value in astuple(PAYEE))
    _, again = await reward_page(console, closed.number)
    assert PAYEE.name not in again  # on that response only
    async with sessions() as session:
        entries = (await session.scalars(reveals)).all()
    assert [(e.actor, e.subject) for e in entries] == [("qian", closed.number)]
    assert "核对发放信息" in entries[0].detail and PAYEE.name not in entries[0].detail


async def test_the_report_page_links_to_its_reward(console, reports, sessions):
    closed = await closed_with_fine(reports)
    await log_in(console, "wang")
    html = await (await console.get(f"/console/reports/{closed.number}")).text()
    assert f'href="/console/rewards/{closed.number}"' in html
    async with sessions() as session:
        assert await session.scalar(select(Reward)) is None  # a link opens nothing


def test_forms_follow_the_flow_and_the_four_eyes_rule():
    wang, li = Staff("wang", Role.DISPATCHER, None, None), Staff("li", Role.LEADER, None, None)
    qian = Staff("qian", Role.FINANCE, None, None)
    assert forms_for("eligible", wang, None) == Forms(("propose", "refuse", "exclude"), False)
    assert forms_for("proposed", li, "wang") == Forms(("approve", "propose", "refuse"), False)
    assert forms_for("proposed", li, "li") == Forms(("propose", "refuse"), True)
    assert forms_for("claimed", qian, "wang") == Forms(("pay",), False)
    assert forms_for("notified", li, "wang") == Forms((), False)  # the reporter claims
    assert forms_for("paid", qian, "wang") == Forms((), False)


def test_rules_are_read_in_words():
    assert rule_words("violation 15% (national)") == "罚款额的 15%（国家标准）"
    assert (
        rule_words("concealed 较大 40000/death (city)")
        == "瞒报较大事故，每死亡一人 40000 元（本市规则）"
    )
    assert (
        rule_words("fixed 500 for substantiated+case_filed (塘桥镇)")
        == "查证属实、立案查处，定额 500 元（塘桥镇）"
    )
    assert rule_words("something new (city)") == "something new (city)"  # shown as it is
