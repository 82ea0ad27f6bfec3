"""`jubao stats` on the bureau's 2021, through the real command on SQLite and PostgreSQL: the
sentence exactly, the JSON keys of SPEC §11, the CSV table, a quarter in local time; a bad year,
quarter or format is one line on stderr and exit 2."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from jubao.cli import main
from rewards.statistics import KEYS
from tests.stats.helpers import SENTENCE_2021, load_2021


@pytest.fixture
async def year_2021(database_url, sessions, settings, clock, towns, monkeypatch):  # type: ignore[no-untyped-def]
    assert await load_2021(sessions, settings, clock) == 93
    monkeypatch.setenv("JUBAO_DATABASE_URL", database_url)


def run(capsys, *args: str) -> str:  # type: ignore[no-untyped-def]
    assert main(["stats", *args]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    return captured.out


def test_the_year_prints_the_bureaus_sentence_then_the_table(year_2021, capsys):
    out = run(capsys, "--year", "2021")
    lines = out.splitlines()
    assert lines[0] == SENTENCE_2021
    assert "2021年 · 总体情况" in out and "2021年 · 按镇（区）" in out and "2021年 · 按渠道" in out
    assert any(line.split() == ["立案查处", "40"] for line in lines)
    assert any(line.split() == ["电话（12350）", "12"] for line in lines)


def test_json_has_the_specs_keys_and_the_breakdowns(year_2021, capsys):
    figures = json.loads(run(capsys, "--year", "2021", "--format", "json"))
    assert list(figures)[5 : 5 + len(KEYS)] == list(KEYS)
    assert (figures["received"], figures["injury"], figures["hazard"]) == (93, 47, 46)
    assert (figures["concealed"], figures["violation"], figures["case_filed"]) == (0, 0, 40)
    assert figures["criminal_referral"] == 3 and figures["rewards_paid"] == 6
    assert re.fullmatch(r"[1-9]\d*\.\d\d", figures["rewards_paid_amount"])  # money: a string
    assert figures["rejected"] == 9 and figures["transferred"] == 7 and figures["overdue"] == 0
    assert figures["accepted"] == 93 - 9 - 7 and figures["substantiated"] == 54
    assert 0 < figures["median_days_to_accept"] < 15 < figures["median_days_to_close"] < 90
    assert sum(figures["by_town"].values()) == 93 and all(figures["by_town"].values())
    assert sum(figures["by_month"].values()) == 93 and len(figures["by_month"]) == 12
    assert figures["by_channel"]["wechat"] == 70 and sum(figures["by_channel"].values()) == 93
    assert figures["sentence"] == SENTENCE_2021 and figures["quarter"] is None
    assert 0 < figures["satisfaction_rate"] <= 1 and figures["urged"] >= figures["supervised"] > 0


def test_a_quarter_counts_only_its_months(year_2021, capsys):
    quarters = [
        json.loads(run(capsys, "--year", "2021", "--quarter", q, "--format", "json"))
        for q in "1234"
    ]
    assert sum(q["received"] for q in quarters) == 93
    assert sum(q["case_filed"] for q in quarters) == 40
    assert list(quarters[1]["by_month"]) == ["2021-04", "2021-05", "2021-06"]
    assert quarters[1]["from"] == "2021-04-01" and quarters[1]["to"] == "2021-06-30"


def test_csv_is_the_table(year_2021, capsys):
    rows = list(csv.reader(io.StringIO(run(capsys, "--year", "2021", "--format", "csv"))))
    assert rows[0] == ["分类", "项目", "数值"]
    assert rows[1] == ["概述", "2021年", SENTENCE_2021]
    assert ["总体情况", "受理举报总数", "93"] in rows and ["总体情况", "立案查处", "40"] in rows
    assert ["按渠道", "来信", "4"] in rows and ["按月份", "1月", "8"] in rows


def test_another_year_is_empty_not_an_error(year_2021, capsys):
    out = run(capsys, "--year", "2020")
    assert out.splitlines()[0] == "共受理各类信访举报0起，其中受伤举报0起，隐患举报0起，立案查处0起"


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["--year", "twenty"], "--year 'twenty' is not a year between 2000 and 2100"),
        (["--year", "1900"], "--year '1900' is not a year"),
        (["--year", "2021", "--quarter", "5"], "--quarter '5' is not 1, 2, 3 or 4"),
        (["--year", "2021", "--quarter", "Q1"], "--quarter 'Q1' is not 1, 2, 3 or 4"),
        (["--year", "2021", "--format", "xml"], "--format 'xml' is not one of text | json | csv"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(tmp_path, monkeypatch, capsys, args, complaint):
    monkeypatch.setenv("JUBAO_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'none.db'}")
    assert main(["stats", *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith(f"jubao: stats: {complaint}")
    assert len(captured.err.splitlines()) == 1
    assert not (tmp_path / "none.db").exists()  # refused before touching a database


def test_the_year_is_required(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["stats"])
    assert stopped.value.code == 2 and "--year" in capsys.readouterr().err
