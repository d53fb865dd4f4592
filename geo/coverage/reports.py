"""The monthly coverage report: XLSX (sheets per grid, per member, unvisited) and CSV.

Headers are Chinese. Text cells that a spreadsheet would run as a formula (starting with
= + - @, a tab or a carriage return) get a leading apostrophe, in both formats.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import Session

from geo.coverage.figures import Row, Unit, rows, units
from geo.coverage.months import month_name

UNIT_HEADERS = ["月份", "编码", "名称", "所属", "已走访", "位置核验", "位置存疑", "企业总数",
                "走访率(%)"]  # fmt: skip
UNVISITED_HEADERS = ["月份", "网格编码", "统一社会信用代码", "企业名称", "经度", "纬度",
                     "最近走访时间", "距上次走访天数"]  # fmt: skip
CSV_HEADERS = ["层级", "月份", "编码", "名称", "所属", "已走访", "位置核验", "位置存疑",
               "企业总数", "走访率(%)", "最近走访时间", "距上次走访天数"]  # fmt: skip
LEVEL_NAMES = {"grid": "网格", "member": "网格员", "unvisited": "未走访企业"}
RISKY = ("=", "+", "-", "@", "\t", "\r")


def neutral(value: Any) -> Any:
    """A cell value that no spreadsheet runs as a formula.

    >>> neutral("=1+1"), neutral("-3"), neutral(-3), neutral("甲")
    ("'=1+1", "'-3", -3, '甲')
    """
    if isinstance(value, str) and value.startswith(RISKY):
        return "'" + value
    return value


def _unit_line(month: date, unit: Unit) -> list[Any]:
    parent = unit.parent_code if unit.level == "member" else unit.community_code
    return [month_name(month), unit.code, unit.name, parent, unit.visited, unit.verified,
            unit.flagged, unit.total, unit.percent]  # fmt: skip


def _unvisited(session: Session, month: date) -> list[Row]:
    found = [r for r in rows(session, month) if r.state == "unvisited"]
    return sorted(found, key=lambda r: (r.last_visited_at is not None, r.last_visited_at, r.uscc))


def _row_line(month: date, row: Row) -> list[Any]:
    last = row.last_visited_at.strftime("%Y-%m-%d %H:%M") if row.last_visited_at else None
    return [month_name(month), row.grid_code, row.uscc, row.name, round(row.lon, 6),
            round(row.lat, 6), last, row.days_since(month)]  # fmt: skip


def _sheet(book: Workbook, title: str, headers: list[str], lines: Iterable[list[Any]]) -> None:
    sheet = book.create_sheet(title)
    sheet.append(headers)
    for line in lines:
        sheet.append([neutral(v) for v in line])
    for i, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = max(10, len(header) * 2 + 4)
    sheet.freeze_panes = "A2"


def xlsx_report(session: Session, month: date) -> bytes:
    """The month's report as an XLSX workbook."""
    book = Workbook()
    book.remove(book.active)
    _sheet(
        book, "按网格", UNIT_HEADERS, (_unit_line(month, u) for u in units(session, month, "grid"))
    )
    _sheet(book, "按网格员", UNIT_HEADERS,
           (_unit_line(month, u) for u in units(session, month, "member")))  # fmt: skip
    _sheet(book, "未走访企业", UNVISITED_HEADERS,
           (_row_line(month, r) for r in _unvisited(session, month)))  # fmt: skip
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_report(session: Session, month: date) -> str:
    """The month's report as one CSV table; `层级` says what each line is."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADERS)
    for level in ("grid", "member"):
        for unit in units(session, month, level):
            writer.writerow([neutral(v) for v in [LEVEL_NAMES[level], *_unit_line(month, unit)]]
                            + [None, None])  # fmt: skip
    for row in _unvisited(session, month):
        m, grid, uscc, name, _lon, _lat, last, days = _row_line(month, row)
        line = [LEVEL_NAMES["unvisited"], m, uscc, name, grid, None, None, None, None, None,
                last, days]  # fmt: skip
        writer.writerow([neutral(v) for v in line])
    return out.getvalue()
