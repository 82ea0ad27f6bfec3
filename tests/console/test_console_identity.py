"""The reporter's identity never leaks (SPEC §10, §11): an officer in whose scope a named report
lies and an auditor open its page, the list, the list's CSV and XLSX, the dashboard and the
statistics with their CSV and XLSX, and find neither the reporter's name, nor phone, nor openid
in any of them; finance opens no report page; the payee's details appear only in the answer to
finance's audited payee request."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.console.test_reward_pages import PAYEE, SUBSTANTIATED, claimed, post_action
from tests.console.test_sign_in import CSRF, log_in
from tests.staff import StaffApi

NAME, PHONE, OPENID = "钱多多", "13912345678", "o-qianduoduo"
STAFF = {
    "wang": "dispatcher",
    "li": "leader",
    "qian": "finance",
    "zhao": "auditor",
    "root": "admin",
}
PAYEE_DATA = (PAYEE.name, PAYEE.resident_id, PAYEE.account)


@pytest.fixture
async def named(client, sessions, clock, towns, reports):  # type: ignore[no-untyped-def]
    """A named report closed with a fine in 塘桥镇 (zhangwei's scope), in this month."""
    staff = StaffApi(client, sessions, clock)
    for username, role in STAFF.items():
        await staff.add(username, role)
    await staff.add("zhangwei", "officer", wework_id="zhangwei")
    report = await reports.advanced(
        "closed", conclusion=SUBSTANTIATED, name=NAME, phone=PHONE, openid=OPENID
    )
    return report.number


def text_of(body: bytes, content_type: str) -> str:
    """What a reader sees in an answer: an XLSX's every cell, else the text."""
    if "spreadsheetml" not in content_type:
        return body.decode("utf-8-sig")
    book = load_workbook(io.BytesIO(body), read_only=True)
    return "\n".join(
        str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
        for cell in row if cell is not None
    )  # fmt: skip


async def seen(client, path: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    response = await client.get(path)
    return response.status, text_of(await response.read(), response.content_type)


def pages(number: str) -> list[str]:
    return [
        f"/console/reports/{number}", "/console/reports", "/console/reports.csv",
        "/console/reports.xlsx", "/console/", "/console/stats", "/console/stats.csv",
        "/console/stats.xlsx", f"/console/rewards/{number}", "/console/rewards",
    ]  # fmt: skip


@pytest.mark.parametrize("username", ["zhangwei", "zhao", "qian", "wang", "li", "root"])
async def test_no_page_or_download_shows_the_reporter(client, named, username):  # type: ignore[no-untyped-def]
    await log_in(client, username)
    answered = {}
    for path in pages(named):
        status, text = await seen(client, path)
        answered[path] = status
        assert NAME not in text and PHONE not in text and OPENID not in text, path
    if username in ("zhangwei", "zhao"):  # they read the report and its list and exports
        assert {answered[path] for path in pages(named)[:4]} == {200}
    if username == "zhao":
        assert {answered[path] for path in pages(named)[4:]} == {200}
    if username == "qian":
        assert answered[f"/console/reports/{named}"] == 403


async def test_the_identity_is_on_the_page_only_after_a_reveal(client, named):  # type: ignore[no-untyped-def]
    """The other side of the test above: the same name and phone do show once revealed."""
    await log_in(client, "wang")
    html = await (await client.get(f"/console/reports/{named}")).text()
    revealed = await client.post(
        f"/console/reports/{named}/reveal",
        data={"csrf_token": CSRF.search(html).group(1), "reason": "回访举报人"},
    )
    text = await revealed.text()
    assert revealed.status == 200 and NAME in text and PHONE in text
    assert NAME not in await (await client.get(f"/console/reports/{named}")).text()


async def test_the_payee_is_shown_only_in_the_answer_to_finances_request(  # type: ignore[no-untyped-def]
    client, named, sessions, settings, clock
):
    await log_in(client, "wang")
    assert (await post_action(client, named, action="propose", amount="15000")).status == 303
    await log_in(client, "li")
    assert (await post_action(client, named, action="approve")).status == 303
    await claimed(sessions, settings, clock, named)
    for username in ("wang", "li", "zhao", "qian"):
        await log_in(client, username)
        for path in (f"/console/rewards/{named}", "/console/rewards", f"/console/reports/{named}"):
            _, text = await seen(client, path)
            assert not any(data in text for data in PAYEE_DATA), (username, path)
    html = await (await client.get(f"/console/rewards/{named}")).text()  # qian, finance
    shown = await client.post(
        f"/console/rewards/{named}/payee",
        data={"csrf_token": CSRF.search(html).group(1), "reason": "发放奖金"},
    )
    text = await shown.text()
    assert shown.status == 200 and all(data in text for data in PAYEE_DATA)
    assert shown.headers["Cache-Control"] == "no-store"
    _, again = await seen(client, f"/console/rewards/{named}")
    assert not any(data in again for data in PAYEE_DATA)
