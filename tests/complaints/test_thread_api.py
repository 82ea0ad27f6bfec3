"""The thread in the JSON API: `GET|POST /api/v1/reports/{number}/messages` with the console's
roles, scope and refusals, errors as `{"error", "message"}`."""

from __future__ import annotations

from datetime import timedelta

from tests.thread_helpers import queued, stored, without_openid


def path(number: str) -> str:
    return f"/api/v1/reports/{number}/messages"


async def test_a_message_is_created_and_listed_with_replies_and_notes(
    staff, reports, wechat, sessions, clock
):
    filed = await reports.filed(openid="o-api")
    status, message = await staff.post(path(filed.number), "wang", {"text": "请补充现场照片。"})
    assert status == 201
    assert message == {
        "kind": "staff",
        "author": "wang",
        "at": "2026-11-27T02:00:00Z",
        "text": "请补充现场照片。",
    }
    clock.advance(timedelta(minutes=5))
    await wechat.say("o-api", f"回复 {filed.number} 照片稍后发送")
    status, note = await staff.post(
        path(filed.number), "li", {"text": "已电话联系属地。", "kind": "note"}
    )
    assert status == 201 and note["kind"] == "note"
    status, body = await staff.get(path(filed.number), "wang")
    assert status == 200 and body["total"] == 3
    assert [(m["kind"], m["author"]) for m in body["items"]] == [
        ("staff", "wang"),
        ("reporter", "reporter"),
        ("note", "li"),
    ]
    assert body["items"][1]["text"] == "照片稍后发送"
    assert len(await queued(sessions, "staff-message:")) == 1  # the note went nowhere


async def test_the_auditor_reads_but_does_not_write(staff, reports, sessions):
    filed = await reports.filed()
    await staff.post(path(filed.number), "wang", {"text": "内部：先核实。", "kind": "note"})
    status, body = await staff.get(path(filed.number), "zhao")
    assert status == 200 and [m["kind"] for m in body["items"]] == ["note"]
    status, error = await staff.post(path(filed.number), "zhao", {"text": "审计留言"})
    assert status == 403 and error["error"] == "forbidden"
    assert len(await stored(sessions, filed.number)) == 1


async def test_finance_and_admin_neither_read_nor_write(staff, reports):
    filed = await reports.filed()
    for who in ("qian", "root"):
        assert (await staff.get(path(filed.number), who))[0] == 403
        status, error = await staff.post(path(filed.number), who, {"text": "留言"})
        assert status == 403 and error["error"] == "forbidden"


async def test_an_officer_outside_his_scope_finds_nothing(staff, reports, sessions):
    mine = await reports.advanced("assigned", by="zhangwei")
    elsewhere = await reports.filed(town="杨舍镇")
    assert (await staff.post(path(mine.number), "zhangwei", {"text": "明天到现场。"}))[0] == 201
    status, error = await staff.get(path(elsewhere.number), "zhangwei")
    assert status == 404 and error["error"] == "not_found"
    status, error = await staff.post(path(elsewhere.number), "zhangwei", {"text": "越权"})
    assert status == 404 and error["error"] == "not_found"
    assert await stored(sessions, elsewhere.number) == []
    assert (await staff.get(path("ZJG-2026-999999"), "wang"))[0] == 404


async def test_bad_requests_are_refused_and_keep_nothing(staff, reports, sessions):
    filed = await reports.filed()
    for body in ({}, {"text": ""}, {"text": "字" * 1001}, {"text": 5}, {"text": "好", "kind": "x"}):
        status, error = await staff.post(path(filed.number), "wang", body)
        assert status == 422 and error["error"] == "invalid" and error["message"], body
    status, error = await staff.post(path(filed.number), "wang", ["not", "an", "object"])
    assert status == 422
    assert await stored(sessions, filed.number) == []


async def test_a_report_taken_by_phone_cannot_be_messaged(staff, reports, sessions):
    filed = await reports.filed()
    await without_openid(sessions, filed.number)
    status, error = await staff.post(path(filed.number), "wang", {"text": "请补充照片。"})
    assert status == 422
    assert error == {"error": "invalid", "message": "该举报经电话等渠道受理，无法通过微信留言"}
    assert await stored(sessions, filed.number) == []


async def test_without_a_token_the_answer_is_401(staff, reports):
    filed = await reports.filed()
    assert (await staff.get(path(filed.number), None))[0] == 401
    assert (await staff.post(path(filed.number), None, {"text": "留言"}))[0] == 401


# SPEC §10: every route with every role (as tests/complaints/test_api.py walks the others).
ROLES = ("wang", "li", "zhao", "zhangwei", "qian", "root", None)
EXPECTED = {  # wang (dispatcher), li (leader), zhao (auditor), zhangwei (officer, this town),
    # qian (finance), root (admin), no token
    "read": (200, 200, 200, 200, 403, 403, 401),
    "write": (201, 201, 403, 201, 403, 403, 401),
}


async def test_every_thread_route_with_every_role(staff, reports):
    number = (await reports.filed()).number
    seen = {
        "read": tuple([(await staff.get(path(number), who))[0] for who in ROLES]),
        "write": tuple(
            [(await staff.post(path(number), who, {"text": "留言"}))[0] for who in ROLES]
        ),
    }
    assert seen == EXPECTED
