"""The registry file: parsed whole or refused naming the key at fault, loaded idempotently (the
file is the truth for what it names), references into the database, enterprises recognised in
the reporter's words."""

from __future__ import annotations

import asyncio
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import jubao.demo
from complaints.enterprises import match_enterprise
from complaints.registry import (
    CalendarDay,
    DeadlineRule,
    Enterprise,
    EnterpriseData,
    Officer,
    RegistryData,
    RegistryError,
    RoutingRule,
    Town,
    Unit,
    check_references,
    load_registry,
    parse_registry,
)
from complaints.registry_yaml import load_yaml
from jubao.cli import main
from jubao.db import make_engine
from jubao.demo import demo_registry
from jubao.models import metadata
from tests.database import empty_sqlite

DEMO_FILE = Path(jubao.demo.__file__).parent / "registry.yaml"
BRIGADE = "市应急管理局执法大队"
BASE = """
towns: [{name: 塘桥镇}, {name: 杨舍镇}]
units: [{name: 塘桥镇综合执法局, towns: [塘桥镇]}, {name: 市应急管理局执法大队}]
"""


def registry(text: str) -> RegistryData:
    return parse_registry(load_yaml(text))


# Parsing


def test_the_demo_registry_parses_whole():
    data = parse_registry(demo_registry())
    assert len(data.towns) == 12 and data.towns[:3] == ("杨舍镇", "塘桥镇", "金港镇")
    units = {unit.name: unit.towns for unit in data.units}
    assert units[BRIGADE] == ()
    assert all(units[f"{town}综合执法局"] == (town,) for town in data.towns)
    staff = [officer.unit for officer in data.officers]
    assert {unit: staff.count(unit) for unit in units} == {
        unit: 2
        if unit in (BRIGADE, "杨舍镇综合执法局", "塘桥镇综合执法局", "金港镇综合执法局")
        else 1
        for unit in units
    }
    zhangwei = next(officer for officer in data.officers if officer.wework_id == "zhangwei")
    assert (zhangwei.name, zhangwei.unit) == ("张伟", "塘桥镇综合执法局")
    assert data.enterprises[0] == EnterpriseData(
        "张家港市宏达化工有限公司", ("宏达化工",), "塘桥镇", "塘桥镇南京路18号", "red", False
    )
    codes = [enterprise.code for enterprise in data.enterprises]
    assert set(codes) == {"blue", "yellow", "orange", "red"} and codes.count("red") == 2
    assert sum(enterprise.blacklisted for enterprise in data.enterprises) == 1
    assert [dict(rule.match) for rule in data.rules[:4]] == [
        {"category": "injury"},
        {"category": "concealed"},
        {"enterprise_code": "red"},
        {"blacklisted": True},
    ]
    assert {rule.unit for rule in data.rules[:4]} == {BRIGADE}
    assert [(rule.match["town"], rule.unit) for rule in data.rules[4:]] == [
        (town, f"{town}综合执法局") for town in data.towns
    ]
    assert dict(data.deadlines) == {
        "accept": "15d",
        "ack": "1wd",
        "handle": "60d",
        "extension_max": "30d",
    }
    assert data.holidays[0] == date(2026, 10, 1) and len(data.holidays) == 8
    assert data.workdays == (date(2026, 9, 27), date(2026, 10, 10))
    assert "rules" in data.named and "holidays" in data.named


def test_every_key_is_optional_and_a_file_names_what_it_changes():
    data = registry("deadlines: {accept: 20d}")
    assert data.named == {"deadlines"} and data.towns == ()
    with pytest.raises(RegistryError, match="some of the keys towns, units"):
        registry("{}")


def test_an_unquoted_date_is_checked_like_a_quoted_one():
    assert registry("holidays: [2026-10-01]").holidays == (date(2026, 10, 1),)
    with pytest.raises(RegistryError, match=r"holidays\[1\]: '2026-13-01' is not a date"):
        registry("holidays: [2026-10-01, 2026-13-01]")


def test_a_towns_only_file_names_only_towns():
    data = registry("towns: [{name: 塘桥镇}]")
    assert data.named == {"towns"} and data.units == () and dict(data.deadlines) == {}


def test_a_match_value_may_be_a_list_meaning_any_of():
    data = registry(BASE + "rules: [{match: {town: [塘桥镇, 杨舍镇]}, unit: 塘桥镇综合执法局}]")
    assert dict(data.rules[0].match) == {"town": ["塘桥镇", "杨舍镇"]}


@pytest.mark.parametrize(
    ("extra", "complaint"),
    [
        ("unit: []", "unknown key 'unit'"),
        ("units: {name: A}", "'units' must be a list"),
        ("units: [{name: A}, {name: A}]", "units[1]: duplicate unit name 'A'"),
        ("units: [{name: A, towns: [塘桥镇, 塘桥镇]}]",
         "units[0].towns[1]: duplicate town '塘桥镇'"),
        ("units: [{name: A, town: 塘桥镇}]", "units[0]: unknown key 'town'"),
        ("units: [塘桥镇综合执法局]", "units[0]: must be a mapping"),
        ("officers: [{wework_id: x, name: X, unit: U}, {wework_id: x, name: Y, unit: U}]",
         "officers[1]: duplicate wework_id 'x'"),
        ("officers: [{wework_id: li, name: X, unit: U}, {wework_id: LI, name: Y, unit: U}]",
         "officers[1]: duplicate wework_id 'LI'"),
        ("officers: [{wework_id: zhang wei, name: X, unit: U}]",
         "officers[0].wework_id: 'zhang wei' is not a WeChat Work UserID"),
        ("officers: [{wework_id: 1001, name: X, unit: U}]",
         "officers[0].wework_id: must be a non-empty string"),
        ("officers: [{wework_id: x, name: X}]", "officers[0].unit: must be a non-empty string"),
        ("enterprises: [{name: E, code: purple}]",
         "enterprises[0].code: must be one of blue, yellow, orange, red"),
        ("enterprises: [{name: E}]", "enterprises[0].code: must be one of"),
        ("enterprises: [{name: E, code: red, blacklisted: maybe}]",
         "enterprises[0].blacklisted: must be true or false"),
        ("enterprises: [{name: E, code: red, address: 18}]", "enterprises[0].address: must be"),
        ("enterprises: [{name: E, code: red}, {name: E, code: blue}]",
         "enterprises[1]: duplicate enterprise name 'E'"),
        ("enterprises: [{name: E, code: red, aliases: [宏达]},"
         " {name: F, code: red, aliases: [宏达]}]",
         "enterprises[1].aliases[0]: '宏达' is already used by enterprises[0]"),
        ("enterprises: [{name: E, code: red, colour: red}]",
         "enterprises[0]: unknown key 'colour'"),
        ("rules: [{match: {colour: red}, unit: U}]", "rules[0].match: unknown key 'colour'"),
        ("rules: [{unit: U}]", "rules[0].match: must be a mapping"),
        ("rules: [{match: {category: fire}, unit: U}]",
         "rules[0].match.category: must be one of hazard, injury, concealed, violation"),
        ("rules: [{match: {enterprise_code: [red, pink]}, unit: U}]",
         "rules[0].match.enterprise_code[1]: must be one of"),
        ("rules: [{match: {blacklisted: 'no'}, unit: U}]",
         "rules[0].match.blacklisted: must be true or false"),
        ("rules: [{match: {town: []}, unit: U}]", "rules[0].match.town: an empty list"),
        ("rules: [{match: {}}]", "rules[0].unit: must be a non-empty string"),
        ("deadlines: {accept: 15x}", "deadlines.accept: '15x' is not Nd or Nwd"),
        ("deadlines: {accept: 0d}", "deadlines.accept: '0d' is not Nd or Nwd"),
        ("deadlines: {accept: 15}", "deadlines.accept: 15 is not Nd or Nwd"),
        ("deadlines: {answer: 15d}", "deadlines.answer: unknown clock"),
        ("deadlines: [accept]", "'deadlines' must be a mapping"),
        ("holidays: ['2026-13-01']", "holidays[0]: '2026-13-01' is not a date"),
        ("holidays: [2026-10-01, tomorrow]", "holidays[1]: 'tomorrow' is not a date"),
        ("holidays: [2026-10-01, '2026-10-01']", "holidays[1]: duplicate date 2026-10-01"),
        ("holidays: [2026-10-01]\nworkdays: [2026-10-01]",
         "workdays[0]: 2026-10-01 is also one of the holidays"),
    ],
)  # fmt: skip
def test_a_bad_entry_is_refused_naming_its_key(extra, complaint):
    with pytest.raises(RegistryError) as refused:
        registry(BASE + extra)
    assert complaint in str(refused.value)


def test_a_bad_town_entry_is_refused():
    with pytest.raises(RegistryError, match=r"towns\[0\]: unknown key 'code'"):
        registry("towns: [{name: 塘桥镇, code: 1}]")


# References: in the file, or already in the database

UNKNOWN_REFERENCES = [
    ("units: [{name: A, towns: [塘桥]}]", "units[0].towns[0]: unknown town '塘桥'"),
    ("officers: [{wework_id: x, name: X, unit: 无此单位}]",
     "officers[0].unit: unknown unit '无此单位'"),
    ("enterprises: [{name: E, code: red, town: 乐余镇}]",
     "enterprises[0].town: unknown town '乐余镇'"),
    ("rules: [{match: {}, unit: 无此单位}]", "rules[0].unit: unknown unit '无此单位'"),
    ("rules: [{match: {town: [塘桥镇, 乐余镇]}, unit: 塘桥镇综合执法局}]",
     "rules[0].match.town[1]: unknown town '乐余镇'"),
]  # fmt: skip


@pytest.mark.parametrize(("extra", "complaint"), UNKNOWN_REFERENCES)
async def test_an_unknown_reference_is_refused_before_anything_is_written(
    sessions: async_sessionmaker[AsyncSession], extra: str, complaint: str
) -> None:
    data = registry(BASE + extra)
    async with sessions() as session:
        with pytest.raises(RegistryError) as refused:
            await check_references(session, data)
        assert str(refused.value) == complaint
        with pytest.raises(RegistryError):
            await load_registry(session, data)
        assert await session.scalar(select(func.count()).select_from(Town)) == 0


async def test_references_may_point_to_what_an_earlier_file_loaded(sessions):
    async with sessions.begin() as session:
        await load_registry(session, registry(BASE))
    later = registry("""
towns: [{name: 金港镇}]
units: [{name: 金港镇综合执法局, towns: [金港镇, 塘桥镇]}]
officers: [{wework_id: zhangwei, name: 张伟, unit: 塘桥镇综合执法局}]
enterprises: [{name: 张家港市永盛纺织有限公司, code: yellow, town: 杨舍镇}]
rules: [{match: {town: 塘桥镇}, unit: 市应急管理局执法大队}]
""")
    async with sessions.begin() as session:
        counts = await load_registry(session, later)
    assert counts["towns_created"] == 1 and counts["officers_created"] == 1
    async with sessions() as session:
        assert len((await session.scalars(select(Town))).all()) == 3
        unit = await session.scalar(select(Unit).where(Unit.name == "金港镇综合执法局"))
        assert {town.name for town in unit.towns} == {"金港镇", "塘桥镇"}
        assert (
            await session.scalar(
                select(Unit.name).join(Officer).where(Officer.wework_id == "zhangwei")
            )
            == "塘桥镇综合执法局"
        )


# Loading


async def count_rows(session: AsyncSession) -> dict[str, int]:
    models = (Town, Unit, Officer, Enterprise, RoutingRule, DeadlineRule, CalendarDay)
    return {
        model.__tablename__: await session.scalar(select(func.count()).select_from(model))
        for model in models
    }


async def test_loading_the_same_file_twice_changes_nothing(sessions):
    data = parse_registry(demo_registry())
    async with sessions.begin() as session:
        first = await load_registry(session, data)
    async with sessions.begin() as session:
        second = await load_registry(session, data)
        rows = await count_rows(session)
    assert first == {
        "towns_created": 12, "towns_updated": 0, "units_created": 13, "units_updated": 0,
        "officers_created": 17, "officers_updated": 0,
        "enterprises_created": 10, "enterprises_updated": 0,
        "rules_created": 16, "rules_updated": 0, "rules_deleted": 0,
        "deadlines_created": 4, "deadlines_updated": 0,
        "holidays_created": 8, "holidays_updated": 0, "holidays_deleted": 0,
        "workdays_created": 2, "workdays_updated": 0, "workdays_deleted": 0,
    }  # fmt: skip
    assert second == dict.fromkeys(first, 0)
    assert rows == {
        "towns": 12, "units": 13, "officers": 17, "enterprises": 10, "routing_rules": 16,
        "deadline_rules": 4, "calendar_days": 10,
    }  # fmt: skip


async def test_a_changed_file_updates_what_it_names_and_leaves_the_rest(sessions):
    demo = demo_registry()
    async with sessions.begin() as session:
        await load_registry(session, parse_registry(demo))
    change = {
        "towns": demo["towns"],
        "officers": [
            {"wework_id": "zhangwei", "name": "张伟", "unit": "杨舍镇综合执法局"},
            {"wework_id": "qianlei", "name": "钱磊", "unit": "塘桥镇综合执法局"},
        ],
        "enterprises": [{**demo["enterprises"][0], "code": "orange", "aliases": ["宏达"]}],
        "deadlines": {"accept": "20d"},
        "holidays": ["2027-01-01"],
    }
    async with sessions.begin() as session:
        counts = await load_registry(session, parse_registry(change))
    assert counts == {
        "towns_created": 0, "towns_updated": 0, "officers_created": 1, "officers_updated": 1,
        "enterprises_created": 0, "enterprises_updated": 1,
        "deadlines_created": 0, "deadlines_updated": 1,
        "holidays_created": 0, "holidays_updated": 0, "holidays_deleted": 7,
    }  # fmt: skip
    async with sessions() as session:
        rows = await count_rows(session)
        assert (rows["officers"], rows["enterprises"], rows["routing_rules"]) == (18, 10, 16)
        hongda = await session.scalar(
            select(Enterprise).where(Enterprise.name == "张家港市宏达化工有限公司")
        )
        assert hongda.code == "orange" and hongda.aliases == ["宏达"]
        deadlines = dict(
            (await session.execute(select(DeadlineRule.clock, DeadlineRule.value))).all()
        )
        assert deadlines == {"accept": "20d", "ack": "1wd", "handle": "60d", "extension_max": "30d"}
        calendar = await session.execute(
            select(CalendarDay.day, CalendarDay.working).order_by(CalendarDay.day)
        )
        assert calendar.all() == [  # the file named holidays only: the workdays stay
            (date(2026, 9, 27), True), (date(2026, 10, 10), True), (date(2027, 1, 1), False),
        ]  # fmt: skip
        enterprises = list(await session.scalars(select(Enterprise).order_by(Enterprise.id)))
        assert match_enterprise("塘桥镇宏达化工厂区", enterprises) is hongda


async def stored_rules(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[dict, str]]:
    async with sessions() as session:
        rows = await session.execute(
            select(RoutingRule.match, Unit.name).join(Unit).order_by(RoutingRule.position)
        )
        return [(match, unit) for match, unit in rows]


async def test_rules_are_replaced_as_a_whole_in_file_order(sessions):
    a = "{match: {category: injury}, unit: 市应急管理局执法大队}"
    b = "{match: {town: 塘桥镇}, unit: 塘桥镇综合执法局}"
    c = "{match: {}, unit: 市应急管理局执法大队}"

    async def load(text: str) -> dict[str, int]:
        async with sessions.begin() as session:
            return await load_registry(session, registry(BASE + text))

    await load(f"rules: [{a}, {b}, {c}]")
    counts = await load(f"rules: [{c}, {a}]")
    assert (counts["rules_created"], counts["rules_updated"], counts["rules_deleted"]) == (0, 2, 1)
    expected = [({}, BRIGADE), ({"category": "injury"}, BRIGADE)]
    assert await stored_rules(sessions) == expected
    counts = await load(f"rules: [{c}, {a}]")
    assert (counts["rules_created"], counts["rules_updated"], counts["rules_deleted"]) == (0, 0, 0)
    assert "rules_created" not in await load("")  # no `rules`: left alone
    assert await stored_rules(sessions) == expected
    assert (await load("rules: []"))["rules_deleted"] == 2
    assert await stored_rules(sessions) == []


# Through the command line


@pytest.fixture
def cli_url(tmp_path, monkeypatch, sqlite_template) -> str:  # type: ignore[no-untyped-def]
    """A database with every table, stamped at the newest migration, for `jubao registry load`."""
    url = empty_sqlite(sqlite_template, tmp_path / "cli.db")
    monkeypatch.setenv("JUBAO_DATABASE_URL", url)
    return url


def snapshot(url: str) -> dict[str, list[str]]:
    async def read() -> dict[str, list[str]]:
        engine = make_engine(url)
        async with engine.connect() as connection:
            tables = {
                table.name: sorted(map(repr, (await connection.execute(select(table))).all()))
                for table in metadata.sorted_tables
            }
        await engine.dispose()
        return tables

    return asyncio.run(read())


def test_the_cli_loads_the_demo_registry_and_says_what_changed(cli_url, capsys):
    assert main(["registry", "load", str(DEMO_FILE)]) == 0
    out = capsys.readouterr().out
    for line in ("towns created: 12", "units created: 13", "officers created: 17",
                 "enterprises created: 10", "rules created: 16", "deadlines created: 4",
                 "holidays created: 8", "workdays created: 2"):  # fmt: skip
        assert line in out
    assert main(["registry", "load", str(DEMO_FILE)]) == 0
    again = capsys.readouterr().out
    assert "officers created: 0, officers updated: 0" in again
    assert set(re.findall(r": (\d+)", again)) == {"0"}


@pytest.mark.parametrize(
    ("extra", "complaint"),
    [
        ("enterprises: [{name: E, code: purple}]", "enterprises[0].code: must be one of"),
        ("rules: [{match: {colour: red}, unit: U}]", "rules[1].match: unknown key 'colour'"),
        ("deadlines: {accept: 15x}", "deadlines.accept: '15x' is not Nd or Nwd"),
        ("officers: [{wework_id: x, name: X, unit: 无此单位}]",
         "officers[0].unit: unknown unit '无此单位'"),
    ],
)  # fmt: skip
def test_the_cli_refuses_a_bad_file_whole(cli_url, tmp_path, capsys, extra, complaint):
    assert main(["registry", "load", str(DEMO_FILE)]) == 0
    before = snapshot(cli_url)
    bad = tmp_path / "bad.yaml"
    text = "towns: [{name: 新town}]\nunits: [{name: 新单位, towns: [新town]}]\n" + extra
    if extra.startswith("rules"):
        text = text.replace("rules: [", "rules: [{match: {}, unit: 新单位}, ")
    bad.write_text(text, encoding="utf-8")
    capsys.readouterr()
    assert main(["registry", "load", str(bad)]) == 1
    err = capsys.readouterr().err
    assert complaint in err and "nothing was changed" in err
    assert snapshot(cli_url) == before


# Enterprises in the reporter's words

DEMO_ENTERPRISES = parse_registry(demo_registry()).enterprises


def named(name: str, *aliases: str) -> EnterpriseData:
    return EnterpriseData(name, aliases, None, "", "blue")


@pytest.mark.parametrize(
    ("place", "expected"),
    [
        ("张家港市宏达化工有限公司", "张家港市宏达化工有限公司"),  # exact name
        ("宏达化工", "张家港市宏达化工有限公司"),  # exact alias
        ("塘桥镇南京路宏达化工仓库着火了", "张家港市宏达化工有限公司"),  # alias inside the text
        ("张家港市锦丰机械制造有限公司三号车间", "张家港市锦丰机械制造有限公司"),  # name inside
        ("大新船舶", "张家港市大新船舶修造有限公司"),  # the text inside a name
        ("宏达 化工，南京路", "张家港市宏达化工有限公司"),  # spaces ignored
        ("某某村小作坊", None),
        ("", None),
        ("有限公司", None),  # inside every name: no single enterprise
    ],
)
def test_the_reporters_place_is_matched_to_the_registry(place, expected):
    found = match_enterprise(place, DEMO_ENTERPRISES)
    assert (found.name if found else None) == expected


def test_the_longest_name_or_alias_found_wins():
    small, large = named("宏达五金店", "宏达"), named("宏达化工物流有限公司", "宏达物流")
    assert match_enterprise("宏达化工物流有限公司的仓库", [small, large]) is large
    assert match_enterprise("宏达的门面", [small, large]) is small


def test_short_aliases_are_ignored_and_ties_match_nothing():
    assert match_enterprise("宏伟小区三栋", [named("张家港市宏达化工有限公司", "宏")]) is None
    tie = [named("宏达五金店", "宏达"), named("华通物流", "华通")]
    assert match_enterprise("宏达和华通之间的空地", tie) is None
