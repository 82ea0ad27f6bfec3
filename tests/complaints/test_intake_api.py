"""POST /api/v1/reports: a dispatcher registers a caller's report, which then lives like one
filed in the bot — number, query code, deadlines, routing, the group's card — except that
nothing goes to a WeChat user, for there is none."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from complaints.models import Report
from jubao.app import create_app
from jubao.background import BACKGROUND
from tests.staff import StaffApi

CALL = {
    "category": "hazard",
    "town": "塘桥镇",
    "place": "塘桥镇东街一家无名五金加工作坊",
    "description": "仓库消防通道被化工原料桶堵死，灭火器过期。",
    "channel": "phone",
}


async def listed(staff: StaffApi) -> int:
    status, body = await staff.get("/api/v1/reports", "wang")
    assert status == 200
    return body["total"]


@pytest.mark.parametrize("channel", ["phone", "visit", "letter", "email"])
async def test_a_dispatcher_registers_a_call_from_each_channel(staff, reports, channel):
    wechat = await reports.filed()  # the same report, filed in the bot a moment before
    status, body = await staff.post("/api/v1/reports", "wang", CALL | {"channel": channel})
    assert status == 201, body
    assert body["channel"] == channel and body["status"] == "received"
    assert re.fullmatch(r"ZJG-2026-000002", body["number"])
    assert re.fullmatch(r"\d{4} \d{4} \d{4} \d{4}", body["query_code"])
    assert body["deadlines"]["accept_by"] == "2026-12-12T16:00:00Z"  # 24:00 local, 15 days on
    assert body["anonymous"] and body["place"] == CALL["place"]
    (filing,) = body["events"]
    assert (filing["action"], filing["actor"], filing["to"]) == ("file", "wang", "received")
    again = await staff.report(body["number"], "li")
    assert again["channel"] == channel and "query_code" not in again  # shown once
    assert (await staff.report(wechat.number, "wang"))["channel"] == "wechat"


async def test_a_named_callers_identity_is_stored_encrypted_and_revealed_only_by_reveal(
    staff, towns, sessions
):
    named = CALL | {"name": "王秘密", "phone": "139 1234 5678"}
    status, body = await staff.post("/api/v1/reports", "wang", named)
    assert status == 201 and body["anonymous"] is False
    assert "王秘密" not in str(body) and "13912345678" not in str(body)
    async with sessions() as session:
        row = await session.scalar(select(Report).where(Report.number == body["number"]))
    assert row.reporter_openid_enc is None and row.reporter_openid_hash is None
    assert "王秘密" not in row.reporter_name_enc and "13912345678" not in row.reporter_phone_enc
    status, revealed = await staff.post(
        f"/api/v1/reports/{body['number']}/reveal", "wang", {"reason": "回访举报人"}
    )
    assert status == 200 and (revealed["name"], revealed["phone"]) == ("王秘密", "13912345678")


@pytest.mark.parametrize("who", ["zhangwei", "li", "zhao", "qian"])
async def test_only_a_dispatcher_registers_calls(staff, towns, who):
    status, body = await staff.post("/api/v1/reports", who, CALL)
    assert status == 403 and body["error"] == "forbidden"
    assert await listed(staff) == 0


async def test_missing_or_bad_fields_are_refused_and_nothing_is_kept(staff, towns):
    status, body = await staff.post("/api/v1/reports", "wang", {**CALL, "description": ""})
    assert status == 422 and body == {
        "error": "invalid",
        "message": "请填写具体情况（description）",
    }
    status, body = await staff.post("/api/v1/reports", "wang", {**CALL, "town": "火星镇"})
    assert status == 422 and body["message"] == "没有这个镇（区）：火星镇"
    status, body = await staff.post("/api/v1/reports", "wang", {**CALL, "phone": "12345"})
    assert status == 422 and "姓名（name）" in body["message"]
    status, body = await staff.post("/api/v1/reports", "wang", ["not", "an", "object"])
    assert status == 422 and body["error"] == "invalid"
    status, _ = await staff.post("/api/v1/reports", None, CALL)
    assert status == 401
    assert await listed(staff) == 0


@pytest.fixture
async def world(aiohttp_client, api_settings, clock, sessions, reports, fake_api):  # type: ignore[no-untyped-def]
    """The app talking to the fake WeChat API, the group posted by appchat."""
    settings = api_settings.replace(work_chatid="wrjubao-group", scheduler=False)
    client = await aiohttp_client(create_app(settings, clock=clock))
    staff = StaffApi(client, sessions, clock)
    await staff.add("wang", "dispatcher")
    return staff, client.app, fake_api, reports


async def test_a_call_is_routed_and_timed_like_a_wechat_report_and_no_citizen_is_messaged(world):
    staff, app, fake, reports = world
    wechat = await reports.filed()
    named = CALL | {"name": "王秘密", "phone": "13912345678"}
    status, body = await staff.post("/api/v1/reports", "wang", named)
    number = body["number"]
    _, as_wechat = await staff.act(wechat.number, "wang", "accept")
    status, report = await staff.act(number, "wang", "accept")
    assert status == 200 and report["status"] == "assigned"
    assert report["routed_by"] == as_wechat["routed_by"] and report["assignee"]  # least loaded
    assert report["deadlines"] == as_wechat["deadlines"] and report["deadlines"]["handle_by"]
    await app[BACKGROUND].run_once()
    card = fake.last("work_appchat")
    assert number in card.text and "王秘密" not in card.text
    assert fake.last("work_app").to == report["assignee"]["wework_id"]
    told = [m.text for m in fake.sent("mp_custom") + fake.sent("mp_template")]
    assert len(told) == 1 and wechat.number in told[0]  # the WeChat reporter only
    _, other = await staff.post("/api/v1/reports", "wang", CALL | {"channel": "letter"})
    status, rejected = await staff.act(other["number"], "wang", "reject", reason="no_facts")
    assert status == 200 and rejected["status"] == "rejected"
    await app[BACKGROUND].run_once()
    assert len(fake.sent("mp_custom") + fake.sent("mp_template")) == 1


async def test_a_request_sent_again_with_its_idempotency_key_files_nothing(staff, towns, clock):
    """A hotline system that lost the answer sends the same request again: the same report,
    its code while the 10 minutes last, then null; a new key files a new report."""
    key = {"Idempotency-Key": "3f1c9a2e-7b4d-4e8a-9c61-2d5f0b8e7a13"}

    async def send(headers: dict[str, str]):  # type: ignore[no-untyped-def]
        response = await staff.client.post(
            "/api/v1/reports", json=CALL, headers=staff._headers("wang") | headers
        )
        return response.status, await response.json()

    first, again = await send(key), await send(key)
    assert (first[0], again[0]) == (201, 200)
    assert again[1]["number"] == first[1]["number"]
    assert again[1]["query_code"] == first[1]["query_code"] is not None
    clock.advance(timedelta(minutes=10))
    late = await send(key)
    assert late[0] == 200 and late[1]["number"] == first[1]["number"]
    assert late[1]["query_code"] is None
    assert await listed(staff) == 1
    other = await send({"Idempotency-Key": "another-key-of-sixteen"})
    assert other[0] == 201 and other[1]["number"] != first[1]["number"]
    assert (await send({"Idempotency-Key": "bad key"}))[0] == 422
    assert await listed(staff) == 2
