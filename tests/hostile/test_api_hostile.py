"""Hostile query strings, paths and JSON bodies on every API route, for every role: never a
500, every refusal the API's {"error", "message"} with a 4xx, and a refusal writes nothing."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.hostile.conftest import HOSTILE, row_counts

WHO = [None, "wang", "li", "qian", "zhao", "root", "zhangwei"]
ANY_CHAR = st.characters(min_codepoint=0, max_codepoint=0x10FFFF)  # lone surrogates too
HOSTILE_TEXT = st.one_of(
    st.text(ANY_CHAR, max_size=20),
    st.sampled_from(
        ["\x00", "塘桥\x00镇", "²", "١٢", "0", "-1", "1e3", str(2**63), str(10**20), str(10**25),
         "9" * 5000, "true", "NaN", "'; DROP TABLE reports; --", "%", "_", "\\", "\ud800"]
    ),
)  # fmt: skip
QUERY_NAMES = st.sampled_from(
    ["page", "status", "town", "category", "overdue", "enterprise", "urgent", "channel", "q",
     "year", "quarter", "kind", "x"]
)  # fmt: skip
JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=False, allow_infinity=False),
    HOSTILE_TEXT.filter(lambda text: text < "\ud800" or True),
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(HOSTILE_TEXT, children),
    max_leaves=12,
)
FIELDS = st.sampled_from(
    ["action", "fine", "deaths", "days", "note", "reason", "amount", "to", "assignee",
     "duplicate_of", "case_number", "case_filed", "grade", "finding", "summary", "text", "kind",
     "category", "channel", "town", "place", "description", "details", "name", "phone",
     "method", "reference", "paid_on"]
)  # fmt: skip
ACTIONS = st.sampled_from(
    ["accept", "reject", "transfer", "merge", "assign", "take", "return", "progress", "conclude",
     "record", "close", "extend", "reopen", "propose", "approve", "refuse", "exclude", "claim",
     "pay", "waive", ""]
)  # fmt: skip


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    """A JSON body: an object of the routes' own fields with hostile values, any JSON value,
    or text that only looks like JSON (deep, huge numbers, NaN, broken encodings)."""
    shape = draw(st.sampled_from(["fields", "any", "raw"]))
    if shape == "fields":
        body = {"action": draw(ACTIONS)} | draw(st.dictionaries(FIELDS, JSON_VALUES, max_size=5))
        return json.dumps(body, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")
    if shape == "any":
        return json.dumps(draw(JSON_VALUES)).encode()
    return draw(
        st.sampled_from(
            [deep(100_000).encode(), b'{"a":' + deep(33).encode() + b"}", b"9" * 5000,
             b'{"action": "record", "fine": ' + b"9" * 5000 + b"}", b'{"fine": NaN}',
             b'{"fine": Infinity}', b'{"deaths": 1e999}', b"\xff\xfe", b"", b"{", b'"\\u0000"',
             b'{"note": "\\ud800"}', b'{"note": "\\u0000"}']
        )
        | st.binary(max_size=40)
    )  # fmt: skip


def path_segment(number: str) -> str:
    return quote(number, safe="")


async def check_answer(response, before, sessions) -> None:  # type: ignore[no-untyped-def]
    """A 2xx, or a 4xx in the API's refusal shape that wrote nothing; never a 500."""
    text = await response.text()
    assert response.status < 500, text
    assert "Traceback" not in text
    if response.status >= 400:
        body = json.loads(text)
        assert set(body) == {"error", "message"} and body["message"], body
        assert await row_counts(sessions) == before


@pytest.fixture
async def numbers(reports, staff) -> list[str]:  # type: ignore[no-untyped-def]
    """An assigned report, a closed one (whose reward the reward routes read) and a concluded
    one (whose case fields a dispatcher records)."""
    found = [await reports.advanced(status) for status in ("assigned", "closed", "concluded")]
    return [report.number for report in found]


@given(
    who=st.sampled_from(WHO),
    route=st.sampled_from(["/api/v1/reports", "/api/v1/rewards", "/api/v1/stats", "messages"]),
    params=st.lists(st.tuples(QUERY_NAMES, HOSTILE_TEXT), max_size=4),
)
@HOSTILE
async def test_query_strings_never_answer_500(client, staff, sessions, numbers, who, route, params):
    if route == "messages":
        route = f"/api/v1/reports/{numbers[0]}/messages"
    query = "&".join(
        f"{quote(k)}={quote(v.encode('utf-8', 'surrogatepass'), safe='')}" for k, v in params
    )
    before = await row_counts(sessions)
    response = await client.get(f"{route}?{query}", headers=staff._headers(who))
    await check_answer(response, before, sessions)


@given(
    who=st.sampled_from(WHO),
    route=st.sampled_from(
        ["/api/v1/reports", "{n}/actions", "{n}/reveal", "{n}/messages", "rewards/{n}/actions",
         "rewards/{n}/payee"]
    ),
    which=st.sampled_from([0, 1, None]),
    body=bodies(),
)  # fmt: skip
@HOSTILE
async def test_json_bodies_never_answer_500(
    client, staff, sessions, numbers, who, route, which, body
):
    number = "JB\x00" if which is None else numbers[which]
    if route.startswith("rewards/"):
        route = "/api/v1/" + route.format(n=path_segment(number))
    elif route.startswith("{n}"):
        route = "/api/v1/reports/" + route.format(n=path_segment(number))
    before = await row_counts(sessions)
    headers = staff._headers(who) | {"Content-Type": "application/json"}
    response = await client.post(route, data=body, headers=headers)
    await check_answer(response, before, sessions)


@given(who=st.sampled_from(WHO), number=HOSTILE_TEXT.filter(bool))
@HOSTILE
async def test_hostile_report_numbers_in_paths_never_answer_500(
    client, staff, sessions, who, number
):
    before = await row_counts(sessions)
    for route in ("/api/v1/reports/{}", "/api/v1/rewards/{}", "/api/v1/reports/{}/messages"):
        segment = quote(number.encode("utf-8", "surrogatepass"), safe="")
        response = await client.get(route.format(segment), headers=staff._headers(who))
        await check_answer(response, before, sessions)


# The classes issue 14 found answering 500, each as a class: any page that is not ASCII digits
# within range, any NUL anywhere, any number too long, any amount beyond the column.
@pytest.mark.parametrize(
    "page", ["²", "١", "０", str(10**20), str(2**63), str(10**25), "9" * 5000, "0", "-1", " 1"]
)
async def test_pages_outside_ascii_digits_in_range_are_refused(client, staff, numbers, page):
    for route in ("/api/v1/reports", "/api/v1/rewards"):
        status, body = await staff.get(route, "wang", page=page)
        assert status == 422 and body["error"] == "invalid", body


@pytest.mark.parametrize("value", ["\x00", "塘桥镇\x00", "\x00' OR 1=1"])
async def test_a_nul_byte_is_refused_wherever_it_comes(client, staff, sessions, numbers, value):
    before = await row_counts(sessions)
    for name in ("town", "q", "enterprise", "status"):
        status, body = await staff.get("/api/v1/reports", "wang", **{name: value})
        assert status == 422 and body["error"] == "invalid", body
    status, body = await staff.get(f"/api/v1/reports/{quote(value)}", "wang")
    assert status == 422, body
    for action, field in (("accept", "note"), ("record", "case_number"), ("reject", "note")):
        status, body = await staff.act(numbers[0], "wang", action, **{field: value})
        assert status == 422 and body["error"] == "invalid", body
    status, body = await staff.post(
        f"/api/v1/reports/{numbers[0]}/messages", "wang", {"text": value}
    )
    assert status == 422, body
    assert await row_counts(sessions) == before


@pytest.mark.parametrize(
    "raw",
    [deep(100_000), deep(33), '{"a":' * 40 + "1" + "}" * 40, "1" * 5000, '{"x": ' + "1" * 41 + "}"],
)
async def test_bodies_too_deep_or_with_numbers_too_long_are_refused(client, staff, numbers, raw):
    for route in (f"/api/v1/reports/{numbers[0]}/actions", "/api/v1/reports"):
        response = await client.post(
            route, data=raw, headers=staff._headers("wang") | {"Content-Type": "application/json"}
        )
        body = await response.json()
        assert response.status == 422 and body["error"] == "invalid", body


@pytest.mark.parametrize(
    "fields",
    [{"fine": 1e30}, {"fine": 10**30}, {"fine": "1e30"}, {"fine": "10000000000"},
     {"fine": -0.01}, {"fine": 1e308}, {"fine": "NaN"}, {"fine": "Infinity"}, {"fine": "1e-400"},
     {"deaths": 10**30}, {"deaths": 2**31}, {"deaths": 100_001}, {"deaths": "²"}, {"deaths": -1}]
)  # fmt: skip
async def test_amounts_and_counts_beyond_their_columns_are_refused(
    client, staff, sessions, numbers, fields
):
    before = await row_counts(sessions)
    status, body = await staff.act(numbers[2], "wang", "record", **fields)
    assert status == 422 and body["error"] == "invalid", body
    assert await row_counts(sessions) == before


async def test_the_largest_amount_and_count_are_taken(client, staff, numbers):
    status, body = await staff.act(
        numbers[2], "wang", "record", fine="9999999999.99", deaths=100_000
    )
    assert status == 200 and body["fine"] == "9999999999.99", body
