"""Excel (.xlsx): each worksheet becomes one table; rows above the header are the preamble."""

from __future__ import annotations

import io
from datetime import date, datetime, time

import openpyxl

from .cleanup import clean_text
from .layout import Block, Cell, Row, Table
from .structure import DocumentError

BROKEN = "Файл повреждён или не является таблицей Excel (.xlsx)."
MAX_ROWS = 20_000
MAX_COLUMNS = 60


def read_xlsx(data: bytes) -> list[Block]:
    try:
        # Not read-only: merged ranges are only known to a fully loaded sheet.
        workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # zip, XML and openpyxl's own errors alike
        raise DocumentError(BROKEN) from exc
    return [_sheet(sheet) for sheet in workbook.worksheets]


def _sheet(sheet) -> Table:
    values: dict[tuple[int, int], tuple[str, bool]] = {}
    # ``_cells`` holds only the cells that exist; iter_rows() would create every cell up to the
    # sheet's dimensions, which a stray format on row 1 048 576 makes enormous.
    for (row, column), cell in sheet._cells.items():
        if cell.value is None or column > MAX_COLUMNS:
            continue
        text = clean_text(_format(cell.value).replace("_x000D_", ""))
        if text:
            values[(row, column)] = (text, bool(cell.font and cell.font.b))
    covered: dict[tuple[int, int], tuple[tuple[int, int], object]] = {}
    for number, merged in enumerate(sheet.merged_cells.ranges):
        top, left = merged.min_row, merged.min_col
        key = ("merged", number) if merged.max_col > merged.min_col else None
        for row in range(top, min(merged.max_row, top + MAX_ROWS) + 1):
            for column in range(left, min(merged.max_col, MAX_COLUMNS) + 1):
                covered[(row, column)] = ((top, left), key)
    if not values:
        return Table()
    last_row = max(row for row, _ in values)
    last_column = max(column for _, column in values)
    if last_row > MAX_ROWS:
        raise DocumentError(
            f"На листе «{sheet.title}» больше {MAX_ROWS:,} строк".replace(",", " ")
            + ": это не похоже на план мероприятий."
        )
    rows = []
    for row in range(1, last_row + 1):
        cells = []
        for column in range(1, last_column + 1):
            origin, key = covered.get((row, column), ((row, column), None))
            text, bold = values.get(origin, ("", False))
            cells.append(Cell(text, bold, span=key, continued=origin[0] != row))
        rows.append(Row(cells))
    return Table(rows)


def _format(value) -> str:
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y") if value.time() == time() else f"{value:%d.%m.%Y %H:%M}"
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "да" if value else "нет"
    return str(value)
