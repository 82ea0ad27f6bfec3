"""Tables as downloads: CSV (UTF-8 with a BOM, so Excel on a bureau's PC reads the Chinese) and
XLSX (openpyxl). Handlers build the header and rows; these only write them."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from urllib.parse import quote

from aiohttp import web
from openpyxl import Workbook

Row = Sequence[object]

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_bytes(header: Row, rows: Iterable[Row]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(title: str, header: Row, rows: Iterable[Row]) -> bytes:
    """One sheet named `title` (Excel allows 31 characters), the header row bold-free and plain."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_book_bytes(sheets: Sequence[tuple[str, Iterable[Row]]]) -> bytes:
    """Several sheets, each (title, rows); titles cut to Excel's 31 characters."""
    book = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = book.create_sheet(title[:31])
        for row in rows:
            sheet.append(list(row))
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
