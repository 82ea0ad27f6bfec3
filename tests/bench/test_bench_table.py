"""The pure parts of `python -m bench`: reading wrk's output, the targets' verdicts and the
table. The benchmark itself is not run here (it is timing, and minutes long); every bench module
must still import, so that a change elsewhere cannot leave `make bench` broken unseen."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from bench.machine import cpu_model, memory_gib
from bench.table import (
    Check,
    Row,
    as_markdown,
    as_text,
    below,
    callback_checks,
    median_ratio,
    verdict,
)
from bench.wrk import parse_wrk, to_result

BENCH = Path(__file__).resolve().parents[2] / "bench"
RUN_ELSEWHERE = {"werobot_app"}  # runs in .bench-venv/, where WeRoBot is installed

WRK_OUTPUT = """Running 3s test @ http://127.0.0.1:4000/wechat/mp
  1 threads and 32 connections
Requests/sec:    415.20
BENCH requests=1250 duration_us=3010000 p50_us=71800 p99_us=119100 non2xx=2 connect=0 read=1 \
write=0 timeout=0 bad=3 answered=1250 available=15001 exhausted=0 extra=0 answered_at_stop=0 \
active_us=0
PACE rate=207 slots=622 late=4 max_late_us=2300
"""


@pytest.mark.parametrize(
    "name", sorted(p.stem for p in BENCH.glob("*.py") if p.stem not in RUN_ELSEWHERE)
)
def test_every_bench_module_imports(name: str) -> None:
    importlib.import_module(f"bench.{name}")


def test_wrk_figures_are_read_from_the_scripts_lines() -> None:
    figures = parse_wrk(WRK_OUTPUT)
    assert figures["slots"] == 622 and figures["late"] == 4
    result = to_result("jubao", figures)
    assert result.requests_per_s == pytest.approx(1250 / 3.01, abs=0.1)
    assert (result.p50_ms, result.p99_ms) == (71.8, 119.1)
    assert result.errors == 2 + 1 + 3  # non-2xx, socket errors, replies without <Encrypt>


def test_wrk_output_without_the_scripts_line_is_refused() -> None:
    with pytest.raises(ValueError):
        parse_wrk("Requests/sec: 10\n")


def test_the_callback_must_reach_both_ratios() -> None:
    assert verdict(callback_checks(0.6, 3.2)) == "met"
    assert verdict(callback_checks(0.38, 2.4)) == "not met"
    assert verdict(callback_checks(0.6, 2.4)) == "met; not met"
    assert verdict(callback_checks(None, None)) == "not measured"


def test_a_limit_is_a_strict_upper_bound() -> None:
    assert verdict([below(49.9, 50, "p99 < 50 ms")]) == "met"
    assert verdict([below(50.0, 50, "p99 < 50 ms")]) == "not met"
    assert verdict([]) == ""


def test_ratios_are_the_median_of_each_rounds_ratio() -> None:
    assert median_ratio([(1.0, 4.0), (3.0, 4.0), (2.0, 2.0)]) == 0.75
    assert median_ratio([(1.0, 0.0)]) is None


def test_the_table_shows_figure_ratio_target_and_verdict() -> None:
    rows = [
        Row("a", "callback, jubao serve, SQLite", "415 req/s", "0.13 x bare",
            (Check(">= 0.5 x bare", False),)),
        Row("a", "callback, bare aiohttp handler", "3,094 req/s"),
    ]  # fmt: skip
    text = as_text(rows).splitlines()
    assert text[0].split()[:3] == ["row", "what", "measured"]
    assert "0.13 x bare" in text[2] and text[2].endswith("not met")
    markdown = as_markdown(rows).splitlines()
    assert markdown[1].startswith("| --- |")
    assert markdown[2].endswith("| >= 0.5 x bare | **not met** |")
    assert markdown[3].endswith("|  |  |  |")


def test_the_machine_is_read_from_proc() -> None:
    assert cpu_model("processor\t: 0\nmodel name\t: Intel(R) Xeon(R)\n") == "Intel(R) Xeon(R)"
    assert memory_gib("MemTotal:       24576000 kB\n") == pytest.approx(23.4, abs=0.1)
