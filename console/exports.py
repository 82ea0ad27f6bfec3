"""Tables as downloads: CSV (UTF-8 with a BOM, so Excel on a bureau's PC reads the Chinese) and
XLSX (openpyxl). Handlers build the header and rows; these only write them. Text that a
spreadsheet would take for a formula (a citizen may type `=HYPERLINK(…)`) stays text: an
apostrophe before it in CSV (OWASP's advice), a cell typed as a string in XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from aiohttp import web
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

Row = Sequence[object]

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_cell(value: object) -> object:
    """Pure: the value as a CSV cell that no spreadsheet evaluates."""
    return f"'{value}" if _formula_like(value) else value


def _xlsx_row(sheet: Any, row: Row) -> list[object]:
    cells: list[object] = []
    for value in row:
        if _formula_like(value):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # openpyxl would write it as a formula
            value = cell
        cells.append(value)
    return cells


def csv_bytes(header: Row, rows: Iterable[Row]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(title: str, header: Row, rows: Iterable[Row]) -> bytes:
    """One sheet named `title` (Excel allows 31 characters), the header row bold-free and plain."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append(list(header))
    for row in rows:
        sheet.append(_xlsx_row(sheet, row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_book_bytes(sheets: Sequence[tuple[str, Iterable[Row]]]) -> bytes:
    """Several sheets, each (title, rows); titles cut to Excel's 31 characters."""
    book = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = book.create_sheet(title[:31])
        for row in rows:
            sheet.append(_xlsx_row(sheet, row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def download(body: bytes, filename: str, content_type: str) -> web.Response:
    """An attachment; the file name may be Chinese (RFC 5987 `filename*`)."""
    disposition = f"attachment; filename*=UTF-8''{quote(filename)}"
    return web.Response(
        body=body, content_type=content_type, headers={"Content-Disposition": disposition}
    )


def csv_download(filename: str, header: Row, rows: Iterable[Row]) -> web.Response:
    return download(csv_bytes(header, rows), filename, "text/csv")


def xlsx_download(filename: str, title: str, header: Row, rows: Iterable[Row]) -> web.Response:
    return download(xlsx_bytes(title, header, rows), filename, XLSX_TYPE)
