"""The audit page as an auditor reads it: the chain verified on the page (green when intact,
red at the entry where a tampered row breaks it), the entries newest first, fifty a page,
filtered by actor and action with the filters kept in the page links, no identity shown; and
only for auditors and admins."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, update

from console.audit_pages import details
from jubao import audit, audit_checks
from jubao.audit import AuditEntry
from tests.console.test_sign_in import CSRF, log_in
from tests.factories import DISPATCHER
from tests.staff import StaffApi


@pytest.fixture
async def console(client, sessions, clock, towns):  # type: ignore[no-untyped-def]
    staff = StaffApi(client, sessions, clock)
    await staff.add("wang", "dispatcher")
    await staff.add("zhao", "auditor")
    await staff.add("root", "admin")
    return client


async def audit_page(client, query: str = "") -> tuple[int, str]:  # type: ignore[no-untyped-def]
    response = await client.get(f"/console/audit{query}")
    return response.status, await response.text()


async def test_the_auditor_reads_the_log_newest_first_with_the_chain_verified(
    console, reports, clock, sessions
):
    first = await reports.advanced("assigned")  # accepted by wang, assigned
    clock.advance(timedelta(hours=1))
    second = await reports.advanced("investigating")  # and taken by zhangwei
    async with sessions() as session:
        logged = (await session.scalars(select(AuditEntry).order_by(AuditEntry.id))).all()
    await log_in(console, "zhao")
    status, html = await audit_page(console)
    assert status == 200
    assert f"审计链完整：共 {len(logged)} 条，已逐条校验" in html
    rows = html.split("<tbody>")[1].split("<tr>")[1:]
    assert [row.split("</td>")[4].endswith(second.number) for row in rows] == [
        entry.subject == second.number for entry in reversed(logged)
    ]  # newest first
    assert "2026-11-27 11:00:00" in rows[0] and "2026-11-27 10:00:00" in rows[-1]  # local time
    assert "<td>zhangwei</td>" in rows[0] and "接收" in rows[0]
    assert "<td>wang</td>" in rows[-1] and first.number in rows[-1]
    assert "受理" in rows[-1] and "原状态：已接收" in rows[-1]


def subjects(html: str) -> set[str]:
    return set(re.findall(r"<td>([NL]\d+)</td>", html))


async def test_filters_by_actor_and_action_kept_in_the_page_links(console, sessions, clock):
    async with sessions.begin() as session:
        accepted = {"from": "received", "to": "assigned"}
        for index in range(60):
            await audit.append(session, actor="wang", action="accept", subject=f"N{index:03}",
                               detail=accepted, at=clock.now())  # fmt: skip
        for index in range(3):
            await audit.append(session, actor="li", action="close", subject=f"L{index}",
                               detail={}, at=clock.now())  # fmt: skip
    await log_in(console, "root")
    _, html = await audit_page(console, "?actor=wang&action=accept")
    # Subjects are matched as table cells: a random CSRF token may well contain "L0".
    shown = subjects(html)
    assert "符合条件 60 条" in html and {"N059", "N010"} <= shown and "N009" not in shown
    assert "L0" not in shown and "第 1 / 2 页" in html
    assert 'href="/console/audit?actor=wang&amp;action=accept&amp;page=2"' in html
    _, second = await audit_page(console, "?actor=wang&action=accept&page=2")
    assert {"N009", "N000"} <= subjects(second) and "N010" not in subjects(second)
    _, closes = await audit_page(console, "?action=close")
    assert "符合条件 3 条" in closes and subjects(closes) == {"L0", "L1", "L2"}
    assert '<option value="close" selected>' in closes
    _, nobody = await audit_page(console, "?actor=nobody")
    assert "没有符合条件的审计记录" in nobody
    assert (await audit_page(console, "?page=0"))[0] == 422


async def test_a_tampered_row_shows_the_broken_chain_in_red(console, reports, sessions):
    await reports.filed()
    await reports.advanced("assigned")
    async with sessions.begin() as session:
        second = (await session.scalars(select(AuditEntry.id).order_by(AuditEntry.id))).all()[1]
        await session.execute(
            update(AuditEntry).where(AuditEntry.id == second).values(actor="someone-else")
        )
    await log_in(console, "zhao")
    _, html = await audit_page(console)
    assert "审计链完整" not in html and 'class="chain broken"' in html
    assert f"审计链在第 {second} 条处断裂" in html and "该条内容与其哈希值不符" in html
    broken = html.split('class="chain broken"')[1].split("</div>")[0]
    assert "someone-else" in broken  # the entry itself is shown


async def test_entries_removed_from_the_end_break_the_chain(console, reports, sessions):
    await reports.advanced("assigned")
    async with sessions.begin() as session:
        last = await session.scalar(select(func.max(AuditEntry.id)))
        await session.execute(delete(AuditEntry).where(AuditEntry.id == last))
    await log_in(console, "zhao")
    _, html = await audit_page(console)
    assert 'class="chain broken"' in html and "审计链在末尾处断裂" in html


def test_details_are_read_in_words():
    assert details("accept", '{"from":"received","note":"","to":"assigned"}') == [
        ("原状态", "已接收"),
        ("新状态", "已分派"),
    ]
    assert details("reward_approve", '{"amount":"15000.00","from":"proposed","to":"notified"}') == [
        ("金额", "15000.00"),
        ("原状态", "已申报待审批"),
        ("新状态", "已批准待领取"),
    ]
    assert details("odd", "not json") == [("", "not json")]


async def test_a_reveal_shows_its_reason_not_the_identity(console, reports):
    named = await reports.filed(name="王秘密", phone="13912345678")
    await log_in(console, "wang")
    html = await (await console.get(f"/console/reports/{named.number}")).text()
    token = CSRF.search(html).group(1)
    await console.post(
        f"/console/reports/{named.number}/reveal", data={"csrf_token": token, "reason": "核实线索"}
    )
    await log_in(console, "zhao")
    _, html = await audit_page(console, "?action=reveal")
    assert "查看举报人身份" in html and "理由：核实线索" in html
    assert "王秘密" not in html and "13912345678" not in html


async def test_only_auditors_and_admins_read_the_audit_log(console):
    await log_in(console, "wang")
    refused = await console.get("/console/audit")
    assert refused.status == 403 and "审计" in await refused.text()
    assert 'href="/console/audit"' not in await (await console.get("/console/")).text()
    await log_in(console, "zhao")
    assert 'href="/console/audit"' in await (await console.get("/console/")).text()


async def test_a_transfer_keeps_its_new_status_and_names_the_receiving_body(console, reports):
    filed = await reports.filed()
    await reports.act(filed.number, "transfer", by=DISPATCHER, to="市住房和城乡建设局")
    await log_in(console, "zhao")
    _, html = await audit_page(console, "?action=transfer")
    row = html.split("<tbody>")[1].split("<tr>")[1]
    assert "原状态：已接收" in row and "新状态：已转办" in row
    assert "移交单位：市住房和城乡建设局" in row and "新状态：市住房和城乡建设局" not in row
    logged = '{"from":"received","to":"transferred","transfer_to":"市住建局"}'
    assert details("transfer", logged) == [
        ("原状态", "已接收"), ("新状态", "已转办"), ("移交单位", "市住建局")
    ]  # fmt: skip


async def entry_ids(sessions) -> list[int]:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        return list((await session.scalars(select(AuditEntry.id).order_by(AuditEntry.id))).all())


async def test_after_a_full_check_the_page_checks_only_the_entries_since(
    console, reports, sessions, clock
):  # type: ignore[no-untyped-def]
    """The daily check (or `jubao audit verify`) reads the whole log; the page then reads what
    was written after it, linked to the last entry it found intact."""
    await reports.advanced("assigned")
    async with sessions.begin() as session:
        checked = await audit_checks.full_check(session, clock.now())
    assert checked.broken is None and checked.entries == len(await entry_ids(sessions))
    clock.advance(timedelta(hours=2))
    await reports.advanced("assigned")  # three more entries: filed, accepted, assigned
    total = len(await entry_ids(sessions))
    await log_in(console, "zhao")
    _, html = await audit_page(console)
    since = total - checked.entries
    assert f"审计链完整：共 {total} 条，已逐条校验" in html
    assert (
        f"（2026-11-27 10:00 全量校验 {checked.entries} 条，其后新增的 {since} 条刚刚校验）" in html
    )


async def test_a_tampered_entry_after_the_full_check_is_red_at_once(
    console, reports, sessions, clock
):  # type: ignore[no-untyped-def]
    await reports.advanced("assigned")
    async with sessions.begin() as session:
        await audit_checks.full_check(session, clock.now())
    await reports.advanced("assigned")
    newest = (await entry_ids(sessions))[-1]
    async with sessions.begin() as session:
        await session.execute(
            update(AuditEntry).where(AuditEntry.id == newest).values(detail='{"note":"改过"}')
        )
    await log_in(console, "zhao")
    _, html = await audit_page(console)
    assert f"审计链在第 {newest} 条处断裂" in html and "全量校验发现" not in html


async def test_an_older_entry_tampered_with_is_found_by_the_next_full_check(
    console, reports, sessions, clock
):  # type: ignore[no-untyped-def]
    """What the page does not re-read until the next full check: the daily job finds it, and
    the page shows that check's finding in red."""
    await reports.advanced("assigned")
    async with sessions.begin() as session:
        await audit_checks.full_check(session, clock.now())
    first = (await entry_ids(sessions))[0]
    async with sessions.begin() as session:
        await session.execute(
            update(AuditEntry).where(AuditEntry.id == first).values(actor="someone-else")
        )
    await log_in(console, "zhao")
    assert "审计链完整" in (await audit_page(console))[1]  # not read again by a look
    clock.advance(timedelta(days=1))
    async with sessions.begin() as session:
        assert (await audit_checks.full_check(session, clock.now())).broken.entry_id == first
    await log_in(console, "zhao")  # the next morning: a new session
    _, html = await audit_page(console)
    assert "2026-11-28 10:00 全量校验发现：" in html and f"审计链在第 {first} 条处断裂" in html
    assert "someone-else" in html.split('class="chain broken"')[1].split("</div>")[0]
