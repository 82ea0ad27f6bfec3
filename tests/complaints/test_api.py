"""The staff JSON API over HTTP: a report from the citizen's chat to its closing."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import event, select, text

from complaints.models import Report, ReportEvent
from jubao.audit import AuditEntry, verify
from jubao.background import BACKGROUND
from jubao.keys import ENGINE
from tests.factories import WORKSHOP


async def test_report_travels_from_chat_to_closing(wechat, staff, sessions):
    filed = await wechat.file_report("o-citizen", town="塘桥镇", place=WORKSHOP)

    status, listing = await staff.get("/api/v1/reports", "wang", status="received")
    assert status == 200 and listing["total"] == 1 and listing["page_size"] == 50
    assert listing["items"][0]["number"] == filed.number

    status, report = await staff.act(filed.number, "wang", "accept")
    assert status == 200, report
    assert report["status"] == "assigned"
    assert report["assignee"]["wework_id"] in ("zhangwei", "zhaomin")
    assert report["routed_by"].endswith("→ 塘桥镇综合执法局")
    assert report["deadlines"]["handle_by"] == "2027-01-26T16:00:00Z"  # 60 d, 24:00 local
    assert report["assignee"]["wework_id"] == "zhangwei"  # a tie goes to the smaller id

    assert (await staff.act(filed.number, "zhangwei", "take"))[1]["status"] == "investigating"
    await staff.act(filed.number, "zhangwei", "progress", note="已到现场检查")
    status, report = await staff.act(
        filed.number,
        "zhangwei",
        "conclude",
        finding="substantiated",
        summary="通道堵塞属实",
        case_filed=True,
        case_number="张应急罚〔2026〕18号",
        fine=20000,
    )
    assert status == 200 and report["status"] == "concluded"
    assert report["fine"] == "20000.00" and report["case_filed"] is True
    status, report = await staff.act(filed.number, "wang", "record", fine="25000.50")
    assert report["fine"] == "25000.50"
    status, report = await staff.act(filed.number, "li", "close")
    assert report["status"] == "closed"

    actions = [event["action"] for event in report["events"]]
    assert actions[:3] == ["file", "accept", "assign"]
    assert actions[-4:] == ["progress", "conclude", "record", "close"]
    actors = [event["actor"] for event in report["events"][:3]]
    assert actors == ["reporter", "wang", "system"]
    assert (report["events"][0]["from"], report["events"][0]["to"]) == (None, "received")
    assert report["events"][0]["at"].endswith("Z")
    async with sessions() as session:
        assert await verify(session) is None
        audited = (await session.scalars(select(AuditEntry.action))).all()
    assert audited[:2] == ["accept", "assign"] and audited[-1] == "close"


async def test_red_enterprise_is_urgent_and_goes_to_the_city_brigade(reports, staff):
    filed = await reports.filed(openid="o-1", place="宏达化工的仓库")
    _status, report = await staff.act(filed.number, "wang", "accept")
    assert report["urgent"] is True
    assert report["enterprise"] == {
        "name": "张家港市宏达化工有限公司",
        "code": "red",
        "blacklisted": False,
    }
    assert report["assignee"]["wework_id"] in ("chenjianguo", "liufang")
    assert report["assignee"]["wework_id"] == "chenjianguo"  # a tie goes to the smaller id


async def test_assignments_spread_over_the_unit(reports, staff):
    numbers = [(await reports.filed(openid=f"o-{n}")).number for n in range(4)]
    assignees = []
    for number in numbers:
        assignees.append((await staff.act(number, "wang", "accept"))[1]["assignee"]["wework_id"])
    assert sorted(assignees) == ["zhangwei", "zhangwei", "zhaomin", "zhaomin"]


async def test_without_a_token_401(staff):
    status, body = await staff.get("/api/v1/reports", None)
    assert status == 401 and body["error"] == "unauthorized"
    staff.tokens["nobody"] = "forged-token"
    status, body = await staff.get("/api/v1/reports", "nobody")
    assert status == 401


async def test_roles_that_read_no_reports_get_403(staff):
    for who in ("qian", "root"):
        status, body = await staff.get("/api/v1/reports", who)
        assert status == 403 and body["error"] == "forbidden"


async def test_wrong_role_illegal_move_and_bad_fields(reports, staff):
    filed = await reports.filed(openid="o-x")
    status, body = await staff.act(filed.number, "zhao", "accept")
    assert status == 403 and body["error"] == "forbidden"
    status, body = await staff.act(filed.number, "li", "close")
    assert status == 409 and body["error"] == "illegal_transition"
    status, body = await staff.act(filed.number, "wang", "reject")
    assert status == 422 and body["error"] == "invalid"
    status, body = await staff.act(filed.number, "wang", "fly")
    assert status == 422
    response = await staff.client.post(
        f"/api/v1/reports/{filed.number}/actions",
        data=b"{not json",
        headers={"Authorization": f"Bearer {staff.tokens['wang']}"},
    )
    assert response.status == 422
    # Nothing changed by any refusal:
    report = await staff.report(filed.number, "wang")
    assert report["status"] == "received"
    assert [event["action"] for event in report["events"]] == ["file"]


async def test_accepting_twice_is_an_illegal_move(reports, staff):
    filed = await reports.filed(openid="o-twice")
    assert (await staff.act(filed.number, "wang", "accept"))[0] == 200
    status, body = await staff.act(filed.number, "wang", "accept")
    assert status == 409 and body["error"] == "illegal_transition"


async def test_assigning_to_someone_not_on_the_list_is_refused(reports, staff):
    filed = await reports.filed(openid="o-nobody")
    await staff.act(filed.number, "wang", "accept")
    status, body = await staff.act(filed.number, "wang", "assign", assignee="nobody")
    assert status == 422 and body["error"] == "invalid" and "nobody" in body["message"]
    assert (await staff.report(filed.number, "wang"))["assignee"]["wework_id"] == "zhangwei"


async def test_merging_needs_another_existing_report(reports, staff):
    first = await reports.filed(openid="o-m1")
    second = await reports.filed(openid="o-m2")
    for target in (second.number, "ZJG-2026-999999"):
        status, body = await staff.act(
            second.number, "wang", "merge", duplicate_of=target, note="同一问题"
        )
        assert status == 422 and body["error"] == "invalid"
    assert (await staff.report(second.number, "wang"))["status"] == "received"
    status, body = await staff.act(
        second.number, "wang", "merge", duplicate_of=first.number, note="同一问题"
    )
    assert status == 200 and body["status"] == "merged"
    assert [e["action"] for e in body["events"]] == ["file", "merge"]


async def test_reject_with_a_standard_reason(reports, staff):
    filed = await reports.filed(openid="o-r")
    status, report = await staff.act(
        filed.number, "wang", "reject", reason="outside_remit", note="属于住建部门职责"
    )
    assert status == 200 and report["status"] == "rejected"
    assert report["events"][-1]["note"] == "属于住建部门职责"


async def test_officers_see_only_their_towns(reports, staff):
    mine = await reports.filed(openid="o-a")
    theirs = await reports.filed(openid="o-b", town="金港镇", place="金港镇一处废弃仓库")
    status, listing = await staff.get("/api/v1/reports", "zhangwei")
    assert [item["number"] for item in listing["items"]] == [mine.number]
    status, body = await staff.get(f"/api/v1/reports/{theirs.number}", "zhangwei")
    assert status == 404 and body["error"] == "not_found"
    status, _ = await staff.act(theirs.number, "zhangwei", "take")
    assert status == 404


async def test_an_officer_acts_only_on_his_own_assignments(reports, staff):
    await staff.add("zhaomin", "officer", wework_id="zhaomin")
    filed = await reports.filed(openid="o-c")
    await staff.act(filed.number, "wang", "accept")
    await staff.act(filed.number, "wang", "assign", assignee="zhangwei")
    status, body = await staff.act(filed.number, "zhaomin", "take")
    assert status == 403 and "没有分派给您" in body["message"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"category": "hazard"}, 1),
        ({"category": "injury"}, 1),
        ({"town": "金港镇"}, 1),
        ({"overdue": "false"}, 2),
        ({"overdue": "true"}, 0),
    ],
)
async def test_list_filters(reports, staff, params, expected):
    await reports.filed(openid="o-1")
    await reports.filed(openid="o-2", kind="injury", town="金港镇", place="金港镇码头")
    status, listing = await staff.get("/api/v1/reports", "wang", **params)
    assert status == 200 and listing["total"] == expected


async def test_overdue_after_the_acceptance_deadline(reports, staff, clock):
    filed = await reports.filed(openid="o-late")
    clock.advance(timedelta(days=16))
    _status, listing = await staff.get("/api/v1/reports", "wang", overdue="true")
    assert [item["number"] for item in listing["items"]] == [filed.number]


async def test_bad_filter_values_are_422(staff):
    for params in ({"status": "lost"}, {"page": "0"}, {"overdue": "maybe"}):
        status, body = await staff.get("/api/v1/reports", "wang", **params)
        assert status == 422 and body["error"] == "invalid"


async def test_reveal_needs_a_role_and_a_reason_and_is_audited(reports, staff, sessions):
    filed = await reports.filed(openid="o-named", name="李四", phone="13800138000")
    path = f"/api/v1/reports/{filed.number}/reveal"
    assert (await staff.post(path, "zhangwei", {"reason": "核实"}))[0] == 403
    assert (await staff.post(path, "wang", {}))[0] == 422
    status, body = await staff.post(path, "wang", {"reason": "需电话核实现场位置"})
    assert status == 200 and body["name"] == "李四" and body["phone"] == "13800138000"
    report = await staff.report(filed.number, "wang")
    assert "李四" not in str(report) and "13800138000" not in str(report)
    async with sessions() as session:
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "reveal"))
    assert entry.actor == "wang" and "需电话核实" in entry.detail and "李四" not in entry.detail


async def test_extension_moves_the_handling_deadline_once(reports, staff):
    filed = await reports.filed(openid="o-e")
    before = (await staff.act(filed.number, "wang", "accept"))[1]["deadlines"]["handle_by"]
    status, report = await staff.act(filed.number, "li", "extend", days=30, note="需要检测")
    assert status == 200 and before == "2027-01-26T16:00:00Z"
    assert report["deadlines"]["handle_by"] == "2027-02-25T16:00:00Z"
    status, _body = await staff.act(filed.number, "li", "extend", days=5, note="again")
    assert status == 409


async def test_an_anonymous_reporter_has_nothing_to_reveal(reports, staff, sessions):
    filed = await reports.filed(openid="o-anon")
    status, body = await staff.post(
        f"/api/v1/reports/{filed.number}/reveal", "li", {"reason": "核实"}
    )
    assert status == 200
    assert body == {"number": filed.number, "anonymous": True, "name": None, "phone": None}
    assert "o-anon" not in str(body)
    status, body = await staff.post(
        f"/api/v1/reports/{filed.number}/reveal", "zhao", {"reason": "审计"}
    )
    assert status == 403 and body["error"] == "forbidden"


async def test_two_dispatchers_accepting_at_once_accept_once(
    reports, staff, sessions, database_url
):
    """Both read the report, then wait for its row lock (held here by a third transaction);
    the second to get it must see the report as the first left it: one 200, one 409, one
    acceptance and one assignment."""
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite runs one transaction at a time: the race cannot happen there")
    filed = await reports.filed(openid="o-race", place="塘桥镇东街一家五金作坊")
    await staff.add("wang3", "dispatcher")
    async with sessions.begin() as holder:
        await holder.execute(
            select(Report.id).where(Report.number == filed.number).with_for_update()
        )
        racing = [
            asyncio.create_task(staff.act(filed.number, who, "accept")) for who in ("wang", "wang3")
        ]
        # Release only once both have read the report and wait for its row lock.
        waiting_for_locks = text(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        async with asyncio.timeout(10):
            while True:
                await holder.execute(text("SELECT pg_stat_clear_snapshot()"))
                if await holder.scalar(waiting_for_locks) >= 2:
                    break
                await asyncio.sleep(0.02)
    results = await asyncio.gather(*racing)
    assert sorted(status for status, _ in results) == [200, 409]
    async with sessions() as session:
        actions = list(await session.scalars(select(ReportEvent.action).order_by(ReportEvent.id)))
    assert actions.count("accept") == 1 and actions.count("assign") == 1


# SPEC §10: every route with every role. None is no token at all.
ROLES = ("wang", "li", "zhao", "zhangwei", "qian", "root", None)
EXPECTED = {  # route: status for wang (dispatcher), li (leader), zhao (auditor),
    # zhangwei (officer, this town), qian (finance), root (admin), no token
    "list": (200, 200, 200, 200, 403, 403, 401),
    "detail": (200, 200, 200, 200, 403, 403, 401),
    "reveal": (200, 200, 403, 403, 403, 403, 401),
    "accept": (200, 403, 403, 403, 403, 403, 401),
}


async def test_every_route_with_every_role(reports, staff):
    filed = await reports.filed(openid="o-roles", name="赵六", phone="13700001111")
    number = filed.number
    seen: dict[str, tuple[int, ...]] = {}
    seen["list"] = tuple([(await staff.get("/api/v1/reports", who))[0] for who in ROLES])
    seen["detail"] = tuple(
        [(await staff.get(f"/api/v1/reports/{number}", who))[0] for who in ROLES]
    )
    seen["reveal"] = tuple(
        [
            (await staff.post(f"/api/v1/reports/{number}/reveal", who, {"reason": "核实"}))[0]
            for who in ROLES
        ]
    )
    accept = []
    for who in reversed(ROLES):  # the dispatcher last: his accept changes the report
        accept.append((await staff.act(number, who, "accept"))[0])
    seen["accept"] = tuple(reversed(accept))
    assert seen == EXPECTED


LIMITER = 1  # the per-address count's checkout, before the request's session


async def test_a_request_uses_one_session_and_answers_in_utf8(reports, staff):
    """Authentication, the scope check and the answer share one database session (one
    connection checked out of the pool, after the rate limit's own short transaction, which
    has returned its connection before: jubao/rate_limits.py); Chinese comes as UTF-8, not
    \\u escapes."""
    filed = await reports.filed(openid="o-one")
    await staff.client.app[BACKGROUND].run_once()  # the filing's deliveries are done: idle
    checkouts: list[object] = []
    engine = staff.client.app[ENGINE].sync_engine

    def checked_out(*args: object) -> None:
        checkouts.append(args)

    event.listen(engine, "checkout", checked_out)
    try:
        for path in ("/api/v1/reports", f"/api/v1/reports/{filed.number}"):
            checkouts.clear()
            status, _ = await staff.get(path, "wang")
            assert status == 200 and len(checkouts) == 1 + LIMITER, path
        checkouts.clear()
        status, _ = await staff.post(f"/api/v1/reports/{filed.number}/reveal", "li", {})
        assert status == 422 and len(checkouts) == 1 + LIMITER
    finally:
        event.remove(engine, "checkout", checked_out)
    headers = {"Authorization": f"Bearer {staff.tokens['wang']}"}
    response = await staff.client.get("/api/v1/reports/ZJG-2026-999999", headers=headers)
    raw = await response.text()
    assert response.status == 404 and "没有这件举报" in raw and "\\u" not in raw
