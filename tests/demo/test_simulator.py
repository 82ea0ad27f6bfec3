"""The simulator at /sim/: a citizen's phone and the officers' WeChat Work, talking to the
service through its real callbacks (signed and encrypted), with what the service sends to
WeChat's API streamed back as it happens. Only the demo has it."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from complaints.models import Evidence, Report
from notifications.message_log import InboundMessage
from tests.demo.simulator import Stream, start_demo

NUMBER = re.compile(r"举报编号：(\S+)")
PATHS = ["/sim", "/sim/", "/sim/state", "/sim/events", "/sim/static/sim.js"]


async def test_outside_the_demo_there_is_no_simulator(client):
    for path in PATHS:
        assert (await client.get(path)).status == 404, path
    for path in ("/sim/mp", "/sim/work", "/sim/citizens", "/sim/clock"):
        assert (await client.post(path, json={})).status == 404, path


def passive(pane: str, party: str, words: str):  # type: ignore[no-untyped-def]
    return lambda e: (
        e["pane"] == pane and e["party"] == party and e["side"] == "service" and words in e["text"]
    )


async def test_a_citizen_files_from_the_phone_and_the_officer_takes_it_in_wechat_work(
    aiohttp_client, settings, sessions
):
    client, tokens = await start_demo(aiohttp_client, settings)
    page = await client.get("/sim/")
    assert page.status == 200 and "微信模拟器" in await page.text()
    state = await (await client.get("/sim/state")).json()
    openid = state["citizens"][0]["openid"]
    stream = Stream(client)

    async def tap(**body: object) -> str:
        response = await client.post("/sim/mp", json={"openid": openid, **body})
        assert response.status == 200
        answer = await response.json()
        assert answer["status"] == 200
        return answer["reply"]

    assert "举报须知" in await tap(type="menu", key="REPORT")
    shown = await stream.until(passive("citizen", openid, "举报须知"))
    assert shown["api"] == "被动回复"
    await tap(type="text", text="1")
    assert "单位名称" in await tap(type="location", index=0)  # 塘桥镇南京路18号
    await tap(type="text", text="宏达化工的危化品仓库")
    await tap(type="text", text="仓库外堆满了油漆桶，消防通道被堵死，灭火器也过期了。")
    assert "第2件证据（照片）" in await tap(type="image", index=0)  # the place is the 1st
    assert "第3件证据（语音）" in await tap(type="voice")
    await tap(type="text", text="完成")
    await tap(type="text", text="2")
    number = NUMBER.search(await tap(type="text", text="1")).group(1)
    await stream.until(passive("citizen", openid, number))
    kinds = [e["kind"] for e in stream.events if e["pane"] == "citizen" and e["side"] == "user"]
    assert kinds[:7] == ["menu", "text", "location", "text", "text", "image", "voice"]

    headers = {"Authorization": f"Bearer {tokens['wang']}"}
    filed = await (await client.get(f"/api/v1/reports/{number}", headers=headers)).json()
    assert filed["town"] == "塘桥镇" and filed["status"] == "received"
    async with sessions() as session:
        report_id = await session.scalar(select(Report.id).where(Report.number == number))
        evidence = await session.scalars(
            select(Evidence.kind).where(Evidence.report_id == report_id)
        )
        assert sorted(evidence) == ["image", "location", "voice"]
    accepted = await client.post(
        f"/api/v1/reports/{number}/actions", json={"action": "accept"}, headers=headers
    )
    officer = (await accepted.json())["assignee"]["wework_id"]
    card = await stream.until(lambda e: e["pane"] == "group" and number in e["text"])
    assert card["api"] == "/cgi-bin/appchat/send" and openid not in card["text"]
    told = await stream.until(lambda e: e["pane"] == "officer" and number in e["text"])
    assert told["party"] == officer

    response = await client.post("/sim/work", json={"user": officer, "text": f"接收 {number}"})
    assert (await response.json())["status"] == 200
    await stream.until(passive("officer", officer, number))
    report = await (await client.get(f"/api/v1/reports/{number}", headers=headers)).json()
    assert report["status"] == "investigating"
    staff_side = [e for e in stream.events if e["pane"] in ("group", "officer")]
    assert staff_side and all(openid not in e["text"] for e in staff_side)


REFUSALS = [  # path, body, status, words of the message
    ("/sim/mp", {"openid": "o-nobody", "type": "text", "text": "举报"}, 404, "没有这位市民"),
    ("/sim/mp", {"openid": "o-demo-zhou", "type": "fax"}, 422, "type"),
    ("/sim/mp", {"openid": "o-demo-zhou", "type": "image", "index": 99}, 422, "index"),
    ("/sim/mp", {"openid": "o-demo-zhou", "type": "image", "index": True}, 422, "index"),
    ("/sim/mp", {"openid": "o-demo-zhou", "type": "menu", "key": "NEWS"}, 422, "菜单"),
    ("/sim/mp", {"openid": "o-demo-zhou", "type": "text", "text": "字" * 2001}, 422, "过长"),
    ("/sim/mp", {"openid": "o-demo-zhou", "type": "text", "text": " "}, 422, "text"),
    ("/sim/mp", ["not", "an", "object"], 422, "JSON"),
    ("/sim/work", {"user": "nobody", "text": "我的"}, 404, "没有这位执法人员"),
    ("/sim/work", {"user": "zhangwei"}, 422, "text"),
    ("/sim/citizens", {"nickname": "名" * 21}, 422, "过长"),
]


async def test_the_simulator_refuses_what_it_cannot_send_and_sends_nothing(
    aiohttp_client, settings, sessions
):
    client, _ = await start_demo(aiohttp_client, settings)
    logged = select(func.count()).select_from(InboundMessage)
    async with sessions() as session:
        before = await session.scalar(logged)  # the live reports' citizens' messages (seed)
    for path, body, status, words in REFUSALS:
        response = await client.post(path, json=body)
        refusal = await response.json()
        assert (response.status, words in refusal["message"]) == (status, True), (path, body)
        assert refusal["error"] == ("not_found" if status == 404 else "invalid")
    async with sessions() as session:
        assert await session.scalar(logged) == before


async def test_a_body_that_is_not_json_is_refused(aiohttp_client, settings):
    client, _ = await start_demo(aiohttp_client, settings)
    response = await client.post("/sim/mp", data=b"\xff{", headers={"Content-Type": "text/plain"})
    assert response.status == 422 and (await response.json())["error"] == "invalid"


async def test_a_new_citizen_is_listed_and_can_speak(aiohttp_client, settings):
    client, _ = await start_demo(aiohttp_client, settings)
    citizen = await (await client.post("/sim/citizens", json={"nickname": " 小王 "})).json()
    assert citizen["nickname"] == "小王" and citizen["openid"].startswith("o-sim-")
    state = await (await client.get("/sim/state")).json()
    assert citizen in state["citizens"]
    response = await client.post(
        "/sim/mp", json={"openid": citizen["openid"], "type": "menu", "key": "QUERY"}
    )
    assert "没有" in (await response.json())["reply"]  # he has filed nothing yet


async def test_a_reconnecting_browser_gets_only_what_it_has_not_seen(aiohttp_client, settings):
    client, _ = await start_demo(aiohttp_client, settings)
    for text in ("帮助", "取消"):
        await client.post("/sim/mp", json={"openid": "o-demo-lin", "type": "text", "text": text})
    first = Stream(client)
    await first.until(passive("citizen", "o-demo-lin", "没有正在填写"))
    seen = first.events[-1]["seq"]
    await client.post("/sim/mp", json={"openid": "o-demo-lin", "type": "text", "text": "你好"})
    again = Stream(client)
    again.last = seen - 1  # as EventSource sends Last-Event-ID
    event = await again.until(lambda e: True)
    assert event["seq"] == seen  # nothing before the last one it names
    later = await again.until(lambda e: e["side"] == "user" and e["text"] == "你好")
    assert [e["seq"] for e in again.events] == list(range(seen, later["seq"] + 1))


async def test_the_clock_moves_forward_and_what_falls_due_arrives_after_its_note(
    aiohttp_client, settings
):
    client, _ = await start_demo(aiohttp_client, settings)
    state = await (await client.get("/sim/state")).json()
    assert state["clock"]["offset_days"] == 0 and state["clock"]["next"].startswith("下一个期限")
    stream = Stream(client)
    response = await client.post("/sim/clock", json={"step": "week"})
    moved = await response.json()
    assert response.status == 200 and moved["offset_days"] == 7.0
    assert "时间已快进到" in moved["summary"] and moved["reminders_sent"] > 0
    note = await stream.until(lambda e: e["kind"] == "clock")
    done = await stream.until(lambda e: e["kind"] == "clock-summary")
    assert note["text"] == "时间快进 1 周" and done["extra"]["summary"] == moved["summary"]
    between = [e for e in stream.events if note["seq"] < e["seq"] < done["seq"]]
    reminders = [e for e in between if "期限" in e["text"] and e["pane"] in ("officer", "group")]
    assert reminders  # the live reports' reminders and escalations, after the note
    assert (await (await client.get("/sim/state")).json())["clock"]["offset_days"] == 7.0


async def test_the_clock_refuses_a_step_it_does_not_offer(aiohttp_client, settings):
    client, _ = await start_demo(aiohttp_client, settings)
    for step in ("back", "", 7, None):
        response = await client.post("/sim/clock", json={"step": step})
        assert response.status == 422 and "step" in (await response.json())["message"]
    assert (await (await client.get("/sim/state")).json())["clock"]["offset_days"] == 0
