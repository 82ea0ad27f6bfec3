"""The reports and reminder-ledger rows bench.sweep loads: reproducible from SEED, open reports
among the most recent, the ledger and `next_reminder_at` as the sweeps of earlier days left them."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from complaints.reminders import Candidate, kinds, next_moment
from complaints.vocabulary import CATEGORIES

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # 10:00 in Zhangjiagang
DAY = timedelta(days=1)
WINDOW_DAYS = (-60, 90)  # the running clock's deadline, in days around NOW
HISTORY_DAYS = (4 * 365, 100)  # closed reports were received this long ago (from, to)
PER_YEAR = 400_000  # numbers: ZJG-YYYY-NNNNNN, at most this many a year
SEED = 20261127

# Open statuses and their share of the open reports; of those investigating, REOPENED were
# reopened after an objection (the review clock runs instead of the handling clock).
OPEN_MIX = (
    ("received", 0.15),
    ("accepted", 0.10),
    ("assigned", 0.15),
    ("investigating", 0.40),
    ("concluded", 0.20),
)
REOPENED = 0.05
CLOSED_MIX = (("closed", 0.80), ("rejected", 0.12), ("transferred", 0.05), ("merged", 0.03))
# How long each clock runs (roughly what the deadline rules give).
RUNS = {"accept": 15, "ack": 3, "handle": 60, "result": 15, "review": 30}
PLACES = (
    "塘桥镇东街一家无名五金加工作坊",
    "杨舍镇工业园区三号厂房",
    "金港镇港区码头堆场",
    "锦丰镇沿江化工企业罐区",
    "凤凰镇一处建筑工地",
)
DESCRIPTIONS = (
    "车间没有通风，工人不戴口罩打磨",
    "消防通道被货物堵死，灭火器过期",
    "工人受伤后老板不让报告",
    "夜间违规动火作业，无人看护",
)


def deadline_day(rng: random.Random) -> datetime:
    """24:00 Asia/Shanghai (16:00 UTC) of a day drawn from WINDOW_DAYS around NOW."""
    day = between(rng, *WINDOW_DAYS)
    midnight = NOW.replace(hour=16, minute=0, second=0, microsecond=0)
    return midnight + day * DAY


def started(deadline: datetime, clock: str, rng: random.Random) -> datetime:
    """When a clock with this deadline started: its run before the deadline, never after NOW."""
    return min(deadline - RUNS[clock] * DAY, NOW - timedelta(hours=rng.uniform(1, 48)))


def between(rng: random.Random, low: int, high: int) -> int:
    """rng.randint, three times as fast."""
    return low + int(rng.random() * (high - low + 1))


def pick(mix: Sequence[tuple[str, float]], rng: random.Random) -> str:
    roll, total = rng.random(), 0.0
    for name, share in mix:
        total += share
        if roll < total:
            return name
    return mix[-1][0]


def base_row(i: int, n: int, rng: random.Random) -> dict[str, Any]:
    year, seq = 2023 + (i - 1) // PER_YEAR, (i - 1) % PER_YEAR + 1
    old, recent = HISTORY_DAYS
    received = NOW - timedelta(days=old - (old - recent) * i / n, seconds=between(rng, 0, 86_399))
    digest = hashlib.sha256(f"openid-{i}".encode()).hexdigest()
    return {
        "id": i,
        "number": f"ZJG-{year}-{seq:06d}",
        "year": year,
        "seq": seq,
        "category": CATEGORIES[i % len(CATEGORIES)],
        "town_id": 1,
        "place": PLACES[i % len(PLACES)],
        "details": "",
        "description": DESCRIPTIONS[i % len(DESCRIPTIONS)],
        "channel": "wechat",
        "anonymous": True,
        "reporter_openid_enc": f"gAAAAABbench{digest[:48]}",
        "reporter_openid_hash": digest,
        "query_code_hash": f"$argon2id$v=19$m=65536,t=3,p=4$bench${digest[8:40]}",
        "status": "closed",
        "urgent": i % 50 == 0,
        "received_at": received,
        "accept_by": received + RUNS["accept"] * DAY,
        "unit_id": None,
        "assignee_id": None,
        "routed_by": None,
        "accepted_at": None,
        "assigned_at": None,
        "concluded_at": None,
        "closed_at": None,
        "ack_by": None,
        "handle_by": None,
        "result_by": None,
        "reopened_at": None,
        "review_by": None,
        "next_reminder_at": None,
        "finding": None,
        "summary": None,
        "reject_reason": None,
        "case_filed": False,
        "criminal_referral": False,
    }


def closed_row(row: dict[str, Any], rng: random.Random) -> None:
    status = pick(CLOSED_MIX, rng)
    row["status"] = status
    received = row["received_at"]
    if status != "closed":
        row["reject_reason"] = "out_of_scope" if status == "rejected" else None
        row["closed_at"] = received + between(rng, 1, 10) * DAY
        return
    accepted = received + between(rng, 1, 10) * DAY
    assigned = accepted + timedelta(hours=between(rng, 1, 48))
    concluded = assigned + between(rng, 5, 50) * DAY
    row.update(
        investigated(accepted, assigned, concluded),
        closed_at=concluded + between(rng, 1, 10) * DAY,
        result_by=concluded + RUNS["result"] * DAY,
    )


def investigated(accepted: datetime, assigned: datetime, concluded: datetime) -> dict[str, Any]:
    """The columns of a report accepted, assigned and concluded at these moments."""
    return {
        "accepted_at": accepted,
        "assigned_at": assigned,
        "concluded_at": concluded,
        "handle_by": accepted + RUNS["handle"] * DAY,
        "ack_by": assigned + RUNS["ack"] * DAY,
        "unit_id": 1,
        "assignee_id": 1,
        "routed_by": "rule 1",
        "finding": "confirmed",
        "summary": "已责令整改",
    }


def open_row(row: dict[str, Any], rng: random.Random) -> list[tuple[str, datetime, datetime]]:
    """Makes the row open; returns its running clocks (clock, deadline, started)."""
    status = pick(OPEN_MIX, rng)
    row["status"] = status
    clocks: list[tuple[str, datetime, datetime]] = []
    if status == "received":
        accept_by = deadline_day(rng)
        row["received_at"] = started(accept_by, "accept", rng)
        row["accept_by"] = accept_by
        return [("accept", accept_by, row["received_at"])]
    if status in ("accepted", "assigned", "investigating"):
        handle_by = deadline_day(rng)
        accepted = started(handle_by, "handle", rng)
        if status == "assigned":  # the officer has yet to confirm
            ack_by = deadline_day(rng)
            assigned = started(ack_by, "ack", rng)
            accepted = min(accepted, assigned - timedelta(hours=1))
            row.update(assigned_at=assigned, ack_by=ack_by)
            clocks.append(("ack", ack_by, assigned))
        elif status == "investigating":
            assigned = accepted + timedelta(hours=between(rng, 1, 48))
            row.update(assigned_at=assigned, ack_by=assigned + RUNS["ack"] * DAY)
        if status != "accepted":
            row.update(unit_id=1, assignee_id=1, routed_by="rule 1")
        row.update(accepted_at=accepted, handle_by=handle_by)
        if status == "investigating" and rng.random() < REOPENED:
            review_by = deadline_day(rng)
            reopened = started(review_by, "review", rng)
            earlier = reopened - between(rng, 20, 90) * DAY
            row.update(
                reopened_at=reopened,
                review_by=review_by,
                accepted_at=earlier,
                handle_by=earlier + RUNS["handle"] * DAY,
                assigned_at=earlier + timedelta(hours=2),
                ack_by=earlier + RUNS["ack"] * DAY,
            )
            clocks.append(("review", review_by, reopened))
        else:
            clocks.append(("handle", handle_by, accepted))
        received = row["accepted_at"] - timedelta(days=rng.uniform(0.5, 10))
    else:  # concluded: the result is yet to be told
        result_by = deadline_day(rng)
        concluded = started(result_by, "result", rng)
        accepted = concluded - between(rng, 5, 50) * DAY
        assigned = accepted + timedelta(hours=between(rng, 1, 48))
        row.update(investigated(accepted, assigned, concluded), result_by=result_by)
        clocks.append(("result", result_by, concluded))
        received = accepted - timedelta(days=rng.uniform(0.5, 10))
    row["received_at"] = received
    row["accept_by"] = received + RUNS["accept"] * DAY
    return clocks


def ledger_rows(
    report_id: int, clocks: list[tuple[str, datetime, datetime]]
) -> Iterator[dict[str, Any]]:
    """What the sweeps of earlier days recorded: every reminder whose moment is more than a day
    before NOW (so for a deadline past by more than a day all three: before_3d, before_1d,
    overdue), at its moment, sent unless the moment fell before the clock started. The
    warm-up sweep then records the last day's."""
    for clock, deadline, began in clocks:
        for kind, before in kinds(clock):
            moment = deadline - before
            if moment >= NOW - DAY:
                break
            yield {
                "report_id": report_id,
                "clock": clock,
                "deadline": deadline,
                "kind": kind,
                "sent": moment >= began,
                "at": max(moment, began),
            }


def next_reminder(
    row: dict[str, Any],
    clocks: list[tuple[str, datetime, datetime]],
    recorded: list[dict[str, Any]],
) -> datetime | None:
    """The report's next reminder moment as the sweeps of earlier days left it (the product's
    own `next_moment` over its running clocks and ledger rows)."""
    done: dict[tuple[str, datetime], set[str]] = {}
    for entry in recorded:
        done.setdefault((entry["clock"], entry["deadline"]), set()).add(entry["kind"])
    running = [
        Candidate(row["id"], row["number"], clock, deadline, began)
        for clock, deadline, began in clocks
    ]
    return next_moment(running, done)


def open_ids(n: int, open_count: int) -> list[int]:
    """Which reports are open: a sample of the most recent (ids follow the time of receipt)."""
    tail = min(n, 2 * open_count)
    return sorted(random.Random(SEED + n).sample(range(n - tail + 1, n + 1), open_count))
