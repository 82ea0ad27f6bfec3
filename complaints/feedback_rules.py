"""The reporter's judgment on the handling (评价) and his pressing a late report (催办), as
rules over data (pure): who may, when, and what it leads to."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

RATINGS: dict[str, str] = {  # stored value: what the reporter sees
    "satisfied": "满意",
    "fair": "基本满意",
    "dissatisfied": "不满意",
}
RATING_ANSWERS = {"1": "satisfied", "2": "fair", "3": "dissatisfied"} | {
    label: value for value, label in RATINGS.items()
}
RATING_DAYS = 7  # a rating may be given, and changed, until 24:00 of the 7th day after closing
QUIET_DAYS = 15  # a report may be urged after this long without a step, even inside its clocks
FINISHED = frozenset({"closed", "rejected", "transferred", "merged"})
URGE = "urge"  # the timeline's action for a first urge
SUPERVISE = "supervise"  # the second and later: 督办, the leaders are told


def rating_refusal(status: str, rating_ends: datetime | None, now: datetime) -> str | None:
    """None when the reporter may rate now; else why not: not_closed or too_late."""
    if status != "closed" or rating_ends is None:
        return "not_closed"
    return "too_late" if now >= rating_ends else None


def urge_refusal(
    status: str,
    overdue: bool,
    last_step_at: datetime,
    last_urge_at: datetime | None,
    now: datetime,
    tz: ZoneInfo,
) -> str | None:
    """None when the reporter may urge now; else why not: finished (nothing is left to
    handle), today (one urge a day per report, by local date) or in_time (no deadline has
    passed and the last step is less than QUIET_DAYS old)."""
    if status in FINISHED:
        return "finished"
    if last_urge_at is not None and last_urge_at.astimezone(tz).date() == now.astimezone(tz).date():
        return "today"
    if not overdue and now - last_step_at < timedelta(days=QUIET_DAYS):
        return "in_time"
    return None


def urge_action(urges_before: int) -> str:
    """The first urge is recorded as such; from the second on it is supervision (督办)."""
    return URGE if urges_before == 0 else SUPERVISE
