"""The statistics of a year or a quarter (SPEC §9, §11 "Operations"), the pure part: the
period's bounds in local time, medians, the bureau's sentence and the table behind it.

The figures are read by complaints.statistics_queries (reports) and rewards.statistics (their
rewards); every entry point (`jubao stats`, `GET /api/v1/stats`, the console) shows what these
functions make of them. Definitions of every number: docs/console/statistics.md."""

from __future__ import annotations

import statistics as stdlib_statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from complaints.vocabulary import CATEGORY_LABELS, CHANNEL_LABELS

FIRST_YEAR, LAST_YEAR = 2000, 2100  # the years a period may name
QUARTER_LABELS = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}
# The sentence names these after injury and hazard, each only when there are any.
SENTENCE_EXTRAS = {"concealed": "瞒报谎报事故举报", "violation": "其他违法行为举报"}
SENTENCE_ORDER = ("injury", "hazard", "concealed", "violation")  # as the sentence names them
SATISFIED = ("satisfied", "fair")  # 满意 and 基本满意 count towards the satisfaction rate


class BadPeriod(ValueError):
    """A year or quarter that names no period; the message says what is wrong, in Chinese."""


@dataclass(frozen=True)
class Period:
    year: int
    quarter: int | None = None

    @property
    def months(self) -> tuple[int, ...]:
        if self.quarter is None:
            return tuple(range(1, 13))
        first = 3 * (self.quarter - 1) + 1
        return (first, first + 1, first + 2)

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """[start, end) in UTC of the period's local days."""
        last = self.months[-1]
        start = datetime(self.year, self.months[0], 1, tzinfo=tz)
        end = datetime(self.year + last // 12, last % 12 + 1, 1, tzinfo=tz)
        return start.astimezone(UTC), end.astimezone(UTC)

    def month_bounds(self, tz: ZoneInfo) -> list[tuple[int, datetime, datetime]]:
        """(month, start, end) in UTC of each of the period's local months."""
        last = self.months[-1]
        edges = [datetime(self.year, month, 1, tzinfo=tz) for month in self.months]
        edges.append(datetime(self.year + last // 12, last % 12 + 1, 1, tzinfo=tz))
        return [
            (month, start.astimezone(UTC), end.astimezone(UTC))
            for month, start, end in zip(self.months, edges, edges[1:], strict=False)
        ]

    @property
    def label(self) -> str:
        quarter = QUARTER_LABELS[self.quarter] if self.quarter else ""
        return f"{self.year}年{quarter}"

    @property
    def slug(self) -> str:
        """For file names: 2021 or 2021-Q2."""
        return f"{self.year}" + (f"-Q{self.quarter}" if self.quarter else "")


def period_of(year: object, quarter: object = None) -> Period:
    """The period that a query string or a command line names; raises BadPeriod."""
    text = str(year).strip() if year is not None else ""
    year_like = text.isascii() and text.isdigit() and len(text) <= 4  # int() refuses "²"
    if not year_like or not FIRST_YEAR <= int(text) <= LAST_YEAR:
        raise BadPeriod(f"year 应为 {FIRST_YEAR}–{LAST_YEAR} 之间的年份：{text or '（未填）'}")
    if quarter is None or str(quarter).strip() == "":
        return Period(int(text))
    given = str(quarter).strip()
    if given not in {"1", "2", "3", "4"}:
        raise BadPeriod(f"quarter 应为 1–4：{given}")
    return Period(int(text), int(given))


def middle(count: int) -> tuple[int, int]:
    """(offset, how many) of the middle value(s) of `count` sorted values: the one in the
    middle, or the two around it when `count` is even."""
    return (count - 1) // 2, 1 if count % 2 else 2


def middle_days(days: Iterable[tuple[int, int]], offset: int, limit: int) -> tuple[int, int, int]:
    """Where the middle rows are in a histogram of whole days, (day, reports) in day order:
    the first and last day that hold rows offset .. offset + limit - 1 of the sorted spans, and
    how many rows come before the first. A median then sorts those days' rows only."""
    before, first, last = 0, None, None
    for day, count in days:
        if first is None and offset < before + count:
            first, skipped = day, before
        if offset + limit - 1 < before + count:
            last = day
            break
        before += count
    if first is None or last is None:
        raise ValueError(f"the histogram holds fewer than {offset + limit} rows")
    return first, last, skipped


def median_days(spans: Iterable[timedelta]) -> float | None:
    """The median of the spans in days, to one decimal; None when there are none."""
    days = [span.total_seconds() / 86400 for span in spans]
    return round(stdlib_statistics.median(days), 1) if days else None


def satisfaction_rate(ratings: Mapping[str, int]) -> float | None:
    """(满意 + 基本满意) / all ratings, as a fraction to three decimals; None when unrated."""
    rated = sum(ratings.values())
    if not rated:
        return None
    return round(sum(ratings.get(r, 0) for r in SATISFIED) / rated, 3)


def sentence(figures: Mapping[str, object]) -> str:
    """「共受理各类信访举报93起，其中受伤举报47起，隐患举报46起，立案查处40起」; concealed and
    violation reports are named between hazard and the cases, each only when there are any."""
    parts = [f"受伤举报{figures['injury']}起", f"隐患举报{figures['hazard']}起"]
    parts += [f"{label}{figures[key]}起" for key, label in SENTENCE_EXTRAS.items() if figures[key]]
    parts.append(f"立案查处{figures['case_filed']}起")
    return f"共受理各类信访举报{figures['received']}起，其中" + "，".join(parts)


def _days(value: object) -> object:
    return "—" if value is None else value


def _rate(value: object) -> str:
    return "—" if value is None else f"{float(value) * 100:.1f}%"  # type: ignore[arg-type]


def table(figures: Mapping[str, object]) -> list[tuple[str, object]]:
    """The table behind the sentence: (label, value) in the order a leader reads it."""
    return [
        ("受理举报总数", figures["received"]),
        *((f"其中：{CATEGORY_LABELS[key]}", figures[key]) for key in SENTENCE_ORDER),
        ("已受理", figures["accepted"]),
        ("不予受理", figures["rejected"]),
        ("已转办", figures["transferred"]),
        ("核查属实", figures["substantiated"]),
        ("立案查处", figures["case_filed"]),
        ("移送司法机关", figures["criminal_referral"]),
        ("罚款合计（元）", figures["fines_amount"]),
        ("提出奖励（件）", figures["rewards_proposed"]),
        ("提出奖励金额（元）", figures["rewards_proposed_amount"]),
        ("已发放奖励（件）", figures["rewards_paid"]),
        ("已发放奖励金额（元）", figures["rewards_paid_amount"]),
        ("受理用时中位数（天）", _days(figures["median_days_to_accept"])),
        ("办结用时中位数（天）", _days(figures["median_days_to_close"])),
        ("当前逾期", figures["overdue"]),
        ("被催办", figures["urged"]),
        ("被督办", figures["supervised"]),
        ("举报人评价（件）", figures["rated"]),
        ("满意率（含基本满意）", _rate(figures["satisfaction_rate"])),
    ]


def sections(figures: Mapping[str, object]) -> list[tuple[str, list[tuple[str, object]]]]:
    """The table and its breakdowns, each (title, rows): what the CSV and the XLSX hold."""
    by_town: Mapping[str, int] = figures["by_town"]  # type: ignore[assignment]
    by_channel: Mapping[str, int] = figures["by_channel"]  # type: ignore[assignment]
    by_month: Mapping[str, int] = figures["by_month"]  # type: ignore[assignment]
    return [
        ("总体情况", table(figures)),
        ("按镇（区）", list(by_town.items())),
        ("按渠道", [(CHANNEL_LABELS[key], count) for key, count in by_channel.items()]),
        ("按月份", [(f"{int(key[5:])}月", count) for key, count in by_month.items()]),
    ]


CSV_HEADER = ("分类", "项目", "数值")


def flat_rows(period: Period, figures: Mapping[str, object]) -> list[tuple[str, str, object]]:
    """The sentence, then every section's rows, as (section, label, value): the CSV."""
    return [("概述", period.label, figures["sentence"])] + [
        (title, label, value) for title, rows in sections(figures) for label, value in rows
    ]
