"""Registering a caller's report in the console: the form (channels, categories, the registered
towns), the confirmation that shows the number and the query code once, the report page
showing where it came from, reveal for a named caller, and every refusal."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from complaints.intake_submissions import erase_codes
from complaints.models import IntakeSubmission
from tests.console.test_report_pages import report_page
from tests.console.test_sign_in import CSRF, log_in
from tests.staff import StaffApi

CALL = {
    "channel": "phone",
    "category": "injury",
    "town": "塘桥镇",
    "place": "塘桥镇东街一家无名五金加工作坊",
    "details": "两人受伤，今天上午",
    "description": "货架倒塌砸伤两名工人，老板不让报警。",
}
CODE = re.compile(r'<dd class="code">(\d{4} \d{4} \d{4} \d{4})</dd>')
NUMBER = re.compile(r'<dd class="code">(ZJG-\d{4}-\d{6})</dd>')


@pytest.fixture
async def console(client, sessions, clock, towns):  # type: ignore[no-untyped-def]
    staff = StaffApi(client, sessions, clock)
    await staff.add("wang", "dispatcher")
    await staff.add("li", "leader")
    await staff.add("zhangwei", "officer", wework_id="zhangwei")
    return client


async def register(client, **fields: str):  # type: ignore[no-untyped-def]
    form = await client.get("/console/reports/new")
    token = CSRF.search(await form.text()).group(1)
    return await client.post("/console/reports/new", data={"csrf_token": token, **fields})


async def total(client) -> str:  # type: ignore[no-untyped-def]
    html = await (await client.get("/console/reports")).text()
    return re.search(r"共 (\d+) 件", html).group(1)


async def test_the_list_offers_the_form_and_the_form_offers_channels_and_towns(console, towns):
    await log_in(console, "wang")
    listing = await (await console.get("/console/reports")).text()
    assert 'href="/console/reports/new"' in listing and "登记来电来访" in listing
    response = await console.get("/console/reports/new")
    html = await response.text()
    assert response.status == 200 and 'name="csrf_token"' in html
    for label in ("电话（12350）", "来访", "来信", "电子邮件", "事故隐患", "瞒报谎报事故"):
        assert label in html
    assert all(f'<option value="{town}"' in html for town in towns)
    for field in ("place", "description", "name", "phone"):
        assert f'name="{field}"' in html


@pytest.mark.parametrize(
    ("channel", "label"),
    [("phone", "电话（12350）"), ("visit", "来访"), ("letter", "来信"), ("email", "电子邮件")],
)
async def test_a_call_is_registered_and_its_code_shown_once(console, channel, label):
    await log_in(console, "wang")
    response = await register(console, **CALL | {"channel": channel})
    html = await response.text()
    assert response.status == 201 and response.headers["Cache-Control"] == "no-store"
    number, code = NUMBER.search(html).group(1), CODE.search(html).group(1)
    assert "查询码只显示这一次" in html and "2026年12月12日" in html
    status, page = await report_page(console, number)
    assert status == 200 and f"<dt>来源</dt><dd>{label} " in page and "收不到公众号通知" in page
    assert "受伤或事故" in page and "两人受伤" in page and code not in page
    assert "<strong>提交举报</strong> · wang" in page and f"{label}登记，匿名举报" in page
    assert "查看举报人身份" not in page  # anonymous: nothing to reveal


async def test_a_named_caller_is_revealed_only_by_reveal(console):
    await log_in(console, "wang")
    html = await (await register(console, **CALL, name="王秘密", phone="139-1234-5678")).text()
    number = NUMBER.search(html).group(1)
    assert "王秘密" not in html and "（实名）" in html
    _, page = await report_page(console, number)
    assert "王秘密" not in page and "13912345678" not in page and "查看举报人身份" in page
    token = CSRF.search(page).group(1)
    shown = await console.post(
        f"/console/reports/{number}/reveal", data={"csrf_token": token, "reason": "回访举报人"}
    )
    text = await shown.text()
    assert shown.status == 200 and "王秘密" in text and "13912345678" in text


async def test_a_wrong_field_is_shown_on_the_form_with_what_was_typed(console):
    await log_in(console, "wang")
    refused = await register(console, **CALL | {"description": "", "name": "王建国"})
    html = await refused.text()
    assert refused.status == 422 and 'role="alert"' in html
    assert "请填写具体情况（description）" in html
    assert 'value="塘桥镇东街一家无名五金加工作坊"' in html and 'value="王建国"' in html
    bad_phone = await register(console, **CALL, name="王建国", phone="1234")
    assert bad_phone.status == 422 and "手机号码（phone）" in await bad_phone.text()
    assert await total(console) == "0"


async def test_a_form_without_its_csrf_token_is_refused_and_nothing_is_kept(console):
    await log_in(console, "wang")
    refused = await console.post("/console/reports/new", data=CALL, allow_redirects=False)
    assert refused.status == 403
    assert await total(console) == "0"


@pytest.mark.parametrize("who", ["li", "zhangwei"])
async def test_only_a_dispatcher_registers_calls(console, who):
    await log_in(console, "wang")
    token = CSRF.search(await (await console.get("/console/reports/new")).text()).group(1)
    await log_in(console, who)
    listing = await (await console.get("/console/reports")).text()
    assert "登记来电来访" not in listing
    assert (await console.get("/console/reports/new")).status == 403
    mine = CSRF.search(listing).group(1)
    for csrf in (token, mine):
        posted = await console.post("/console/reports/new", data={"csrf_token": csrf, **CALL})
        assert posted.status == 403 and "只有信访办可以登记来电来访" in await posted.text()
    await log_in(console, "wang")
    assert await total(console) == "0"


FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


async def fill_in(client) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The form as the browser holds it: its CSRF token and its own form token."""
    html = await (await client.get("/console/reports/new")).text()
    return {
        "csrf_token": CSRF.search(html).group(1),
        "form_token": FORM_TOKEN.search(html).group(1),
    }


async def test_the_same_form_sent_again_files_nothing_and_shows_what_it_filed(console, clock):
    """A reload of the confirmation page (the browser sends the form again), within the 10
    minutes the code is kept: one report, the same number and code shown again."""
    await log_in(console, "wang")
    form = await fill_in(console) | CALL
    first = await console.post("/console/reports/new", data=form)
    html = await first.text()
    number, code = NUMBER.search(html).group(1), CODE.search(html).group(1)
    clock.advance(timedelta(minutes=9))
    again = await console.post("/console/reports/new", data=form)
    page = await again.text()
    assert first.status == 201 and again.status == 200
    assert "这张登记表已经提交过，没有重复登记" in page
    assert NUMBER.search(page).group(1) == number and CODE.search(page).group(1) == code
    assert await total(console) == "1"
    another = await console.post("/console/reports/new", data=await fill_in(console) | CALL)
    assert another.status == 201 and NUMBER.search(await another.text()).group(1) != number
    assert await total(console) == "2"  # a new form is a new report


async def test_a_double_click_files_one_report(console):
    await log_in(console, "wang")
    form = await fill_in(console) | CALL
    both = await asyncio.gather(*(console.post("/console/reports/new", data=form) for _ in "12"))
    pages = [await response.text() for response in both]
    assert sorted(response.status for response in both) == [200, 201]
    assert len({NUMBER.search(page).group(1) for page in pages}) == 1
    assert len({CODE.search(page).group(1) for page in pages}) == 1  # shown on whichever lands
    assert await total(console) == "1"


async def test_after_ten_minutes_a_resent_form_shows_the_number_but_no_code(
    console, clock, sessions
):  # type: ignore[no-untyped-def]
    await log_in(console, "wang")
    form = await fill_in(console) | CALL
    number = NUMBER.search(await (await console.post("/console/reports/new", data=form)).text())
    clock.advance(timedelta(minutes=11))
    async with sessions.begin() as session:
        assert await erase_codes(session, clock.now()) == 1  # the job's run, a minute later
        assert await session.scalar(select(IntakeSubmission.code_enc)) is None
    again = await console.post("/console/reports/new", data=form)
    page = await again.text()
    assert again.status == 200 and NUMBER.search(page).group(1) == number.group(1)
    assert CODE.search(page) is None and "查询码只在登记时显示，现已无法再次查看" in page
    assert await total(console) == "1"


async def test_a_wrong_field_keeps_the_form_token_so_the_corrected_form_files_once(console):
    await log_in(console, "wang")
    form = await fill_in(console) | CALL
    wrong = await console.post("/console/reports/new", data=form | {"description": "太短"})
    assert wrong.status == 422
    assert FORM_TOKEN.search(await wrong.text()).group(1) == form["form_token"]
    assert (await console.post("/console/reports/new", data=form)).status == 201
    assert (await console.post("/console/reports/new", data=form)).status == 200
    assert await total(console) == "1"


@pytest.mark.parametrize(
    "token", ["short", "x" * 65, "有中文的令牌有中文的令牌有中文的令牌", "a b c d e f g h i"]
)
async def test_a_form_token_no_form_of_ours_carries_is_refused_and_files_nothing(console, token):
    await log_in(console, "wang")
    form = await fill_in(console) | CALL | {"form_token": token}
    refused = await console.post("/console/reports/new", data=form)
    page = await refused.text()
    assert refused.status == 422 and "这张登记表已失效" in page
    assert await total(console) == "0"
    fresh = FORM_TOKEN.search(page).group(1)  # the form comes back with a token of ours
    assert fresh != token
    again = await console.post("/console/reports/new", data=form | {"form_token": fresh})
    assert again.status == 201 and await total(console) == "1"
