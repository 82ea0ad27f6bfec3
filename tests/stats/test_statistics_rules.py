"""The pure rules of the statistics: a period's bounds in local time, the medians, the
satisfaction rate, and the bureau's sentence in exactly its shape."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from complaints.statistics import (
    BadPeriod,
    Period,
    median_days,
    period_of,
    satisfaction_rate,
    sentence,
    table,
)
from tests.stats.helpers import SENTENCE_2021

SHANGHAI = ZoneInfo("Asia/Shanghai")
FIGURES = {"received": 93, "injury": 47, "hazard": 46, "concealed": 0, "violation": 0,
           "case_filed": 40}  # fmt: skip


def test_the_bureaus_sentence_comes_out_exactly() -> None:
    assert sentence(FIGURES) == SENTENCE_2021


def test_concealed_and_violation_reports_are_named_only_when_there_are_any() -> None:
    more = FIGURES | {"received": 96, "concealed": 2, "violation": 1}
    assert sentence(more) == (
        "共受理各类信访举报96起，其中受伤举报47起，隐患举报46起，瞒报谎报事故举报2起，"
        "其他违法行为举报1起，立案查处40起"
    )
    assert "瞒报" not in sentence(FIGURES | {"violation": 3})
    empty = dict.fromkeys(FIGURES, 0)
    assert sentence(empty) == "共受理各类信访举报0起，其中受伤举报0起，隐患举报0起，立案查处0起"


def test_a_quarter_is_bounded_by_local_midnights() -> None:
    start, end = Period(2021, 2).bounds(SHANGHAI)
    assert start == datetime(2021, 3, 31, 16, tzinfo=UTC)  # 1 April 00:00 in Zhangjiagang
    assert end == datetime(2021, 6, 30, 16, tzinfo=UTC)
    late_in_march_utc = datetime(2021, 3, 31, 16, 30, tzinfo=UTC)  # 1 April 00:30 local
    assert start <= late_in_march_utc < end
    q1_start, q1_end = Period(2021, 1).bounds(SHANGHAI)
    assert q1_start == datetime(2020, 12, 31, 16, tzinfo=UTC) and q1_end == start
    assert Period(2021).bounds(SHANGHAI) == (q1_start, datetime(2021, 12, 31, 16, tzinfo=UTC))
    assert Period(2021, 4).bounds(SHANGHAI)[1] == datetime(2021, 12, 31, 16, tzinfo=UTC)
    assert Period(2021, 3).months == (7, 8, 9) and len(Period(2021).months) == 12
    assert Period(2021, 3).label == "2021年第三季度" and Period(2021).slug == "2021"


@pytest.mark.parametrize(
    ("year", "quarter", "complaint"),
    [
        ("", None, "year 应为"),
        (None, None, "year 应为"),
        ("21x", None, "year 应为"),
        ("1999", None, "year 应为"),
        ("2021", "5", "quarter 应为 1–4"),
        ("2021", "0", "quarter 应为 1–4"),
        ("2021", "Q1", "quarter 应为 1–4"),
    ],
)
def test_a_bad_year_or_quarter_is_refused_saying_why(year, quarter, complaint) -> None:
    with pytest.raises(BadPeriod, match=complaint):
        period_of(year, quarter)


def test_a_good_period_is_read_from_text() -> None:
    assert period_of("2021") == Period(2021)
    assert period_of(" 2021 ", "") == Period(2021)
    assert period_of("2021", "3") == Period(2021, 3)


def test_medians_in_days_to_one_decimal() -> None:
    assert median_days([]) is None
    assert median_days([timedelta(days=1), timedelta(days=3), timedelta(days=10)]) == 3.0
    assert median_days([timedelta(hours=12), timedelta(hours=30)]) == 0.9  # (0.5 + 1.25) / 2


def test_satisfaction_counts_satisfied_and_fair() -> None:
    assert satisfaction_rate({"satisfied": 0, "fair": 0, "dissatisfied": 0}) is None
    assert satisfaction_rate({"satisfied": 6, "fair": 1, "dissatisfied": 1}) == 0.875


def test_the_table_reads_the_figures_in_a_leaders_order() -> None:
    figures = FIGURES | dict.fromkeys(
        ("accepted", "rejected", "transferred", "substantiated", "criminal_referral",
         "rewards_proposed", "rewards_paid", "overdue", "urged", "supervised", "rated"), 1,
    ) | {"fines_amount": "10.00", "rewards_proposed_amount": "3000.00",
         "rewards_paid_amount": "3000.00", "median_days_to_accept": None,
         "median_days_to_close": 30.5, "satisfaction_rate": 0.9}  # fmt: skip
    rows = dict(table(figures))
    assert list(rows)[:3] == ["受理举报总数", "其中：受伤或事故", "其中：事故隐患"]
    assert rows["立案查处"] == 40 and rows["受理用时中位数（天）"] == "—"
    assert rows["办结用时中位数（天）"] == 30.5 and rows["满意率（含基本满意）"] == "90.0%"
