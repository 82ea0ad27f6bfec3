"""The command line: db upgrade and registry load, idempotent, refusing bad files whole."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select, text

from complaints.registry import Town
from jubao.cli import main
from jubao.db import make_engine, make_sessionmaker


@pytest.fixture
def db_url(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("JUBAO_DATABASE_URL", url)
    return url


def towns_in(url: str) -> list[tuple[str, int]]:
    async def read() -> list[tuple[str, int]]:
        engine = make_engine(url)
        async with make_sessionmaker(engine)() as session:
            rows = await session.execute(select(Town.name, Town.position).order_by(Town.position))
            result = [tuple(row) for row in rows]
        await engine.dispose()
        return result

    return asyncio.run(read())


def scalar(url: str, sql: str) -> object:
    async def read() -> object:
        engine = make_engine(url)
        async with engine.connect() as connection:
            value = await connection.scalar(text(sql))
        await engine.dispose()
        return value

    return asyncio.run(read())


def test_db_upgrade_then_registry_load_is_idempotent(db_url, tmp_path, capsys):
    assert main(["db", "upgrade"]) == 0
    registry = tmp_path / "registry.yaml"
    registry.write_text("towns: [{name: 塘桥镇}, {name: 杨舍镇}]\n", encoding="utf-8")
    assert main(["registry", "load", str(registry)]) == 0
    assert "towns created: 2" in capsys.readouterr().out
    assert main(["registry", "load", str(registry)]) == 0
    assert "towns created: 0" in capsys.readouterr().out
    registry.write_text(
        "towns: [{name: 杨舍镇}, {name: 塘桥镇}, {name: 金港镇}]\n", encoding="utf-8"
    )
    assert main(["registry", "load", str(registry)]) == 0
    assert towns_in(db_url) == [("杨舍镇", 0), ("塘桥镇", 1), ("金港镇", 2)]


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        ("towns: [{name: 塘桥镇}, {name: 塘桥镇}]\n", "towns[1]: duplicate town name '塘桥镇'"),
        ("towns: [{name: 塘桥镇}, {title: x}]\n", "towns[1]: 'name' must be"),
        ("towns: 塘桥镇\n", "'towns' must be a non-empty list"),
        ("towns: [{name: 塘桥镇}\n  - broken: [\n", "line 2"),
        ("- just\n- a list\n", "must be a mapping"),
        ("", "must be a mapping with some of the keys"),
        ("holidays: [2026-13-01]\n", "holidays[0]: '2026-13-01' is not a date (YYYY-MM-DD)"),
    ],
)
def test_bad_registry_is_refused_whole(db_url, tmp_path, capsys, content, complaint):
    good = tmp_path / "good.yaml"
    good.write_text("towns: [{name: 锦丰镇}]\n", encoding="utf-8")
    assert main(["registry", "load", str(good)]) == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(content, encoding="utf-8")
    assert main(["registry", "load", str(bad)]) == 1
    err = capsys.readouterr().err
    assert complaint in err and "nothing was changed" in err
    assert towns_in(db_url) == [("锦丰镇", 0)]


def test_a_file_without_towns_updates_only_what_it_names(db_url, tmp_path, capsys):
    first = tmp_path / "first.yaml"
    first.write_text(
        "towns: [{name: 塘桥镇}]\nunits: [{name: 塘桥镇综合执法局, towns: [塘桥镇]}]\n"
        "holidays: ['2027-01-01']\nworkdays: ['2026-10-10']\n",
        encoding="utf-8",
    )
    assert main(["registry", "load", str(first)]) == 0
    officers = tmp_path / "officers.yaml"
    officers.write_text(
        "officers: [{wework_id: qianlei, name: 钱磊, unit: 塘桥镇综合执法局}]\n", encoding="utf-8"
    )
    capsys.readouterr()
    assert main(["registry", "load", str(officers)]) == 0
    assert capsys.readouterr().out.strip() == "officers created: 1, officers updated: 0"
    assert towns_in(db_url) == [("塘桥镇", 0)]
    assert scalar(db_url, "SELECT count(*) FROM calendar_days") == 2


def test_missing_registry_file_is_refused(db_url, tmp_path, capsys):
    assert main(["registry", "load", str(tmp_path / "nope.yaml")]) == 1
    assert "nothing was changed" in capsys.readouterr().err
