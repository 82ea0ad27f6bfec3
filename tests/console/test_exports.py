"""The download writers: what Excel and openpyxl read back is what the page showed."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from openpyxl import load_workbook

from console.exports import csv_bytes, xlsx_bytes
from tests.console.test_sign_in import log_in
from tests.staff import StaffApi

HEADER = ["编号", "类别", "罚款"]
ROWS = [["ZJG-2026-0001", "受伤或事故", Decimal("15000.00")], ["ZJG-2026-0002", "事故隐患", None]]


def test_csv_starts_with_a_bom_and_reads_back_in_chinese() -> None:
    body = csv_bytes(HEADER, ROWS)
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows == [
        HEADER,
        ["ZJG-2026-0001", "受伤或事故", "15000.00"],
        ["ZJG-2026-0002", "事故隐患", ""],
    ]


def test_xlsx_opens_with_openpyxl_with_the_same_cells() -> None:
    book = load_workbook(io.BytesIO(xlsx_bytes("举报一览", HEADER, ROWS)))
    sheet = book["举报一览"]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == HEADER
    assert values[1][:2] == ["ZJG-2026-0001", "受伤或事故"]
    assert Decimal(str(values[1][2])) == Decimal("15000.00")
    assert values[2] == ["ZJG-2026-0002", "事故隐患", None]


TRAP = '=HYPERLINK("http://example.invalid","点击查看")'


def test_text_a_spreadsheet_would_evaluate_stays_text() -> None:
    rows = [["ZJG-2026-0003", TRAP, -5], ["ZJG-2026-0004", "+86 举报", "@某人"]]
    read = list(csv.reader(io.StringIO(csv_bytes(HEADER, rows).decode("utf-8-sig"))))
    assert read[1] == ["ZJG-2026-0003", "'" + TRAP, "-5"]  # a number stays a number
    assert read[2] == ["ZJG-2026-0004", "'+86 举报", "'@某人"]
    sheet = load_workbook(io.BytesIO(xlsx_bytes("举报一览", HEADER, rows)))["举报一览"]
    assert sheet["B2"].value == TRAP and sheet["B2"].data_type == "s"
    assert sheet["C2"].value == -5 and sheet["C3"].data_type == "s"


async def test_a_reporters_formula_is_text_in_the_list_downloads(client, sessions, clock, reports):  # type: ignore[no-untyped-def]
    await StaffApi(client, sessions, clock).add("wang", "dispatcher")
    await reports.filed(description=TRAP + " 仓库消防通道被堵死。")
    await log_in(client, "wang")
    body = await (await client.get("/console/reports.xlsx")).read()
    cells = [cell for row in load_workbook(io.BytesIO(body)).active.iter_rows() for cell in row]
    trap = [cell for cell in cells if str(cell.value).startswith("=HYPERLINK")]
    assert trap and all(cell.data_type == "s" for cell in trap)
    text = (await (await client.get("/console/reports.csv")).read()).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
