"""The download writers: what Excel and openpyxl read back is what the page showed."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from openpyxl import load_workbook

from console.exports import csv_bytes, xlsx_bytes

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
