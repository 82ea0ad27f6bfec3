"""Enterprise lists as a bureau keeps them, made for tests: valid credit codes, the demo's
towns, and the seed bureau's 3,685 rows (2,043 blue, 827 red) written as CSV or XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook

from complaints.credit_code import CHARSET, check_character

HEADER = ("企业名称", "统一社会信用代码", "所属镇（区）", "地址", "风险等级", "黑名单")
TOWNS = ("杨舍镇", "塘桥镇", "金港镇", "锦丰镇", "乐余镇", "凤凰镇", "南丰镇", "大新镇")
SEED_COLOURS = {"蓝": 2043, "黄": 510, "橙": 305, "红": 827}  # 3,685 in all


def credit_code(serial: int) -> str:
    """A valid code for Zhangjiagang (320582) whose organisation part encodes `serial`."""
    body, n = "", serial
    for _ in range(9):
        n, digit = divmod(n, 31)
        body = CHARSET[digit] + body
    first17 = f"91320582{body}"
    return first17 + check_character(first17)


def seed_rows(count: int | None = None) -> list[tuple[str, ...]]:
    """The seed bureau's list: 3,685 rows, or the first `count` of them."""
    colours = [colour for colour, n in SEED_COLOURS.items() for _ in range(n)]
    rows = [
        (
            f"张家港市第{i + 1}号安全示范有限公司",
            credit_code(1000 + i),
            TOWNS[i % len(TOWNS)],
            f"{TOWNS[i % len(TOWNS)]}工业路{i + 1}号",
            colour,
            "是" if i % 97 == 0 else "否",
        )
        for i, colour in enumerate(colours)
    ]
    return rows[:count] if count is not None else rows


def csv_file(
    rows: Sequence[Sequence[object]], header: Sequence[str] = HEADER, *, encoding: str = "utf-8-sig"
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_file(rows: Sequence[Sequence[object]], header: Sequence[str] = HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
