"""OpenDocument (.odt, .ods) as LibreOffice writes it, read from ``content.xml`` with lxml.

ODF is plain XML in a zip: paragraphs (``text:p``, ``text:h``), lists, sections and tables
(``table:table-row``/``table:table-cell``, merged ranges given by ``number-columns-spanned`` /
``number-rows-spanned`` and the ``covered-table-cell`` elements under them). A text document gives
the same blocks as Word, a spreadsheet the same sheets as Excel, so both go through the one
``assemble``. lxml (already here for python-docx) is used with entities and network off; no extra
library is needed for what the import reads.

Spreadsheets repeat empty rows and cells by a count (``number-rows-repeated="1048000"``); the
count is only ever expanded for cells that hold a value, and a value beyond the limits stops the
reading with a sentence for the user, as for .xlsx.
"""

from __future__ import annotations

import contextlib
import io
import zipfile
from datetime import date, datetime

from lxml import etree

from portal import spreadsheets

from . import excel
from .cleanup import clean_text
from .layout import Block, Cell, Paragraph, Row, Table
from .structure import DocumentError

BROKEN_TEXT = "Файл повреждён или не является документом OpenDocument (.odt)."
BROKEN_SHEET = "Файл повреждён или не является таблицей OpenDocument (.ods)."
MAX_CONTENT = 60 * 1024 * 1024
MAX_TABLE_ROWS = 20_000
TOO_MANY_TABLE_ROWS = (
    "В таблицах документа больше 20\u00a0000 строк: разделите документ на части "
    "или удалите лишние строки."
)

_NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
}


def _q(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{_NS[prefix]}}}{local}"


_P, _H, _LIST, _LIST_ITEM, _LIST_HEADER = (
    _q("text:p"),
    _q("text:h"),
    _q("text:list"),
    _q("text:list-item"),
    _q("text:list-header"),
)
_SECTION, _SPAN, _A, _S, _TAB, _LINE_BREAK = (
    _q("text:section"),
    _q("text:span"),
    _q("text:a"),
    _q("text:s"),
    _q("text:tab"),
    _q("text:line-break"),
)
_SKIPPED = {
    _q("text:note"),
    _q("text:annotation"),
    _q("office:annotation"),
    _q("text:tracked-changes"),
    _q("text:sequence-decls"),
}
_NUMBER = _q("text:number")
_TABLE, _ROW, _CELL, _COVERED = (
    _q("table:table"),
    _q("table:table-row"),
    _q("table:table-cell"),
    _q("table:covered-table-cell"),
)
_ROW_GROUPS = {
    _q("table:table-header-rows"),
    _q("table:table-rows"),
    _q("table:table-row-group"),
}
_STYLE_NAME = _q("text:style-name")
_CELL_STYLE = _q("table:style-name")
_COLUMNS_SPANNED = _q("table:number-columns-spanned")
_ROWS_SPANNED = _q("table:number-rows-spanned")
_COLUMNS_REPEATED = _q("table:number-columns-repeated")
_ROWS_REPEATED = _q("table:number-rows-repeated")
_VALUE_TYPE = _q("office:value-type")
_VALUE = _q("office:value")
_DATE_VALUE = _q("office:date-value")
_BOOLEAN_VALUE = _q("office:boolean-value")


def read_odt(data: bytes) -> list[Block]:
    root = _content(data, BROKEN_TEXT)
    body = root.find(f"{_q('office:body')}/{_q('office:text')}")
    if body is None:
        raise DocumentError(BROKEN_TEXT)
    reader = _TextReader(_bold_styles(root, data))
    blocks: list[Block] = []
    reader.blocks(body, blocks)
    return blocks


def read_ods(data: bytes) -> list[Block]:
    root = _content(data, BROKEN_SHEET)
    body = root.find(f"{_q('office:body')}/{_q('office:spreadsheet')}")
    if body is None:
        raise DocumentError(BROKEN_SHEET)
    bold = _bold_styles(root, data)
    sheets = [_sheet(table, bold) for table in body.iter(_TABLE)]
    return [excel.sheet_table(sheet) for sheet in sheets]


def _content(data: bytes, broken: str):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo("content.xml")
            if info.file_size > MAX_CONTENT:
                raise DocumentError(broken)
            xml = archive.read(info)
    except DocumentError:
        raise
    except Exception as exc:
        raise DocumentError(broken) from exc
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True
    )
    try:
        return etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        raise DocumentError(broken) from exc


def _bold_styles(root, data: bytes) -> set[str]:
    """Names of paragraph, text and cell styles that set bold type (automatic and named)."""
    found: set[str] = set()
    parents: dict[str, str] = {}
    trees = [root]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "styles.xml" in archive.namelist():
                info = archive.getinfo("styles.xml")
                if info.file_size <= MAX_CONTENT:
                    parser = etree.XMLParser(resolve_entities=False, no_network=True)
                    trees.append(etree.fromstring(archive.read(info), parser))
    except Exception:  # styles only decide bold type; a document without them is read plain
        pass
    for tree in trees:
        for style in tree.iter(_q("style:style")):
            name = style.get(_q("style:name"))
            parent = style.get(_q("style:parent-style-name"))
            if parent:
                parents[name] = parent
            properties = style.find(_q("style:text-properties"))
            if properties is not None and properties.get(_q("fo:font-weight")) in (
                "bold",
                "600",
                "700",
                "800",
                "900",
            ):
                found.add(name)
    for name in list(parents):
        seen = set()
        current = name
        while current in parents and current not in seen:
            seen.add(current)
            current = parents[current]
            if current in found:
                found.add(name)
                break
    return found


# --- text documents ------------------------------------------------------------------------------


class _TextReader:
    def __init__(self, bold_styles: set[str]) -> None:
        self.bold_styles = bold_styles
        self.rows = 0

    def blocks(self, parent, out: list[Block]) -> None:
        for child in parent:
            tag = child.tag
            if tag in (_P, _H):
                text, bold = self.paragraph(child)
                out.extend(Paragraph(line, bold) for line in (text.split("\n") if text else [""]))
            elif tag == _TABLE:
                out.append(self.table(child))
            elif tag in (_LIST, _SECTION, _LIST_ITEM, _LIST_HEADER):
                self.blocks(child, out)

    def paragraph(self, p) -> tuple[str, bool]:
        pieces: list[tuple[str, bool]] = []
        paragraph_bold = p.get(_STYLE_NAME) in self.bold_styles
        self._inline(p, paragraph_bold, pieces)
        text = "".join(piece for piece, _ in pieces)
        visible = [bold for piece, bold in pieces if piece.strip()]
        return text, bool(visible) and all(visible)

    def _inline(self, element, bold: bool, pieces: list[tuple[str, bool]]) -> None:
        if element.text:
            pieces.append((element.text, bold))
        for child in element:
            tag = child.tag
            if tag == _S:
                pieces.append((" " * _count(child.get(_q("text:c"))), bold))
            elif tag == _TAB:
                pieces.append(("\t", bold))
            elif tag == _LINE_BREAK:
                pieces.append(("\n", bold))
            elif tag in _SKIPPED:
                pass
            elif tag == _NUMBER:
                pieces.append(((child.text or "") + " ", bold))
            else:
                inner = bold or (tag == _SPAN and child.get(_STYLE_NAME) in self.bold_styles)
                self._inline(child, inner, pieces)
            if child.tail:
                pieces.append((child.tail, bold))

    def cell(self, tc) -> tuple[str, bool]:
        lines, bolds = [], []
        blocks: list[Block] = []
        self.blocks(tc, blocks)
        for block in blocks:
            if isinstance(block, Paragraph):
                if block.text.strip():
                    lines.append(block.text)
                    bolds.append(block.bold)
            else:  # a table nested in a cell: its text in reading order
                for row in block.rows:
                    for cell in row.cells:
                        if cell.text and not cell.continued:
                            lines.append(cell.text)
                            bolds.append(cell.bold)
        return clean_text("\n".join(lines)), bool(bolds) and all(bolds)

    def table(self, element) -> Table:
        table = Table()
        above: dict[int, tuple[Cell, int]] = {}  # column -> (cell, rows it still covers)
        for tr in _table_rows(element):
            self.rows += 1
            if self.rows > MAX_TABLE_ROWS:
                raise DocumentError(spreadsheets.too_many_rows("таблица документа", MAX_TABLE_ROWS))
            cells: list[Cell] = []
            for tc in tr:
                if tc.tag not in (_CELL, _COVERED):
                    continue
                column = len(cells)
                repeat = min(_count(tc.get(_COLUMNS_REPEATED)), 64)
                if tc.tag == _COVERED:
                    for _ in range(repeat):
                        column = len(cells)
                        origin = above.get(column)
                        if origin is not None and origin[1] > 0:
                            cell = origin[0]
                            cells.append(Cell(cell.text, cell.bold, span=cell.span, continued=True))
                            above[column] = (cell, origin[1] - 1)
                        elif cells:
                            cells.append(cells[-1])  # the right part of a merged range
                        else:
                            cells.append(Cell())
                    continue
                span = max(1, _count(tc.get(_COLUMNS_SPANNED)))
                down = max(1, _count(tc.get(_ROWS_SPANNED)))
                text, bold = self.cell(tc)
                bold = bold or (tc.get(_CELL_STYLE) in self.bold_styles and bool(text))
                cell = Cell(text, bold, span=("odt", id(tc)) if span > 1 else None)
                for _ in range(repeat):
                    for _offset in range(span):
                        cells.append(cell)
                        above[len(cells) - 1] = (cell, down - 1)
            table.rows.append(Row(cells))
        return table


def _table_rows(element):
    for child in element:
        if child.tag == _ROW:
            repeat = min(_count(child.get(_ROWS_REPEATED)), 64)
            for _ in range(repeat):
                yield child
        elif child.tag in _ROW_GROUPS:
            yield from _table_rows(child)


def _count(value) -> int:
    try:
        return max(int(value), 1)
    except (TypeError, ValueError):
        return 1


# --- spreadsheets --------------------------------------------------------------------------------


def _sheet(table, bold_styles: set[str]) -> spreadsheets.Sheet:
    title = table.get(_q("table:name")) or "Лист"
    sheet = spreadsheets.Sheet(title=title)
    text_reader = _TextReader(bold_styles)
    row_number = 0
    for tr in _sheet_rows(table):
        repeat = _count(tr.get(_ROWS_REPEATED))
        first = row_number + 1
        row_number += repeat
        values: list[tuple[int, object, bool, int, int]] = []
        column = 0
        for tc in tr:
            if tc.tag not in (_CELL, _COVERED):
                continue
            times = _count(tc.get(_COLUMNS_REPEATED))
            start = column + 1
            column += times
            if tc.tag == _COVERED:
                continue
            value, bold = _cell_value(tc, text_reader)
            across = _count(tc.get(_COLUMNS_SPANNED))
            down = _count(tc.get(_ROWS_SPANNED))
            if value is None:
                if across > 1 or down > 1:
                    values.append((start, None, False, across, down))
                continue
            if start + times - 1 > excel.MAX_COLUMNS:
                raise DocumentError(spreadsheets.too_many_columns(title, excel.MAX_COLUMNS))
            bold = bold or tc.get(_CELL_STYLE) in bold_styles
            for offset in range(times):
                values.append((start + offset, value, bold, across, down))
        if not values:
            continue
        if first + repeat - 1 > excel.MAX_ROWS:
            if any(v[1] is not None for v in values):
                raise DocumentError(spreadsheets.too_many_rows(title, excel.MAX_ROWS))
            repeat = max(0, excel.MAX_ROWS - first + 1)  # empty merged cells: cut to the limit
        for number in range(first, first + repeat):
            for start, value, bold, across, down in values:
                if across > 1 or down > 1:
                    bottom = min(number + down - 1, excel.MAX_ROWS)
                    right = min(start + across - 1, excel.MAX_COLUMNS)
                    sheet.merged.append((number, start, bottom, right))
                if value is None:
                    continue
                row = sheet.rows.setdefault(number, [])
                if len(row) < start:
                    row.extend([None] * (start - len(row)))
                row[start - 1] = value
                if bold:
                    sheet.bold.add((number, start))
    return sheet


def _sheet_rows(table):
    for child in table:
        if child.tag == _ROW:
            yield child
        elif child.tag in _ROW_GROUPS:
            yield from _sheet_rows(child)


def _cell_value(tc, reader: _TextReader) -> tuple[object, bool]:
    """The typed value of a cell (a number, a date, a boolean or its text) and its bold type."""
    kind = tc.get(_VALUE_TYPE)
    value = None
    if kind in ("float", "percentage", "currency"):
        try:
            number = float(tc.get(_VALUE))
        except (TypeError, ValueError):
            number = None
        if number is not None and kind == "float":
            value = number
    elif kind == "date":
        raw = tc.get(_DATE_VALUE) or ""
        with contextlib.suppress(ValueError):
            value = datetime.fromisoformat(raw) if "T" in raw else date.fromisoformat(raw)
    elif kind == "boolean":
        value = tc.get(_BOOLEAN_VALUE) == "true"
    lines, bolds = [], []
    for p in tc:
        if p.tag in (_P, _H):
            text, bold = reader.paragraph(p)
            if text.strip():
                lines.append(text)
                bolds.append(bold)
    bold = bool(bolds) and all(bolds)
    if value is not None:
        return value, bold
    return ("\n".join(lines), bold) if lines else (None, False)
