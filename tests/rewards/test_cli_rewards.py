"""`jubao rewards calc`: the amount under the rules in force as JSON, on a SQLite database it
migrates itself and on PostgreSQL; every bad input one line on stderr and exit 2."""

from __future__ import annotations

import json

import pytest

from jubao.cli import main

REGISTRY = """
towns: [{name: 塘桥镇}, {name: 杨舍镇}]
rewards:
  - {kind: violation, town: 塘桥镇, percent: 20, min: 3000, max: 300000}
  - {kind: concealed, per_death: {一般: 30000, 较大: 40000, 重大: 50000, 特别重大: 60000},
     max: 500000}
  - {kind: fixed, fixed: 500, outcomes: [substantiated]}
"""


@pytest.fixture
def fresh_sqlite(tmp_path, monkeypatch) -> str:  # type: ignore[no-untyped-def]
    url = f"sqlite+aiosqlite:///{tmp_path / 'rewards.db'}"  # not there yet: calc migrates it
    monkeypatch.setenv("JUBAO_DATABASE_URL", url)
    return url


def calc(capsys, *args: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    assert main(["rewards", "calc", *args]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    return json.loads(captured.out)


def load(tmp_path, capsys, text: str = REGISTRY) -> None:  # type: ignore[no-untyped-def]
    registry = tmp_path / "registry.yaml"
    registry.write_text(text, encoding="utf-8")
    assert main(["registry", "load", str(registry)]) == 0
    assert "rewards created: 3" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "amount", "rule"),
    [
        (["--fine", "100000"], "15000.00", "violation 15% (national)"),
        (["--fine", "20000"], "3000.00", "violation 15% (national)"),
        (["--fine", "100"], "3000.00", "violation 15% (national)"),
        (["--fine", "2000000"], "300000.00", "violation 15% (national)"),
        (["--fine", "100000.30"], "15000.05", "violation 15% (national)"),
        (["--fine", "0"], "0.00", "none"),
    ],
)
def test_a_fine_under_the_national_rules(fresh_sqlite, capsys, args, amount, rule):
    assert calc(capsys, "--kind", "violation", *args) == {"amount": amount, "rule": rule}


def test_concealed_deaths_under_the_national_rules(fresh_sqlite, capsys):
    one = calc(capsys, "--kind", "concealed", "--grade", "较大", "--deaths", "1")
    assert one == {"amount": "40000.00", "rule": "concealed 较大 40000/death (national)"}
    eleven = calc(capsys, "--kind", "concealed", "--grade", "一般", "--deaths", "11")
    assert eleven["amount"] == "300000.00"


def test_the_registrys_rules_are_in_force(fresh_sqlite, tmp_path, capsys):
    load(tmp_path, capsys)
    town = calc(capsys, "--kind", "violation", "--fine", "100000", "--town", "塘桥镇")
    assert town == {"amount": "20000.00", "rule": "violation 20% (塘桥镇)"}
    other = calc(capsys, "--kind", "violation", "--fine", "100000", "--town", "杨舍镇")
    assert other == {"amount": "15000.00", "rule": "violation 15% (national)"}
    city = calc(capsys, "--kind", "concealed", "--grade", "一般", "--deaths", "11")
    assert city == {"amount": "330000.00", "rule": "concealed 一般 30000/death (city)"}
    fixed = calc(capsys, "--kind", "fixed", "--outcome", "substantiated")
    assert fixed == {"amount": "500.00", "rule": "fixed 500 for substantiated (city)"}
    assert calc(capsys, "--kind", "fixed", "--outcome", "case_filed") == {
        "amount": "0.00",
        "rule": "none",
    }


@pytest.mark.postgres
def test_on_postgresql_too(postgres_url, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("JUBAO_DATABASE_URL", postgres_url)
    registry = tmp_path / "registry.yaml"
    registry.write_text(REGISTRY, encoding="utf-8")
    assert main(["registry", "load", str(registry)]) == 0
    capsys.readouterr()
    town = calc(capsys, "--kind", "violation", "--fine", "100000.05", "--town", "塘桥镇")
    assert town == {"amount": "20000.01", "rule": "violation 20% (塘桥镇)"}
    assert main(["registry", "load", str(write(tmp_path, "rewards: []\n"))]) == 0


def write(tmp_path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "more.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        ([], "--kind is required: violation | concealed | fixed"),
        (["--kind", "bonus"], "--kind 'bonus' is not one of violation | concealed | fixed"),
        (["--kind", "violation"], "--fine is required with --kind violation"),
        (["--kind", "violation", "--fine", "-5"], "--fine '-5' must be between 0 and"),
        (["--kind", "violation", "--fine", "abc"], "--fine 'abc' is not an amount in yuan"),
        (["--kind", "violation", "--fine", "NaN"], "--fine 'NaN' is not an amount in yuan"),
        (["--kind", "violation", "--fine", "1e40"], "--fine '1e40' must be between 0 and"),
        (["--kind", "violation", "--fine", "1.005"], "--fine '1.005' has more than two decimals"),
        (["--kind", "violation", "--fine", "1", "--deaths", "2"],
         "--deaths does not go with --kind violation"),
        (["--kind", "concealed", "--deaths", "2"], "--grade is required with --kind concealed"),
        (["--kind", "concealed", "--grade", "一般"], "--deaths is required with --kind concealed"),
        (["--kind", "concealed", "--grade", "严重", "--deaths", "2"],
         "--grade '严重' is not one of 一般 | 较大 | 重大 | 特别重大"),
        (["--kind", "concealed", "--grade", "一般", "--deaths", "0"],
         "--deaths must be at least 1, not 0"),
        (["--kind", "concealed", "--grade", "一般", "--deaths", "-1"],
         "--deaths must be at least 1, not -1"),
        (["--kind", "concealed", "--grade", "一般", "--deaths", "two"],
         "--deaths 'two' is not a whole number"),
        (["--kind", "concealed", "--grade", "一般", "--deaths", "1", "--fine", "9"],
         "--fine does not go with --kind concealed"),
        (["--kind", "fixed"], "--outcome is required with --kind fixed"),
        (["--kind", "fixed", "--outcome", " "], "--outcome '' is not one of substantiated"),
        (["--kind", "fixed", "--outcome", "责令整改"], "--outcome '责令整改' is not one of"),
        (["--kind", "violation", "--fine", "1", "--town", " "], "--town must name a town"),
        (["--kind", "violation", "--fine", "1", "--town", "无此镇"],
         "--town '无此镇' is not a town of the registry"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_exit_2(fresh_sqlite, capsys, args, complaint):
    assert main(["rewards", "calc", *args]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert captured.out == "" and len(lines) == 1 and "Traceback" not in captured.err
    assert lines[0].startswith(f"jubao: rewards calc: {complaint}")
