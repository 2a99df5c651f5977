"""Excel (.xlsx): each worksheet becomes one table; rows above the header are the preamble."""

from __future__ import annotations

from datetime import date, datetime, time

from portal import spreadsheets

from .cleanup import clean_text
from .layout import Block, Cell, Row, Table
from .structure import DocumentError

BROKEN = "Файл повреждён или не является таблицей Excel (.xlsx)."
MAX_ROWS = 20_000
MAX_COLUMNS = 60


def read_xlsx(data: bytes) -> list[Block]:
    try:
        sheets = spreadsheets.read_xlsx(data, max_rows=MAX_ROWS, max_columns=MAX_COLUMNS)
    except spreadsheets.BrokenSpreadsheet as exc:
        raise DocumentError(BROKEN) from exc
    except spreadsheets.SpreadsheetError as exc:
        raise DocumentError(str(exc)) from exc
    return [sheet_table(sheet) for sheet in sheets]


def sheet_table(sheet) -> Table:
    """One worksheet (``portal.spreadsheets.Sheet``) as a table; OpenDocument sheets too."""
    values: dict[tuple[int, int], tuple[str, bool]] = {}
    for row, cells in sheet.rows.items():
        for column, value in enumerate(cells, start=1):
            if value is None:
                continue
            text = clean_text(_format(value).replace("_x000D_", ""))
            if text:
                values[(row, column)] = (text, (row, column) in sheet.bold)
    if not values:
        return Table()
    last_row = max(row for row, _ in values)
    last_column = max(column for _, column in values)
    covered: dict[tuple[int, int], tuple[tuple[int, int], object]] = {}
    for number, (top, left, bottom, right) in enumerate(sheet.merged):
        key = ("merged", number) if right > left else None
        # Only the part that meets the values matters; the reader bounds the rest.
        for row in range(top, min(bottom, last_row) + 1):
            for column in range(left, min(right, last_column) + 1):
                covered[(row, column)] = ((top, left), key)
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
