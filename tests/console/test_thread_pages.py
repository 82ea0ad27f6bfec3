"""The report page's thread with the reporter and internal notes as staff use them: a message
is kept, shown and queued for the reporter; a note is kept and sent nowhere; CSRF, roles,
scope, reports taken by phone and bad text are refused on the page and change nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.console.test_sign_in import CSRF, log_in
from tests.thread_helpers import queued, stored, without_openid


@pytest.fixture
async def console(client, staff):  # type: ignore[no-untyped-def]
    return client


async def report_page(client, number: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    response = await client.get(f"/console/reports/{number}")
    return response.status, await response.text()


async def post(client, number: str, what: str, text: str, *, token: bool = True):  # type: ignore[no-untyped-def]
    """Post `text` by the report page's form (`what`: messages or notes), as a browser does."""
    data = {"text": text}
    if token:
        _, html = await report_page(client, number)
        data["csrf_token"] = CSRF.search(html).group(1)
    return await client.post(f"/console/reports/{number}/{what}", data=data, allow_redirects=False)


def section(html: str, title: str) -> str:
    """The part of the page from the heading `title` to the next section."""
    return html.split(f"<h2>{title}")[1].split("</section>")[0]


async def test_a_message_is_kept_shown_and_queued_for_the_reporter(console, reports, sessions):
    filed = await reports.filed(openid="o-thread")
    await log_in(console, "wang")
    sent = await post(console, filed.number, "messages", "请问堵塞的是哪一个仓库的通道？")
    assert sent.status == 303 and sent.headers["Location"] == f"/console/reports/{filed.number}"
    _, html = await report_page(console, filed.number)
    thread = section(html, "与举报人沟通")
    assert "请问堵塞的是哪一个仓库的通道？" in thread and "wang" in thread
    assert "2026-11-27 10:00" in thread  # shown in local time
    [message] = await queued(sessions, "staff-message:")
    assert message.channel == "mp_custom"  # inside the 48-hour window of his confirmation
    assert f"关于您的举报 {filed.number} 的工作人员留言" in message.text
    assert f"回复 {filed.number} 内容" in message.text
    assert "请问堵塞的是哪一个仓库的通道？" in message.text


async def test_a_note_is_kept_for_staff_and_sent_nowhere(console, reports, sessions):
    filed = await reports.filed()
    await log_in(console, "li")
    saved = await post(console, filed.number, "notes", "与安监站核实过，该作坊无营业执照。")
    assert saved.status == 303
    _, html = await report_page(console, filed.number)
    assert "与安监站核实过" in section(html, "内部备注")
    assert "与安监站核实过" not in section(html, "与举报人沟通")
    assert await queued(sessions, "staff-message:") == []
    assert await stored(sessions, filed.number) == [("note", "与安监站核实过，该作坊无营业执照。")]


async def test_the_thread_is_in_time_order_with_the_reporters_replies_marked(
    console, reports, wechat, clock
):
    filed = await reports.filed(openid="o-order")
    await log_in(console, "wang")
    await post(console, filed.number, "messages", "第一条：请说明具体位置。")
    clock.advance(timedelta(minutes=30))
    assert "已收到您对" in await wechat.say("o-order", f"回复 {filed.number} 在仓库后门东侧")
    clock.advance(timedelta(minutes=30))
    await post(console, filed.number, "messages", "第二条：收到，我们会去核查。")
    _, html = await report_page(console, filed.number)
    thread = section(html, "与举报人沟通")
    first, reply, second = (thread.index(t) for t in ("第一条", "在仓库后门东侧", "第二条"))
    assert first < reply < second
    assert "举报人" in thread[first:reply] and "o-order" not in html


async def test_a_form_without_its_csrf_token_is_refused_and_keeps_nothing(
    console, reports, sessions
):
    filed = await reports.filed()
    await log_in(console, "wang")
    for what in ("messages", "notes"):
        refused = await post(console, filed.number, what, "不应保存", token=False)
        assert refused.status == 403
    assert await stored(sessions, filed.number) == []
    assert await queued(sessions, "staff-message:") == []


async def test_an_officer_writes_in_his_scope_and_finds_nothing_outside(console, reports, sessions):
    mine = await reports.advanced("assigned", by="zhangwei")
    elsewhere = await reports.filed(town="杨舍镇")
    await log_in(console, "zhangwei")
    assert (await post(console, mine.number, "messages", "明天上午到现场。")).status == 303
    assert (await post(console, mine.number, "notes", "需带检测仪。")).status == 303
    # The token is the session's: taken from his own report's page, posted to the other.
    _, html = await report_page(console, mine.number)
    token = CSRF.search(html).group(1)
    for what in ("messages", "notes"):
        outside = await console.post(
            f"/console/reports/{elsewhere.number}/{what}",
            data={"csrf_token": token, "text": "越权"},
            allow_redirects=False,
        )
        assert outside.status == 404
    assert await stored(sessions, elsewhere.number) == []


async def test_an_auditor_reads_thread_and_notes_without_forms(console, reports, sessions):
    filed = await reports.filed()
    await log_in(console, "wang")
    await post(console, filed.number, "messages", "请补充照片。")
    await post(console, filed.number, "notes", "内部：优先处理。")
    await log_in(console, "zhao")
    status, html = await report_page(console, filed.number)
    assert status == 200 and "请补充照片。" in html and "内部：优先处理。" in html
    assert "/messages" not in html and "/notes" not in html  # no forms
    token = CSRF.search(html).group(1)
    for what in ("messages", "notes"):
        refused = await console.post(
            f"/console/reports/{filed.number}/{what}",
            data={"csrf_token": token, "text": "审计不应能写"},
            allow_redirects=False,
        )
        assert refused.status == 403 and "您的角色不能" in await refused.text()
    assert len(await stored(sessions, filed.number)) == 2


async def test_finance_cannot_write_on_a_report(console, reports, sessions):
    filed = await reports.filed()
    await log_in(console, "qian")
    token = CSRF.search(await (await console.get("/console/")).text()).group(1)
    refused = await console.post(
        f"/console/reports/{filed.number}/messages",
        data={"csrf_token": token, "text": "财务留言"},
        allow_redirects=False,
    )
    assert refused.status == 403
    assert await stored(sessions, filed.number) == []


async def test_a_report_taken_by_phone_cannot_be_messaged_but_takes_notes(
    console, reports, sessions
):
    filed = await reports.filed()
    await without_openid(sessions, filed.number)
    await log_in(console, "wang")
    _, html = await report_page(console, filed.number)
    assert "该举报经电话等渠道受理，无法通过微信留言" in section(html, "与举报人沟通")
    assert f"/console/reports/{filed.number}/messages" not in html
    refused = await post(console, filed.number, "messages", "请补充照片。")
    assert refused.status == 422
    assert "该举报经电话等渠道受理，无法通过微信留言" in await refused.text()
    assert (await post(console, filed.number, "notes", "来电人要求回电。")).status == 303
    assert await stored(sessions, filed.number) == [("note", "来电人要求回电。")]
    assert await queued(sessions, "staff-message:") == []


@pytest.mark.parametrize(
    ("text", "said"),
    [("   ", "留言内容不能为空"), ("字" * 1001, "留言内容不能超过1000字")],
)
async def test_empty_or_too_long_text_is_refused_on_the_page(
    console, reports, sessions, text, said
):
    filed = await reports.filed()
    await log_in(console, "wang")
    refused = await post(console, filed.number, "messages", text)
    page = await refused.text()
    assert refused.status == 422 and 'role="alert"' in page and said in page
    assert await stored(sessions, filed.number) == []


async def test_what_staff_and_reporters_wrote_is_shown_escaped(console, reports, wechat):
    filed = await reports.filed(openid="o-script")
    await log_in(console, "wang")
    await post(console, filed.number, "notes", "<b>粗体</b>备注")
    await wechat.say("o-script", f"回复 {filed.number} <script>alert('x')</script>")
    _, html = await report_page(console, filed.number)
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    assert "<b>粗体</b>" not in html and "&lt;b&gt;粗体&lt;/b&gt;备注" in html
