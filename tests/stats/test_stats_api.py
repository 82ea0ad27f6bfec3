"""`GET /api/v1/stats`: the same figures as `jubao stats`, for dispatchers, leaders, auditors
and admins (officers and finance: 403), a bad year or quarter 422, periods in local time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from rewards.statistics import KEYS
from tests.stats.helpers import SENTENCE_2021, load_2021


@pytest.fixture
async def year_2021(sessions, settings, clock, towns):  # type: ignore[no-untyped-def]
    await load_2021(sessions, settings, clock)


@pytest.mark.parametrize("who", ["wang", "li", "zhao", "root"])
async def test_the_roles_that_read_statistics_get_the_year(staff, year_2021, who):
    status, body = await staff.get("/api/v1/stats", who, year="2021")
    assert status == 200, body
    assert body["sentence"] == SENTENCE_2021
    assert all(key in body for key in KEYS)
    assert (body["received"], body["injury"], body["hazard"]) == (93, 47, 46)
    assert body["case_filed"] == 40
    assert set(body["by_channel"]) == {"wechat", "phone", "visit", "letter", "email"}
    assert {"by_town", "by_month", "ratings", "satisfaction_rate", "urged", "supervised",
            "rewards_proposed"} <= set(body)  # fmt: skip


@pytest.mark.parametrize("who", ["zhangwei", "qian"])
async def test_officers_and_finance_are_refused(staff, year_2021, who):
    status, body = await staff.get("/api/v1/stats", who, year="2021")
    assert status == 403 and body["error"] == "forbidden"


async def test_without_a_token_401(staff):
    status, body = await staff.get("/api/v1/stats", None, year="2021")
    assert status == 401 and body["error"] == "unauthorized"


@pytest.mark.parametrize(
    "params",
    [{}, {"year": "abc"}, {"year": "1899"}, {"year": "2021", "quarter": "5"},
     {"year": "2021", "quarter": "x"}],
)  # fmt: skip
async def test_a_bad_period_is_422_saying_why(staff, params):
    status, body = await staff.get("/api/v1/stats", "wang", **params)
    assert status == 422 and body["error"] == "invalid"
    assert "year" in body["message"] or "quarter" in body["message"]


async def test_a_report_just_after_local_midnight_counts_in_the_next_quarter(staff, reports):
    await reports.filed(at=datetime(2021, 3, 31, 16, 30, tzinfo=UTC), kind="injury")  # 4/1 00:30
    await reports.filed(at=datetime(2021, 3, 31, 15, 30, tzinfo=UTC))  # 3/31 23:30 local
    _, q1 = await staff.get("/api/v1/stats", "wang", year="2021", quarter="1")
    _, q2 = await staff.get("/api/v1/stats", "wang", year="2021", quarter="2")
    assert (q1["received"], q1["hazard"], q1["injury"]) == (1, 1, 0)
    assert (q2["received"], q2["hazard"], q2["injury"]) == (1, 0, 1)
    assert q2["by_month"] == {"2021-04": 1, "2021-05": 0, "2021-06": 0}
    assert q1["by_month"]["2021-03"] == 1


async def test_open_reports_past_their_deadline_count_as_overdue(staff, reports, clock):
    await reports.filed(at=datetime(2026, 10, 1, 2, tzinfo=UTC))  # acceptance due 10/16
    await reports.filed()  # today: in time
    _, body = await staff.get("/api/v1/stats", "wang", year="2026")
    assert body["received"] == 2 and body["overdue"] == 1 and body["accepted"] == 0
    assert body["median_days_to_accept"] is None and body["satisfaction_rate"] is None
