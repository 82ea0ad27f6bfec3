"""An enterprise list file as a table of cells: XLSX (the first sheet, by openpyxl) or CSV in
UTF-8 (with or without a BOM) or GB18030 (what Excel on a Chinese PC saves as "CSV"). Which one
is told by the content, not the name: an XLSX is a ZIP file."""

from __future__ import annotations

import csv
import io
import zipfile

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from complaints.enterprise_rows import ImportFileError

Table = list[list[object]]


def read_table(content: bytes) -> Table:
    """The rows of the file's cells; raises ImportFileError when it is neither format."""
    if content.startswith(b"PK\x03\x04"):
        return _xlsx(content)
    return _csv(decode(content))


def decode(content: bytes) -> str:
    """UTF-8 (a BOM dropped) when the bytes are UTF-8, else GB18030 (a superset of GBK and
    GB2312); anything else is refused rather than read as mojibake."""
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("gb18030")
    except UnicodeDecodeError:
        raise ImportFileError("文件既不是 XLSX，也不是 UTF-8 或 GB18030 编码的 CSV") from None


def _csv(content: str) -> Table:
    first = content.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","  # Excel's "Unicode text"
    try:
        return [
            list(row) for row in csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)
        ]
    except csv.Error as error:
        raise ImportFileError(f"CSV 格式有误：{error}") from None


def _xlsx(content: bytes) -> Table:
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise ImportFileError(
            "无法打开 XLSX 文件（文件已损坏，或不是 Excel 2007 以后的格式）"
        ) from None
    try:
        sheet = book.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
