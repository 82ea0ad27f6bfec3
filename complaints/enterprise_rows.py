"""The rows of a bureau's enterprise list (pure): which column is which, by its Chinese or English
header in any order, and each row checked into an EnterpriseRow or RowErrors naming the
spreadsheet row, the column and the problem in Chinese. complaints/enterprise_file.py turns a
CSV or XLSX file into the table this reads; complaints/enterprise_import.py writes the rows."""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from complaints.credit_code import credit_code_problem

# field → its label in a report, then the header names recognised (compared by `_key`)
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "name": ("企业名称", ("企业名称", "单位名称", "企业", "名称", "name", "enterprise", "company")),
    "credit_code": (
        "统一社会信用代码",
        ("统一社会信用代码", "社会信用代码", "信用代码", "credit code", "credit_code",
         "unified social credit code", "uscc"),
    ),
    "town": ("所属镇（区）", ("所属镇（区）", "所属镇", "镇（区）", "镇区", "镇", "town")),
    "address": ("地址", ("地址", "企业地址", "详细地址", "经营地址", "address")),
    "code": (
        "风险等级",
        ("风险等级/颜色", "风险等级", "颜色", "风险颜色", "颜色等级", "等级", "colour", "color",
         "colour code", "color code", "code", "risk", "risk level"),
    ),
    "blacklisted": ("黑名单", ("黑名单", "是否黑名单", "列入黑名单", "blacklist", "blacklisted")),
}  # fmt: skip
REQUIRED = ("name", "town", "code")
COLOURS = {
    **dict.fromkeys(("蓝", "蓝色", "blue"), "blue"),
    **dict.fromkeys(("黄", "黄色", "yellow"), "yellow"),
    **dict.fromkeys(("橙", "橙色", "orange"), "orange"),
    **dict.fromkeys(("红", "红色", "red"), "red"),
}
FLAGS = {
    **dict.fromkeys(("是", "y", "yes", "true", "1", "√"), True),
    **dict.fromkeys(("", "否", "n", "no", "false", "0"), False),
}
NAME_MAX, ADDRESS_MAX = 128, 255  # the columns of Enterprise
HEADER_SEARCH = 10  # rows looked at for the header


class ImportFileError(ValueError):
    """The file cannot be read as an enterprise list at all; the message is Chinese."""


@dataclass(frozen=True)
class EnterpriseRow:
    row: int  # the spreadsheet's row number, as Excel shows it
    name: str
    credit_code: str | None
    town: str
    address: str | None  # None: the file has no such column (what is stored stays)
    code: str  # blue | yellow | orange | red
    blacklisted: bool | None  # None: likewise


@dataclass(frozen=True)
class RowError:
    row: int
    column: str  # the column's Chinese label
    problem: str

    def __str__(self) -> str:
        return f"第{self.row}行 {self.column}：{self.problem}"


@dataclass(frozen=True)
class ParsedRows:
    rows: tuple[EnterpriseRow, ...]
    errors: tuple[RowError, ...]
    total: int  # data rows, blank rows not counted


def _key(header: str) -> str:
    return "".join(unicodedata.normalize("NFKC", header).split()).casefold().replace("_", "")


HEADERS = {_key(alias): field for field, (_, aliases) in COLUMNS.items() for alias in aliases}


def text(cell: object) -> str:
    """A cell as text, stripped (full-width spaces too) but otherwise as typed: a name's
    full-width brackets stay. Nothing is "", a whole float (Excel's numbers) loses its `.0`."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def columns(header: Sequence[object]) -> dict[str, int]:
    """Field → column index, from the header row; raises ImportFileError when a required
    column is missing or a column appears twice."""
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        field = HEADERS.get(_key(text(cell).lstrip("\ufeff")))
        if field is None:
            continue
        if field in found:
            raise ImportFileError(f"表头中“{COLUMNS[field][0]}”列出现了两次（第{index + 1}列）")
        found[field] = index
    missing = [COLUMNS[field][0] for field in REQUIRED if field not in found]
    if missing:
        raise ImportFileError(f"表头缺少列：{'、'.join(missing)}")
    return found


def header_row(table: Sequence[Sequence[object]]) -> tuple[int, dict[str, int]]:
    """The index of the header row and its columns: the first of the first HEADER_SEARCH rows
    that names every required column (a title row or two above it, as bureaus' sheets often
    have, is passed over); raises the first row's complaint when none does."""
    first: ImportFileError | None = None
    for index, cells in enumerate(table[:HEADER_SEARCH]):
        try:
            return index, columns(cells)
        except ImportFileError as error:
            first = first or error
    assert first is not None
    raise ImportFileError(f"{first}（表头应在前{HEADER_SEARCH}行之内）")


def parse_rows(table: Sequence[Sequence[object]], towns: Collection[str]) -> ParsedRows:
    """Check every data row of `table` (the rows below its header) against the registered `towns`.
    A credit code or a name that an earlier row of the file has already used is an error (an
    enterprise's name is unique too)."""
    if not table:
        raise ImportFileError("文件是空的")
    header, where = header_row(table)
    rows: list[EnterpriseRow] = []
    errors: list[RowError] = []
    codes: dict[str, int] = {}
    names: dict[str, int] = {}
    total = 0
    for number, cells in enumerate(table[header + 1 :], start=header + 2):
        values = {field: text(cells[i]) if i < len(cells) else "" for field, i in where.items()}
        if not any(values.values()):
            continue
        total += 1
        problems = _problems(values, towns)
        code = values.get("credit_code", "").upper() or None
        if code and code in codes:
            problems.append(("credit_code", f"与第{codes[code]}行重复"))
        elif values["name"] in names:
            problems.append(("name", f"与第{names[values['name']]}行重复"))
        if problems:
            errors += [RowError(number, COLUMNS[field][0], problem) for field, problem in problems]
            continue
        if code:
            codes[code] = number
        names.setdefault(values["name"], number)
        rows.append(
            EnterpriseRow(
                row=number,
                name=values["name"],
                credit_code=code,
                town=values["town"],
                address=values.get("address"),
                code=COLOURS[values["code"].casefold()],
                blacklisted=FLAGS[values["blacklisted"].casefold()]
                if "blacklisted" in values
                else None,
            )
        )
    return ParsedRows(tuple(rows), tuple(errors), total)


def _problems(values: dict[str, str], towns: Collection[str]) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if not values["name"]:
        problems.append(("name", "不能为空"))
    elif len(values["name"]) > NAME_MAX:
        problems.append(("name", f"超过{NAME_MAX}个字"))
    code = values.get("credit_code", "").upper()
    if code and (problem := credit_code_problem(code)):
        problems.append(("credit_code", f"“{code}”{problem}"))
    if not values["town"]:
        problems.append(("town", "不能为空"))
    elif values["town"] not in towns:
        problems.append(("town", f"“{values['town']}”不是已登记的镇（区）"))
    if len(values.get("address", "")) > ADDRESS_MAX:
        problems.append(("address", f"超过{ADDRESS_MAX}个字"))
    if values["code"].casefold() not in COLOURS:
        shown = f"“{values['code']}”" if values["code"] else "为空"
        problems.append(("code", f"{shown}，应为 蓝、黄、橙、红（或 blue、yellow、orange、red）"))
    if values.get("blacklisted", "").casefold() not in FLAGS:
        problems.append(("blacklisted", f"“{values['blacklisted']}”，应为 是 或 否"))
    return problems
