"""Bounded reading of Excel workbooks (.xlsx): only the cells that exist, within set limits.

A worksheet declares its size (``<dimension ref="A1:XFD1048576"/>``), and openpyxl's read-only
rows are padded to it: a 5 KB file with one cell at XFD1048576 then fills gigabytes with empty
cells. A fully loaded workbook is no better: a merged range over the whole sheet makes a cell
object for each of its 17 billion cells. Here the sheet's XML is streamed with openpyxl's own
parser (shared strings, dates and styles as openpyxl reads them) and only the cells that hold a
value are kept. The declared size is never consulted; a value beyond the caller's limits stops
the reading at once with a sentence for the user.

The directory import, the self-diagnosis round's results and the roadmap import all read Excel
through here.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field

from portal.russian import plural, quote

MAX_UNPACKED = 100 * 1024 * 1024
MAX_ENTRIES = 10_000
BROKEN = "Файл повреждён или не является книгой Excel (.xlsx)."
TOO_BIG_UNPACKED = "Файл Excel слишком велик после распаковки."


class SpreadsheetError(Exception):
    """The workbook cannot be read within the limits; the message is for the user."""


class BrokenSpreadsheet(SpreadsheetError):
    """Not a workbook at all, or a damaged one; callers may word this their own way."""

    def __init__(self, message: str = BROKEN):
        super().__init__(message)


@dataclass
class Sheet:
    """The values of one worksheet. ``rows`` maps a row number (from 1) to its values from
    column 1 up to the row's last value (None where a cell is empty)."""

    title: str
    rows: dict[int, list] = field(default_factory=dict)
    bold: set[tuple[int, int]] = field(default_factory=set)
    # (first row, first column, last row, last column), cut to the reader's limits.
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)

    @property
    def last_row(self) -> int:
        return max(self.rows, default=0)

    @property
    def last_column(self) -> int:
        return max((len(values) for values in self.rows.values()), default=0)

    def table(self) -> list[list]:
        """Rows 1 to the last row with a value; a row without values is an empty list."""
        return [self.rows.get(number, []) for number in range(1, self.last_row + 1)]


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", "\u00a0")


def too_many_rows(title: str, limit: int) -> str:
    return (
        f"В таблице больше {_thousands(limit)} {plural(limit, 'строки,строк,строк')} "
        f"(лист {quote(title)}): "
        "разделите её на части или удалите лишние строки."
    )


def too_many_columns(title: str, limit: int) -> str:
    return (
        f"В таблице больше {_thousands(limit)} {plural(limit, 'столбца,столбцов,столбцов')} "
        f"(лист {quote(title)}): удалите лишние столбцы."
    )


def read_xlsx(
    data: bytes,
    *,
    max_rows: int,
    max_columns: int,
    max_sheets: int | None = None,
    max_unpacked: int = MAX_UNPACKED,
) -> list[Sheet]:
    """The worksheets of a workbook (the first ``max_sheets`` of them), refused whole when a
    value lies beyond ``max_rows`` or ``max_columns`` or the archive unpacks too big."""
    from openpyxl import load_workbook

    _check_archive(data, max_unpacked)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # zip, XML and openpyxl's own errors alike
        raise BrokenSpreadsheet() from exc
    try:
        worksheets = workbook.worksheets[:max_sheets]
        return [_read_sheet(sheet, max_rows, max_columns) for sheet in worksheets]
    finally:
        workbook.close()


def _check_archive(data: bytes, max_unpacked: int) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,  # a damaged header can claim a zip version Python cannot read
        EOFError,
        OSError,
        ValueError,
    ):
        raise BrokenSpreadsheet() from None
    if len(entries) > MAX_ENTRIES or sum(e.file_size for e in entries) > max_unpacked:
        raise SpreadsheetError(TOO_BIG_UNPACKED)


def _read_sheet(sheet, max_rows: int, max_columns: int) -> Sheet:
    from openpyxl.cell.read_only import ReadOnlyCell
    from openpyxl.utils.cell import range_boundaries
    from openpyxl.worksheet._reader import WorkSheetParser

    workbook = sheet.parent
    result = Sheet(title=sheet.title)
    bold_styles: dict[int, bool] = {}
    try:
        # What ReadOnlyWorksheet._cells_by_row does, without the padding to the declared size.
        with sheet._get_source() as source:
            parser = WorkSheetParser(
                source,
                sheet._shared_strings,
                data_only=True,
                epoch=workbook.epoch,
                date_formats=workbook._date_formats,
                timedelta_formats=workbook._timedelta_formats,
            )
            for _, cells in parser.parse():
                for cell in cells:
                    value = cell["value"]
                    if value is None or value == "":
                        continue
                    row, column = cell["row"], cell["column"]
                    if row > max_rows:
                        raise SpreadsheetError(too_many_rows(sheet.title, max_rows))
                    if column > max_columns:
                        raise SpreadsheetError(too_many_columns(sheet.title, max_columns))
                    values = result.rows.setdefault(row, [])
                    if len(values) < column:
                        values.extend([None] * (column - len(values)))
                    values[column - 1] = value
                    style = cell["style_id"]
                    if style not in bold_styles:
                        font = ReadOnlyCell(sheet, row, column, None, style_id=style).font
                        bold_styles[style] = bool(font and font.b)
                    if bold_styles[style]:
                        result.bold.add((row, column))
            merged = parser.merged_cells.mergeCell if parser.merged_cells else ()
            area = 0
            for merge in merged:
                left, top, right, bottom = range_boundaries(merge.ref)
                if top > max_rows or left > max_columns:
                    continue
                bottom, right = min(bottom, max_rows), min(right, max_columns)
                area += (bottom - top + 1) * (right - left + 1)
                # Merged ranges never overlap in a sound file, so together they cover at most
                # the sheet's area: more means a crafted file, whose ranges would cost a loop
                # over every cell they claim.
                if area > max_rows * max_columns:
                    raise BrokenSpreadsheet()
                result.merged.append((top, left, bottom, right))
    except SpreadsheetError:
        raise
    except Exception as exc:
        raise BrokenSpreadsheet() from exc
    return result
