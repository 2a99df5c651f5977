"""A plan as an Excel workbook that prints like the official table and imports back unchanged.

The layout is the one `roadmaps.importers` reads: the grif and the title above the header row,
the header with the column names it knows, each section as one merged full-width bold row
(«1. Организационно-управленческое сопровождение»), the items, then a blank row and the
glossary under a full-width «Обозначения и сокращения» row. Columns after «Ожидаемый
результат» repeat what the portal parsed: directions, and the dates the deadline means. Their
headers avoid the words the importer takes for a deadline column («срок», «дата», «период»),
so a re-import reads the deadline from «Сроки» alone.

Every workbook the portal writes puts its values in through `write_cell`, `set_cell` or
`row_cells` (below): text people typed stays text, never a formula, and a character XML cannot
carry is dropped instead of failing the whole file.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from reports.plan import (
    GLOSSARY_TITLE,
    ItemRow,
    SectionRow,
    load_plan,
)
from roadmaps import layout
from roadmaps.grif import approval_block
from roadmaps.importers.columns import REFERENCE_MARK
from roadmaps.models import Item

# Width in characters of each kind of the plan's own columns (roadmaps/layout.py keys).
KEY_WIDTHS = {
    layout.NUMBER: 8,
    layout.TITLE: 60,
    layout.DEADLINE: 18,
    layout.RESPONSIBLE: 24,
    layout.RESULT: 44,
    layout.DIRECTION: 20,
}
# After the plan's own columns, what a spreadsheet user sorts and filters by: the directions
# (unless the plan has its own column for them) and the deadline as parsed. The importer reads
# the directions back but, marked «(справочно)», not as a column of the plan; the deadline
# columns' headings avoid the words it takes for a plan's column. So the file reads back as the
# same plan, in the same layout.
DIRECTIONS_COLUMN = (f"Направления {REFERENCE_MARK}", 20, layout.DIRECTION)
DATA_COLUMNS = [("Начало", 12, "start"), ("Окончание", 12, "end"), ("Вид", 17, "kind")]


def sheet_columns(columns) -> list[tuple[str, int, str]]:
    """(heading, width, key) of every column of the plan's sheet: the plan's own columns in
    its order under its headings (layout.plan_columns), then the data columns."""
    own = [(column.heading, KEY_WIDTHS[column.key], column.key) for column in columns]
    extra = [] if any(key == layout.DIRECTION for *_, key in own) else [DIRECTIONS_COLUMN]
    return own + extra + DATA_COLUMNS


# The standard plan's sheet: (heading, width) as a plan made in the portal has them.
COLUMNS = [(heading, width) for heading, width, _ in sheet_columns(layout.STANDARD)]
DATE_FORMAT = "DD.MM.YYYY"
FONT = "Times New Roman"
LINE_HEIGHT = 15  # points for a row of one line of 11 pt text
WRAPPED_LINE = 13  # points for each further line (Times New Roman 11 pt sets lines 12.65 pt apart)
# Characters of 11 pt Times New Roman (Cyrillic, mixed case) per unit of column width; a unit is
# the width of «0» in the workbook's default font. LibreOffice's print of the Tyumen plan holds
# 1.25–1.3 a unit (73 characters in the 60-unit column); a little less leaves room for Excel.
CHARS_PER_UNIT = 1.2

_thin = Side(style="thin", color="000000")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
HEADER_FILL = PatternFill("solid", fgColor="E9E9E9")
SECTION_FILL = PatternFill("solid", fgColor="F3F3F3")


# Cells ------------------------------------------------------------------------------------------

# Text starting with these is a formula to a spreadsheet program once typed in; written as a
# string it is shown as it is, and the quote prefix keeps it text when someone edits the cell.
FORMULA_START = ("=", "+", "-", "@")


def cell_text(text: str) -> str:
    """Text without the control characters XML 1.0 cannot carry (openpyxl refuses them, and
    older stored text may hold them)."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def set_cell(cell, value):
    """Put a value in a cell: text is stored as a string, whatever it starts with («=HYPERLINK(…)»
    is shown, not run), cleaned of characters a workbook cannot hold; other values as they are.
    Returns the cell."""
    if isinstance(value, str):
        value = cell_text(value)
        cell.value = value
        cell.data_type = "s"  # openpyxl takes a string starting with «=» for a formula
        if value.startswith(FORMULA_START):
            cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def write_cell(sheet, row: int, column: int, value=None):
    """``sheet.cell(row, column, value)`` with `set_cell`'s guarantees; None leaves the value."""
    cell = sheet.cell(row, column)
    if value is not None:
        set_cell(cell, value)
    return cell


def row_cells(sheet, values) -> list:
    """A row for ``append`` on a write-only sheet, its text cleaned and kept text.

    Plain values are cheaper than cells (a results export has a million of them), and openpyxl
    stores a plain string as a string unless it starts with «=»: so only from the first text
    that looks like a formula on are the values given as cells. From there on all of them are,
    because openpyxl writes the plain values after a cell through that cell, style and all."""
    row = []
    as_cells = False
    for value in values:
        if isinstance(value, str):
            value = cell_text(value)
            as_cells = as_cells or value.startswith(FORMULA_START)
        if as_cells and value is not None:
            value = set_cell(WriteOnlyCell(sheet), value)
        row.append(value)
    return row


def plan_xlsx(roadmap) -> bytes:
    plan = load_plan(roadmap)
    columns = sheet_columns(plan.columns)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "План"
    workbook.properties.title = cell_text(roadmap.title)[:255]
    workbook.properties.creator = "Портал «Школа Минпросвещения России»"

    for index, (_, width, _) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width

    # The grif sits over the right-hand columns, as on paper: from the plan's last own column.
    row = _write_preamble(sheet, roadmap, columns, grif_first=len(plan.columns))
    header_row = row
    for index, (title, _, _) in enumerate(columns, start=1):
        cell = write_cell(sheet, header_row, index, title)
        cell.font = Font(name=FONT, bold=True)
        cell.alignment = CENTER
        cell.fill = HEADER_FILL
        cell.border = BORDER
    sheet.row_dimensions[header_row].height = row_height(
        (title, width) for title, width, _ in columns
    )
    row += 1
    for entry in plan.rows:
        if isinstance(entry, SectionRow):
            _write_section(sheet, row, entry, columns)
        else:
            _write_item(sheet, row, entry, columns)
        row += 1
    if plan.glossary:
        _write_glossary(sheet, row + 1, plan.glossary, columns)

    sheet.freeze_panes = sheet.cell(header_row + 1, 1)
    print_setup(sheet, header_row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _width(columns, first: int = 1) -> int:
    """Width of the columns from the `first` (1-based) to the last."""
    return sum(width for _, width, _ in columns[first - 1 :])


def _write_preamble(sheet, roadmap, columns, *, grif_first: int) -> int:
    """The grif at the top right, a blank row, the title; returns the header's row number."""
    block = approval_block(roadmap)
    lines = (["ПРОЕКТ"] if block.draft else []) + [block.head, *block.lines]
    last = len(columns)
    row = 1
    for number, line in enumerate(lines):
        cell = write_cell(sheet, row, grif_first, line)
        cell.font = Font(name=FONT, bold=number == 0 or line == block.head)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        _merge(sheet, row, grif_first, last)
        _fit_height(sheet, row, line, _width(columns, grif_first))
        row += 1
    row += 1
    cell = write_cell(sheet, row, 1, roadmap.title)
    cell.font = Font(name=FONT, bold=True, size=13)
    cell.alignment = CENTER
    _merge(sheet, row, 1, last)
    title_width = _width(columns) * 11 / 13  # the title is set in 13 pt
    _fit_height(sheet, row, roadmap.title, title_width, line_height=18, always=True)
    return row + 2


def _write_section(sheet, row: int, section: SectionRow, columns) -> None:
    cell = write_cell(sheet, row, 1, section.heading)
    cell.font = Font(name=FONT, bold=True, italic=section.depth > 0)
    cell.alignment = Alignment(wrap_text=True, vertical="center")
    cell.fill = SECTION_FILL
    _merge(sheet, row, 1, len(columns))
    for column in range(1, len(columns) + 1):
        sheet.cell(row, column).border = BORDER
    _fit_height(sheet, row, section.heading, _width(columns))


def _item_value(entry: ItemRow, key: str):
    item = entry.item
    if key == "start":
        return item.deadline_start
    if key == "end":
        return item.deadline_end
    if key == "kind":
        return Item.DeadlineKind(item.deadline_kind).label if item.deadline_kind else ""
    return entry.text(key)


def _write_item(sheet, row: int, entry: ItemRow, columns) -> None:
    values = [_item_value(entry, key) for _, _, key in columns]
    for column, (value, (_, _, key)) in enumerate(zip(values, columns, strict=True), start=1):
        cell = write_cell(sheet, row, column, value if value not in ("", None) else None)
        cell.font = Font(name=FONT)
        cell.alignment = WRAP
        cell.border = BORDER
        if key == layout.NUMBER:
            cell.number_format = "@"  # «1.10» stays text, never the number 1.1
            cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="center")
        elif key in ("start", "end"):
            cell.number_format = DATE_FORMAT
            cell.alignment = Alignment(vertical="top", horizontal="center")
    sheet.row_dimensions[row].height = row_height(
        (value, width)
        for value, (_, width, _) in zip(values, columns, strict=True)
        if isinstance(value, str)
    )


def _write_glossary(sheet, row: int, glossary: list[tuple[str, str]], columns) -> None:
    last = len(columns)
    heading = write_cell(sheet, row, 1, GLOSSARY_TITLE)
    heading.font = Font(name=FONT, bold=True)
    _merge(sheet, row, 1, last)
    row += 1
    for column, text in ((2, "Сокращение"), (3, "Полное наименование")):
        cell = write_cell(sheet, row, column, text)
        cell.font = Font(name=FONT, bold=True)
        cell.alignment = CENTER
        cell.fill = HEADER_FILL
    _merge(sheet, row, 3, last)
    _box(sheet, row, 2, last)
    for abbreviation, full_name in glossary:
        row += 1
        write_cell(sheet, row, 2, abbreviation).font = Font(name=FONT, bold=True)
        sheet.cell(row, 2).alignment = WRAP
        cell = write_cell(sheet, row, 3, full_name)
        cell.font = Font(name=FONT)
        cell.alignment = WRAP
        _merge(sheet, row, 3, last)
        _box(sheet, row, 2, last)
        _fit_height(sheet, row, full_name, _width(columns, 3))


def print_setup(sheet, header_row: int) -> None:
    """Landscape A4, one page wide and as many down as it takes, the header row on every page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4  # write-only sheets lack the constant
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as it takes
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.oddFooter.right.text = "стр. &P из &N"
    sheet.oddFooter.right.size = 9


def _merge(sheet, row: int, first: int, last: int) -> None:
    if last > first:
        sheet.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)


def _box(sheet, row: int, first: int, last: int) -> None:
    for column in range(first, last + 1):
        sheet.cell(row, column).border = BORDER


def wrapped_lines(text, width: float) -> int:
    """How many lines ``text`` takes in a wrapping cell ``width`` units wide: words are laid
    out greedily, a word longer than a line is cut, and every newline starts a line."""
    capacity = max(int(width * CHARS_PER_UNIT) - 1, 1)  # a character's worth of cell padding
    total = 0
    for paragraph in str(text).split("\n"):
        lines, used = 1, 0
        for word in paragraph.split():
            size = len(word)
            if used and used + 1 + size <= capacity:
                used += 1 + size
                continue
            if used:
                lines += 1
            lines += (size - 1) // capacity  # a word too long for a line goes on over several
            used = size - (size - 1) // capacity * capacity
        total += lines
    return total


def row_height(cells, line_height: float = LINE_HEIGHT) -> float:
    """The height (points) a row needs for the tallest of its ``(text, width)`` cells."""
    lines = max((wrapped_lines(text, width) for text, width in cells if text), default=1)
    return line_height + (lines - 1) * WRAPPED_LINE


def fit_rows(sheet, first_row: int, last_row: int, widths: dict[int, float]) -> None:
    """Give each row of a filled sheet the height its wrapped text needs (LibreOffice shows a
    row without a height at 15 pt, and wrapped lines then overlap the rows below)."""
    for row in range(first_row, last_row + 1):
        cells = []
        for column, width in widths.items():
            value = sheet.cell(row, column).value
            if isinstance(value, str):
                cells.append((value, width))
        if cells:
            sheet.row_dimensions[row].height = row_height(cells)


def _fit_height(
    sheet, row: int, text: str, width: int, line_height: int = LINE_HEIGHT, always: bool = False
) -> None:
    """Excel does not grow a merged row to fit its text: give it room for the lines it needs."""
    lines = wrapped_lines(text, width)
    if lines > 1 or always:
        sheet.row_dimensions[row].height = line_height + (lines - 1) * (line_height - 2)
