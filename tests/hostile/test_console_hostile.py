"""Hostile console forms and query strings, signed in with a valid CSRF token so they reach the
handlers: never a 500, and a refused form (4xx) writes nothing."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.hostile.conftest import HOSTILE, row_counts
from tests.staff import PASSWORD

CSRF = 'name="csrf_token" value="'
ANY_TEXT = st.text(
    st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=("Cs",)),
    max_size=30,
)
VALUES = ANY_TEXT | st.sampled_from(
    ["\x00", "²", "0", "-1", str(2**63), "9" * 5000, "1e30", "NaN", "accept", "record", "close",
     "substantiated", "塘桥镇", "hazard", "phone", "13800138000", "张三", "2026-11-27", "]]>"]
)  # fmt: skip
NAMES = st.sampled_from(
    ["action", "note", "reason", "fine", "deaths", "days", "to", "assignee", "duplicate_of",
     "case_number", "finding", "summary", "text", "amount", "category", "channel", "town",
     "place", "description", "details", "name", "phone", "username", "role", "password", "totp",
     "x"]
)  # fmt: skip
POSTS = [
    "/console/reports/new",
    "/console/reports/{n}/actions",
    "/console/reports/{n}/reveal",
    "/console/reports/{n}/messages",
    "/console/reports/{n}/notes",
    "/console/rewards/{n}/actions",
    "/console/rewards/{n}/payee",
    "/console/registry/users",
    "/console/account/totp",
]
GETS = [
    "/console/reports",
    "/console/reports.csv",
    "/console/rewards",
    "/console/audit",
    "/console/registry/enterprises",
    "/console/reports/{n}",
    "/console/reports/{n}/evidence/{v}",
    "/console/stats",
]


@pytest.fixture
async def signed_in(client, staff, reports):  # type: ignore[no-untyped-def]
    """wang (dispatcher) signed in; (his form token, an assigned report, a closed report)."""
    login = await client.get("/console/login")
    token = (await login.text()).split(CSRF)[1].split('"')[0]
    response = await client.post(
        "/console/login",
        data={"username": "wang", "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
    )
    assert response.status == 303
    page = await (await client.get("/console/account")).text()
    numbers = [(await reports.advanced(s)).number for s in ("assigned", "closed")]
    await client.get(f"/console/rewards/{numbers[1]}")  # the first read opens its reward
    return page.split(CSRF)[1].split('"')[0], numbers


async def answered(response, sessions, before) -> None:  # type: ignore[no-untyped-def]
    text = await response.text()
    assert response.status < 500, text[:500]
    assert "Traceback" not in text
    if response.status >= 400:
        assert await row_counts(sessions) == before


@given(
    route=st.sampled_from(POSTS),
    which=st.sampled_from([0, 1]),
    form=st.lists(st.tuples(NAMES, VALUES), max_size=6),
)
@HOSTILE
async def test_hostile_console_forms_never_answer_500(
    client, sessions, signed_in, route, which, form
):
    token, numbers = signed_in
    before = await row_counts(sessions)
    data = [*form, ("csrf_token", token)]
    response = await client.post(route.format(n=numbers[which]), data=data, allow_redirects=False)
    await answered(response, sessions, before)


@given(
    route=st.sampled_from(GETS),
    value=VALUES,
    params=st.lists(st.tuples(NAMES | st.sampled_from(["page", "q", "year"]), VALUES), max_size=4),
)
@HOSTILE
async def test_hostile_console_queries_never_answer_500(
    client, sessions, signed_in, route, value, params
):
    _, numbers = signed_in
    path = route.format(n=numbers[0], v=quote(value, safe="") or "1")
    query = "&".join(f"{quote(k)}={quote(v, safe='')}" for k, v in params)
    before = await row_counts(sessions)
    response = await client.get(f"{path}?{query}", allow_redirects=False)
    await answered(response, sessions, before)


@pytest.mark.parametrize("value", ["\x00", "塘桥镇\x00", "\x00' OR 1=1"])
async def test_a_nul_byte_in_a_console_form_or_query_is_a_422_page(
    client, sessions, signed_in, value
):
    token, numbers = signed_in
    before = await row_counts(sessions)
    for name in ("town", "q", "enterprise"):
        response = await client.get(f"/console/reports?{name}={quote(value)}")
        assert response.status == 422 and "不允许的字符" in await response.text(), name
    for route, field in (("notes", "text"), ("messages", "text"), ("actions", "note")):
        response = await client.post(
            f"/console/reports/{numbers[0]}/{route}",
            data={"action": "transfer", "to": "市应急管理局", field: value, "csrf_token": token},
        )
        assert response.status == 422, route
    assert await row_counts(sessions) == before
