"""Importing a bureau's enterprise list: CSV (UTF-8, BOM, GB18030) or XLSX, headers in Chinese
or English in any order, credit codes checked per GB 32100-2015, bad rows reported with their
row numbers while the good ones land, the same file twice changes nothing, and the seed
bureau's 3,685 rows go in at once; the command's exit codes."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from complaints.credit_code import credit_code_problem
from complaints.enterprise_file import read_table
from complaints.enterprise_import import import_enterprises
from complaints.enterprise_rows import ImportFileError, parse_rows
from complaints.registry import RegistryError, load_registry, parse_registry
from complaints.registry_models import Enterprise
from jubao.cli import main
from tests.enterprise_lists import SEED_COLOURS, credit_code, csv_file, seed_rows, xlsx_file

TOWNS = {"塘桥镇", "杨舍镇"}


def test_credit_codes_are_checked_by_their_check_character():
    assert credit_code_problem("914403001922038216") is None  # a real company's code
    assert credit_code_problem("91350100M000100Y43") is None
    assert "校验位" in credit_code_problem("914403001922038217")
    assert "18位" in credit_code_problem("91440300192203821")
    assert "不允许的字符" in credit_code_problem("91440300192203821O")
    assert "行政区划" in credit_code_problem("9144A3001922038216")


def test_english_headers_in_another_order_are_recognised():
    table = [
        ["Blacklist", "Town", "Color", "Name", "Credit Code", "Address"],
        ["是", "塘桥镇", "red", "宏达化工", credit_code(1), "南京路18号"],
        ["", "杨舍镇", "黄色", "明珠纺织", "", ""],
    ]
    parsed = parse_rows(table, TOWNS)
    assert not parsed.errors
    first, second = parsed.rows
    assert (first.name, first.code, first.blacklisted, first.town) == (
        "宏达化工",
        "red",
        True,
        "塘桥镇",
    )
    assert first.credit_code == credit_code(1) and first.address == "南京路18号"
    assert (second.code, second.blacklisted, second.credit_code) == ("yellow", False, None)


def test_full_width_and_variant_chinese_headers():
    header = ["单位名称", "社会信用代码", "所属镇(区)", "企业地址", "风险等级/颜色", "是否黑名单"]
    parsed = parse_rows([header, ["宏达化工", credit_code(2), "塘桥镇", "", "橙", "否"]], TOWNS)
    assert parsed.rows[0].code == "orange" and not parsed.errors


def test_a_title_row_above_the_header_is_passed_over_and_row_numbers_stay_excels():
    table = [
        ["张家港市安全生产风险等级企业名录（2026年）", None, None],
        [None, None, None],
        ["企业名称", "所属镇（区）", "风险等级"],
        ["宏达化工", "塘桥镇", "红"],
        ["明珠纺织", "火星镇", "蓝"],
    ]
    parsed = parse_rows(table, TOWNS)
    assert [(row.row, row.name) for row in parsed.rows] == [(4, "宏达化工")]
    assert [(error.row, error.column) for error in parsed.errors] == [(5, "所属镇（区）")]


def test_a_file_without_a_required_column_is_refused_whole():
    with pytest.raises(ImportFileError, match="风险等级"):
        parse_rows([["企业名称", "所属镇（区）"], ["宏达化工", "塘桥镇"]], TOWNS)


def test_bad_rows_are_reported_with_row_column_and_problem():
    rows = [
        ("宏达化工", credit_code(1), "塘桥镇", "", "红", "否"),
        ("", credit_code(2), "塘桥镇", "", "蓝", "否"),  # row 3: no name
        ("明珠纺织", "914403001922038217", "火星镇", "", "紫", "也许"),  # row 4: four problems
        ("宏达化工二厂", credit_code(1), "杨舍镇", "", "蓝", ""),  # row 5: code of row 2
        ("", "", "", "", "", ""),  # blank: skipped, not counted
        ("永安物流", "", "杨舍镇", "", "blue", "否"),
    ]
    parsed = parse_rows(read_table(csv_file(rows)), TOWNS)
    assert [row.name for row in parsed.rows] == ["宏达化工", "永安物流"]
    assert parsed.total == 5
    found = {(error.row, error.column) for error in parsed.errors}
    assert found == {
        (3, "企业名称"),
        (4, "统一社会信用代码"), (4, "所属镇（区）"), (4, "风险等级"), (4, "黑名单"),
        (5, "统一社会信用代码"),
    }  # fmt: skip
    assert "第4行 所属镇（区）：“火星镇”不是已登记的镇（区）" in [str(e) for e in parsed.errors]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_each_encoding_reads_the_same(encoding):
    rows = seed_rows(3)
    assert read_table(csv_file(rows, encoding=encoding))[1:] == [list(row) for row in rows]


def test_xlsx_reads_like_csv():
    rows = seed_rows(3)
    assert read_table(xlsx_file(rows))[1:] == [list(row) for row in rows]


def test_neither_xlsx_nor_text_is_refused():
    with pytest.raises(ImportFileError):
        read_table(b"PK\x03\x04 not really a zip")
    with pytest.raises(ImportFileError):
        read_table(bytes(range(128, 256)) * 4)


async def count(sessions, *where) -> int:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        return await session.scalar(select(func.count(Enterprise.id)).where(*where)) or 0


async def run_import(sessions, content: bytes):  # type: ignore[no-untyped-def]
    async with sessions.begin() as session:
        return await import_enterprises(session, content)


async def test_good_rows_land_and_bad_rows_are_reported(sessions, towns):
    rows = [*seed_rows(3), ("坏企业", "123", "塘桥镇", "", "红", "否")]
    registered = await count(sessions)  # the demo registry's
    summary = await run_import(sessions, xlsx_file(rows))
    assert (summary.created, summary.updated, summary.unchanged) == (3, 0, 0)
    assert [(e.row, e.column) for e in summary.errors] == [(5, "统一社会信用代码")]
    assert summary.line() == "新增 3，更新 0，未变 0，出错 1 行"
    assert await count(sessions) == registered + 3


async def test_the_same_file_again_changes_nothing(sessions, towns):
    content = csv_file(seed_rows(20))
    assert (await run_import(sessions, content)).created == 20
    again = await run_import(sessions, content)
    assert again.line() == "新增 0，更新 0，未变 20"


async def test_a_changed_row_updates_its_enterprise_matched_by_code(sessions, towns):
    rows = seed_rows(2)
    await run_import(sessions, csv_file(rows))
    renamed = (f"{rows[0][0]}（改名）", *rows[0][1:4], "红", "是")
    summary = await run_import(sessions, csv_file([renamed, rows[1]]))
    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 1)
    assert await count(sessions, Enterprise.name == renamed[0], Enterprise.code == "red") == 1
    assert await count(sessions, Enterprise.name == rows[0][0]) == 0


async def test_a_row_without_a_code_matches_by_name_and_a_registered_name_gets_its_code(
    sessions, towns
):
    # 张家港市宏达化工有限公司 is in the demo registry, without a credit code
    header = ("企业名称", "统一社会信用代码", "所属镇（区）", "风险等级")
    code = credit_code(7)
    summary = await run_import(
        sessions, csv_file([("张家港市宏达化工有限公司", code, "塘桥镇", "红")], header)
    )
    assert (summary.created, summary.updated) == (0, 1)
    async with sessions() as session:
        stored = await session.scalar(select(Enterprise).where(Enterprise.credit_code == code))
    assert stored.name == "张家港市宏达化工有限公司" and stored.address  # kept: no address column
    again = await run_import(
        sessions, csv_file([("张家港市宏达化工有限公司", "", "塘桥镇", "红")], header)
    )
    assert again.line() == "新增 0，更新 0，未变 1"


async def test_the_seed_bureaus_3685_rows(sessions, towns):
    blue = await count(sessions, Enterprise.code == "blue")  # the demo registry's
    summary = await run_import(sessions, xlsx_file(seed_rows()))
    assert (summary.created, summary.errors, summary.total) == (3685, (), 3685)
    assert await count(sessions, Enterprise.code == "blue") == SEED_COLOURS["蓝"] + blue
    assert await count(sessions, Enterprise.credit_code.is_not(None)) == 3685
    again = await run_import(sessions, csv_file(seed_rows(), encoding="gb18030"))
    assert again.line() == "新增 0，更新 0，未变 3685"


@pytest.fixture
def cli_db(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("JUBAO_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    registry = tmp_path / "registry.yaml"
    registry.write_text("towns: [{name: 塘桥镇}, {name: 杨舍镇}]\n", encoding="utf-8")
    assert main(["registry", "load", str(registry)]) == 0
    return tmp_path


def test_the_command_imports_reports_and_exits_1_on_a_bad_row(cli_db, capsys):
    good = cli_db / "list.csv"
    good.write_bytes(csv_file([r for r in seed_rows(8) if r[2] in TOWNS]))
    capsys.readouterr()
    assert main(["registry", "import-enterprises", str(good)]) == 0
    out, err = capsys.readouterr()
    assert "共 2 行，新增 2，更新 0，未变 0" in out and "2/2" in err  # the bar's last state
    assert main(["registry", "import-enterprises", str(good)]) == 0
    assert "新增 0，更新 0，未变 2" in capsys.readouterr().out

    bad = cli_db / "list.xlsx"
    bad.write_bytes(xlsx_file([*seed_rows(1), ("明珠纺织", "", "火星镇", "", "蓝", "否")]))
    assert main(["registry", "import-enterprises", str(bad)]) == 1
    out, err = capsys.readouterr()
    assert "第3行 所属镇（区）：“火星镇”不是已登记的镇（区）" in err
    assert "新增 0，更新 0，未变 1，出错 1 行" in out


def test_the_command_refuses_an_unreadable_file(cli_db, capsys):
    headless = cli_db / "list.csv"
    headless.write_bytes(csv_file(seed_rows(1), header=("名称", "地址")))
    assert main(["registry", "import-enterprises", str(headless)]) == 1
    assert "表头缺少列" in capsys.readouterr().err
    assert main(["registry", "import-enterprises", str(cli_db / "missing.xlsx")]) == 1
    assert "missing.xlsx" in capsys.readouterr().err


async def test_the_registry_file_may_carry_a_credit_code_and_keeps_an_imported_one(sessions, towns):
    entry = {"name": "张家港市宏达化工有限公司", "town": "塘桥镇", "code": "red"}
    async with sessions.begin() as session:
        await load_registry(
            session,
            parse_registry({"enterprises": [entry | {"credit_code": credit_code(5).lower()}]}),
        )
    assert await count(sessions, Enterprise.credit_code == credit_code(5)) == 1
    async with sessions.begin() as session:  # an entry without one keeps the stored code
        await load_registry(session, parse_registry({"enterprises": [entry]}))
    assert await count(sessions, Enterprise.credit_code == credit_code(5)) == 1
    with pytest.raises(RegistryError, match="校验位"):
        parse_registry({"enterprises": [entry | {"credit_code": "914403001922038217"}]})
