"""Word (.docx): the body's paragraphs and tables in order, read straight from the XML.

python-docx's ``row.cells`` rebuilds the whole grid on every call, which makes a long table
quadratic; walking ``w:tr``/``w:tc`` once is linear and also shows what merging hides:
``w:gridSpan`` (a full-width section row) and ``w:vMerge`` (a cell continued from the row above).
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from docx import Document
from docx.oxml.ns import qn

from .cleanup import clean_text
from .layout import Block, Cell, Paragraph, Row, Table
from .structure import DocumentError

BROKEN = "Файл повреждён или не является документом Word (.docx)."

_P, _TBL, _TR, _TC, _SDT = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc"), qn("w:sdt")
_SDT_CONTENT = qn("w:sdtContent")
_T, _TAB, _BR, _CR = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")
_NO_BREAK_HYPHEN, _R, _DEL = qn("w:noBreakHyphen"), qn("w:r"), qn("w:del")
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_VAL, _TYPE = qn("w:val"), qn("w:type")
_OFF = {"0", "false", "off"}
_TC_PR, _GRID_SPAN, _V_MERGE = qn("w:tcPr"), qn("w:gridSpan"), qn("w:vMerge")
_GRID_BEFORE = f"{qn('w:trPr')}/{qn('w:gridBefore')}"
_RUN_BOLD = f"{qn('w:rPr')}/{qn('w:b')}"
_P_PR, _P_STYLE, _NUM_PR = qn("w:pPr"), qn("w:pStyle"), qn("w:numPr")
_STYLE_OF = f"{_P_PR}/{_P_STYLE}"


def read_docx(data: bytes) -> list[Block]:
    try:
        document = Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises anything from KeyError to lxml errors
        raise DocumentError(BROKEN) from exc
    reader = _Reader(document)
    blocks: list[Block] = []
    for element in _children(document.element.body):
        if element.tag == _P:
            text, bold = reader.paragraph(element)
            blocks.extend(Paragraph(line, bold) for line in (text.split("\n") if text else [""]))
        elif element.tag == _TBL:
            blocks.append(reader.table(element))
    return blocks


def _children(parent) -> Iterator:
    """Block-level children, looking through content controls (``w:sdt``)."""
    for child in parent.iterchildren():
        if child.tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                yield from _children(content)
        else:
            yield child


class _Reader:
    def __init__(self, document) -> None:
        self.numbering = _Numbering(document)
        self.bold_styles = _bold_paragraph_styles(document)

    def paragraph(self, p) -> tuple[str, bool]:
        parts: list[str] = []
        runs_bold: list[bool] = []
        for run in _runs(p):
            text = _run_text(run)
            if text.strip():
                runs_bold.append(_run_bold(run))
            parts.append(text)
        text = "".join(parts)
        bold = bool(runs_bold) and all(runs_bold)
        if not bold and runs_bold:
            bold = self._style_bold(p) and not any(
                _explicitly_not_bold(run) for run in _runs(p) if _run_text(run).strip()
            )
        label = self.numbering.label(p)
        if label:
            text = f"{'• ' if label == '•' else label + ' '}{text}"
        return text, bold

    def _style_bold(self, p) -> bool:
        style = p.find(_STYLE_OF)
        return style is not None and style.get(_VAL) in self.bold_styles

    def cell(self, tc) -> tuple[str, bool]:
        lines, bolds = [], []
        for p in _paragraphs(tc):
            text, bold = self.paragraph(p)
            if text.strip():
                lines.append(text)
                bolds.append(bold)
        return clean_text("\n".join(lines)), bool(bolds) and all(bolds)

    def table(self, tbl) -> Table:
        table = Table()
        above: dict[int, Cell] = {}
        for row_index, tr in enumerate(_rows(tbl)):
            cells: list[Cell] = []
            before = tr.find(_GRID_BEFORE)
            if before is not None:
                cells.extend(Cell() for _ in range(_int(before.get(_VAL), 0)))
            for tc in _cells(tr):
                properties = tc.find(_TC_PR)
                span = 1
                merge = None
                if properties is not None:
                    grid_span = properties.find(_GRID_SPAN)
                    span = max(1, _int(grid_span.get(_VAL), 1)) if grid_span is not None else 1
                    merge = properties.find(_V_MERGE)
                column = len(cells)
                if merge is not None and merge.get(_VAL) != "restart":
                    origin = above.get(column, Cell())
                    cell = Cell(origin.text, origin.bold, span=origin.span, continued=True)
                else:
                    text, bold = self.cell(tc)
                    cell = Cell(text, bold, span=(row_index, column) if span > 1 else None)
                for offset in range(span):
                    cells.append(cell)
                    above[column + offset] = cell
            table.rows.append(Row(cells))
        return table


def _rows(tbl) -> Iterator:
    for child in _children(tbl):
        if child.tag == _TR:
            yield child


def _cells(tr) -> Iterator:
    for child in _children(tr):
        if child.tag == _TC:
            yield child


def _paragraphs(container) -> Iterator:
    """Paragraphs of a cell, nested tables included, in reading order."""
    for child in _children(container):
        if child.tag == _P:
            yield child
        elif child.tag == _TBL:
            for tr in _rows(child):
                for tc in _cells(tr):
                    yield from _paragraphs(tc)


def _runs(p) -> Iterator:
    """Runs of a paragraph (hyperlinks, fields and insertions included), not deleted text.

    Text boxes live inside runs and are not read: their place on the page is anyone's guess.
    """
    stack = list(reversed(list(p)))
    while stack:
        element = stack.pop()
        if element.tag == _R:
            yield element
        elif element.tag not in (_DEL, _FALLBACK):
            stack.extend(reversed(list(element)))


def _run_text(run) -> str:
    parts = []
    for element in run.iterchildren():
        tag = element.tag
        if tag == _T:
            parts.append(element.text or "")
        elif tag == _TAB:
            parts.append("\t")
        elif tag == _BR:
            parts.append("\n" if element.get(_TYPE) != "page" else " ")
        elif tag == _CR:
            parts.append("\n")
        elif tag == _NO_BREAK_HYPHEN:
            parts.append("-")
    return "".join(parts)


def _run_bold(run) -> bool:
    bold = run.find(_RUN_BOLD)
    return bold is not None and bold.get(_VAL, "true").lower() not in _OFF


def _explicitly_not_bold(run) -> bool:
    bold = run.find(_RUN_BOLD)
    return bold is not None and bold.get(_VAL, "true").lower() in _OFF


def _bold_paragraph_styles(document) -> set[str]:
    try:
        styles = document.styles.element
    except Exception:
        return set()
    found = set()
    for style in styles.iterchildren(qn("w:style")):
        bold = style.find(f"{qn('w:rPr')}/{qn('w:b')}")
        if bold is not None and bold.get(_VAL, "true").lower() not in _OFF:
            found.add(style.get(qn("w:styleId")))
    return found


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


class _Numbering:
    """Automatic list numbers, which are not in the text: a «№» column numbered by Word shows
    «1.1.» on the page and holds an empty paragraph in the XML."""

    def __init__(self, document) -> None:
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}
        self.style_numbering: dict[str, tuple[str, int]] = {}
        self.counters: dict[str, list[int]] = {}
        try:
            numbering = document.part.numbering_part.element
        except Exception:  # no numbering part at all
            return
        abstract = {}
        for element in numbering.iterchildren(qn("w:abstractNum")):
            levels = {}
            for level in element.iterchildren(qn("w:lvl")):
                levels[_int(level.get(qn("w:ilvl")), 0)] = (
                    _child_val(level, "w:numFmt") or "decimal",
                    _child_val(level, "w:lvlText") or "",
                    _int(_child_val(level, "w:start"), 1),
                )
            abstract[element.get(qn("w:abstractNumId"))] = levels
        for element in numbering.iterchildren(qn("w:num")):
            abstract_id = _child_val(element, "w:abstractNumId")
            self.levels[element.get(qn("w:numId"))] = abstract.get(abstract_id, {})
        try:
            styles = document.styles.element
        except Exception:
            return
        for style in styles.iterchildren(qn("w:style")):
            num_pr = style.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
            if num_pr is not None:
                num_id = _child_val(num_pr, "w:numId")
                if num_id:
                    level = _int(_child_val(num_pr, "w:ilvl"), 0)
                    self.style_numbering[style.get(qn("w:styleId"))] = (num_id, level)

    def label(self, p) -> str:
        if not self.levels:
            return ""
        properties = p.find(_P_PR)
        if properties is None:
            return ""
        num_pr = properties.find(_NUM_PR)
        if num_pr is not None:
            num_id = _child_val(num_pr, "w:numId")
            level = _int(_child_val(num_pr, "w:ilvl"), 0)
        else:
            style = properties.find(_P_STYLE)
            if style is None or style.get(_VAL) not in self.style_numbering:
                return ""
            num_id, level = self.style_numbering[style.get(_VAL)]
        levels = self.levels.get(num_id)
        if not num_id or num_id == "0" or not levels:
            return ""
        counters = self.counters.setdefault(num_id, [0] * 9)
        level = min(max(level, 0), 8)
        for deeper in range(level + 1, 9):
            counters[deeper] = 0
        start = levels.get(level, ("decimal", "", 1))[2]
        counters[level] = counters[level] + 1 if counters[level] else start
        fmt, text, _ = levels.get(level, ("decimal", f"%{level + 1}.", 1))
        if fmt == "bullet":
            return "•"
        if fmt == "none":
            return ""
        for index in range(level + 1):
            level_fmt = levels.get(index, ("decimal", "", 1))[0]
            value = counters[index] or levels.get(index, ("decimal", "", 1))[2]
            text = text.replace(f"%{index + 1}", _format_number(value, level_fmt))
        return text.strip()


def _child_val(element, tag: str) -> str | None:
    child = element.find(qn(tag))
    return child.get(_VAL) if child is not None else None


def _format_number(value: int, fmt: str) -> str:
    if fmt in ("upperRoman", "lowerRoman"):
        roman = _roman(value)
        return roman if fmt == "upperRoman" else roman.lower()
    if fmt in ("upperLetter", "lowerLetter"):
        letter = chr(ord("A") + (value - 1) % 26)
        return letter if fmt == "upperLetter" else letter.lower()
    if fmt == "russianLower":
        return "абвгдежзиклмнопрстуфхцчшщэюя"[(value - 1) % 28]
    if fmt == "russianUpper":
        return "АБВГДЕЖЗИКЛМНОПРСТУФХЦЧШЩЭЮЯ"[(value - 1) % 28]
    return str(value)


def _roman(value: int) -> str:
    numerals = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ]
    result = ""
    for number, numeral in numerals:
        while value >= number:
            result += numeral
            value -= number
    return result
