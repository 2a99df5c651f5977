"""PDF with a text layer (pdfplumber): ruled tables become tables, the text around them paragraphs.

A PDF keeps no paragraphs, only glyphs at positions, so what Word stored as text is recovered
from the geometry of each line against the box it was set in (a table cell, or the page's text
area between equal margins):

* the first word of the next line would have fitted at the end of this one: the author ended the
  paragraph here (a line break in the cell);
* the line ends in a letter and a hyphen («Санкт-»): a compound broken at its hyphen, joined with
  the hyphen kept — there is no automatic hyphenation in the documents we read, so a hyphen at
  the end of a line was typed;
* the line ends with a space glyph (LibreOffice writes the space it wrapped at when it fits in
  the box): an ordinary wrap between words;
* no space glyph although one would have fitted, or the line is a single word cut at the box's
  edge («Наименован» + «ие»): a word too long for the column cut where the box ended, joined
  without a space. A renderer moves a word that does not fit to the next line before cutting it,
  so a cut word always starts its line and, with its rest, is wider than the box.

What cannot be recovered: a line holding one word that ends less than a space's width from the
box's edge, followed by a line starting with a lower-case letter, looks the same whether the
word was complete or cut. Such a line is read as cut mid-word (in narrow columns cuts are far
more common than words that fill the column exactly). An upper-case letter after a lower-case
one is read as a new word. Justified or centred cells are read as left-aligned.

Rows cut by a page break are joined again, and a header row repeated on the next page is dropped,
so that ``assemble`` sees the table the author made.
"""

from __future__ import annotations

import bisect
import io
import itertools
import logging
import re
from dataclasses import dataclass, field

from portal import russian

from .cleanup import clean_text
from .layout import Block, Cell, Paragraph, Row, Table
from .structure import DocumentError

logger = logging.getLogger(__name__)

BROKEN = "Файл повреждён или не является документом PDF."
ENCRYPTED = "PDF защищён паролем: снимите пароль и загрузите файл снова."
NO_TEXT = (
    "В PDF нет текстового слоя — похоже, это скан или изображение страниц. Загрузите документ "
    "Word, Excel или PDF, сохранённый из текстового редактора."
)
MAX_PAGES = 300
MAX_CHARS = 1_500_000

_CLOSING = ",.;:)]»!?%"
_PAGE_NUMBER = re.compile(r"^(?:[-–—]\s*)?\d{1,4}(?:\s*[-–—])?$|^(?:стр\.|страница)\s*\d+", re.I)


def too_many_pages(count: int) -> str:
    return (
        f"В PDF слишком много страниц ({count}): можно загрузить не больше {MAX_PAGES}. "
        "Разделите документ или загрузите исходный файл Word."
    )


TOO_MANY_CHARS = (
    "В PDF слишком много текста для плана мероприятий: разделите документ на части "
    "или загрузите исходный файл Word."
)


def guessed_warning(words: list[str]) -> str:
    count = len(words)
    shown = ", ".join(f"«{word}»" for word in words[:5])
    more = " и др." if count > 5 else ""
    return (
        "PDF: у края столбца по странице не видно, одно там слово или два, — "
        f"{russian.count(count, 'место,места,мест')}; они прочитаны слитно "
        f"({shown}{more}). Сверьте наименования и результаты с документом."
    )


# The creator the portal's own PDFs carry (templates/reports/plan_pdf.html, «generator»).
PORTAL_MARK = "Портал «Школа Минпросвещения России»"


def read_pdf(data: bytes) -> tuple[list[Block], list[str]]:
    """The blocks of the document and the warnings only a PDF has."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        pages = pdf.pages
    except Exception as exc:  # pdfminer raises its own errors, wrapped by pdfplumber or not
        cause = exc.args[0] if exc.args else None
        if isinstance(exc, PDFPasswordIncorrect) or isinstance(cause, PDFPasswordIncorrect):
            raise DocumentError(ENCRYPTED) from exc
        raise DocumentError(BROKEN) from exc
    with pdf:
        if len(pages) > MAX_PAGES:
            raise DocumentError(too_many_pages(len(pages)))
        reader = _Reader()
        reader.evidence = _Evidence(
            ours=PORTAL_MARK in str((pdf.metadata or {}).get("Creator", ""))
        )
        total = 0
        for page in pages:
            chars = [char for char in page.chars if char.get("text")]
            total += len(chars)
            if total > MAX_CHARS:
                raise DocumentError(TOO_MANY_CHARS)
            reader.page(page, chars)
            page.close()  # pdfplumber caches every page's objects otherwise
        if total == 0 or not any(c.strip() for _, _, c in reader.visible_text()):
            raise DocumentError(NO_TEXT)
        blocks = reader.blocks()
        guessed = list(reader.evidence.guessed.values())
        return blocks, [guessed_warning(guessed)] if guessed else []


# --- lines ---------------------------------------------------------------------------------------


@dataclass
class _Line:
    """One printed line: its glyphs without spaces, and where the spaces were."""

    chars: list[dict]
    words: list[list[dict]]
    trailing_space: bool
    space_width: float

    @property
    def text(self) -> str:
        return " ".join("".join(c["text"] for c in word) for word in self.words)

    @property
    def x0(self) -> float:
        return self.chars[0]["x0"]

    @property
    def x1(self) -> float:
        return self.chars[-1]["x1"]

    @property
    def top(self) -> float:
        return min(c["top"] for c in self.chars)

    @property
    def bottom(self) -> float:
        return max(c["bottom"] for c in self.chars)

    @property
    def size(self) -> float:
        return max(c["size"] for c in self.chars)

    @property
    def bold(self) -> bool:
        return all(_is_bold(c) for c in self.chars)

    def word_width(self, index: int) -> float:
        word = self.words[index]
        return word[-1]["x1"] - word[0]["x0"]


def _is_bold(char: dict) -> bool:
    name = str(char.get("fontname", "")).lower()
    return "bold" in name or "black" in name or "heavy" in name or "semibold" in name


def _lines(chars: list[dict]) -> list[_Line]:
    """Glyphs grouped into lines top to bottom; spaces become word boundaries, and so does a
    gap wider than a third of the font size where a PDF writes no space glyph."""
    rows: list[list[dict]] = []
    for char in sorted(chars, key=lambda c: (round(c["top"], 1), c["x0"])):
        if rows and abs(rows[-1][0]["top"] - char["top"]) <= 0.35 * max(char["size"], 1):
            rows[-1].append(char)
        else:
            rows.append([char])
    lines = []
    for row in rows:
        row.sort(key=lambda c: c["x0"])
        words: list[list[dict]] = [[]]
        spaces = []
        trailing = False
        previous = None
        for char in row:
            if not char["text"].strip():
                spaces.append(char["x1"] - char["x0"])
                if words[-1]:
                    words.append([])
                trailing = True
                continue
            if (
                previous is not None
                and words[-1]
                and char["x0"] - previous["x1"] > 0.33 * max(char["size"], 1)
            ):
                words.append([])
            words[-1].append(char)
            previous = char
            trailing = False
        words = [word for word in words if word]
        if not words:
            continue
        glyphs = [char for word in words for char in word]
        # Measured where the line has spaces; else set from the whole document (``blocks``).
        width = sorted(spaces)[len(spaces) // 2] if spaces else 0.0
        lines.append(_Line(glyphs, words, trailing, width))
    return lines


_CUT_START = re.compile(r"^[ьъы]", re.IGNORECASE)  # no Russian word starts so


@dataclass(frozen=True)
class _Evidence:
    """What the whole document tells about its own lines."""

    # The producer writes the space a line was wrapped at (LibreOffice does, when it fits).
    trailing_spaces: bool = False
    # Made by the portal (reports/pdf.py): lines break at spaces and after a hyphen inside a
    # word, never inside a word, so a join is a space unless it follows such a hyphen.
    ours: bool = False
    # Joins the geometry could not decide, by the line before them: read as cut words.
    guessed: dict[int, str] = field(default_factory=dict)


def _joiner(
    line: _Line, following: _Line, left: float, right: float, evidence: _Evidence = _Evidence()
) -> str:
    """How two lines set in a box from ``left`` to ``right`` join: «\\n», « » or «»."""
    text, next_text = line.text, following.text
    room = right - line.x1
    slack = 0.1  # LibreOffice lays out in twips; a glyph may overhang the box by a hair
    last, first = text[-1], next_text[0]
    if last == "\u00ad":  # a soft hyphen drawn as a glyph: the word goes on
        return ""
    word = following.word_width(0)
    if line.trailing_space:
        return "\n" if word + line.space_width <= room - slack else " "
    glued = last in "-‐–—/" and len(text) > 1 and text[-2].isalpha()  # «Санкт-», «ый/»
    if evidence.ours:
        # Each line the plan wrote is its own paragraph, set 0.8 mm below the one before
        # (static/css/print-plan.css): a wider gap than between wrapped lines (0.2 em).
        if following.top - line.bottom > 0.35 * line.size:
            return "\n"
        return "" if glued else " "
    if word + (0 if glued else line.space_width) <= room - slack:
        return "\n"  # the next word would have fitted: the line was ended on purpose
    if evidence.trailing_spaces and room >= line.space_width + slack:
        return ""  # a space would have fitted and none was written: broken inside a word
    if glued:
        return ""  # a compound broken after its hyphen or slash
    if first in _CLOSING or (first in "-‐" and next_text[1:2].isalpha()):
        return ""  # punctuation or a hyphen glued to the word before, pushed down alone
    if len(line.words) > 1 or not (last.isalnum() and first.isalnum()):
        return " "  # a cut word starts its line
    first_char = following.chars[0]
    if first_char["x1"] - first_char["x0"] <= room - slack:
        return " "  # the next letter would have fitted: a cut would have taken it
    if last.islower() and first.isupper():
        return " "
    if line.word_width(-1) + word <= right - left - slack:
        return " "  # the whole word fits the box: it would have been moved, not cut
    if _CUT_START.match(next_text):
        return ""  # no Russian word starts with «ь», «ъ», «ы»
    # Irrecoverable: the line ends within a space of the edge, so a full word (whose space did
    # not fit) and a cut one look the same. In the sample plans cuts are four times as common.
    evidence.guessed[id(line)] = text.split(" ")[-1] + next_text.split(" ")[0]
    return ""


def _join(lines: list[_Line], left: float, right: float, evidence: _Evidence = _Evidence()) -> str:
    if not lines:
        return ""
    parts = [lines[0].text]
    for line, following in itertools.pairwise(lines):
        parts.append(_joiner(line, following, left, right, evidence))
        parts.append(following.text)
    return "".join(parts)


# --- pages ---------------------------------------------------------------------------------------


@dataclass
class _CellBox:
    x0: float
    top: float
    x1: float
    bottom: float
    lines: list[_Line] = field(default_factory=list)
    span: object | None = None
    chars: list[dict] = field(default_factory=list)

    def edges(self) -> tuple[float, float]:
        """The text area: the padding seen on the left is assumed on the right too."""
        if not self.lines:
            return self.x0, self.x1
        padding = min(line.x0 for line in self.lines) - self.x0
        padding = min(max(padding, 0.0), (self.x1 - self.x0) / 4)
        return self.x0 + padding, self.x1 - padding

    def text(self, evidence: _Evidence = _Evidence()) -> str:
        left, right = self.edges()
        return clean_text(_join(self.lines, left, right, evidence))

    def bold(self) -> bool:
        return bool(self.lines) and all(line.bold for line in self.lines)


@dataclass
class _PdfTable:
    columns: list[float]  # x of the column borders
    borders: list[float]  # y of the row borders
    rows: list[list[tuple[_CellBox, bool]]]  # per grid row: (cell, continued from above)
    top: float
    bottom: float
    page_height: float

    def texts(self, index: int) -> list[str]:
        return [cell.text() if not continued else "" for cell, continued in self.rows[index]]


class _Reader:
    def __init__(self) -> None:
        self.items: list[tuple[str, object]] = []  # ("lines", [...]) or ("table", _PdfTable)
        self.evidence = _Evidence()

    def page(self, page, chars: list[dict]) -> None:
        try:
            found = page.find_tables()
        except Exception:  # a table finder tripping over odd graphics: read the page as text
            logger.warning("pdfplumber could not find tables on page %s", page.page_number)
            found = []
        tables = [self._table(table, page) for table in found]
        tables = [table for table in tables if table is not None]
        boxes = [(t.columns[0], t.top, t.columns[-1], t.bottom) for t in tables]
        outside = [c for c in chars if not any(_inside(c, box) for box in boxes)]
        for table in tables:
            for char in chars:
                cell = _cell_at(table, char)
                if cell is not None:
                    cell.chars.append(char)
            for row in table.rows:
                for cell, continued in row:
                    if not continued and cell.chars:
                        cell.lines = _lines(cell.chars)
                        cell.chars = []
        lines = _lines(outside)
        left = min((line.x0 for line in lines), default=0.0)
        # Equal margins: the text area ends as far from the right edge as it starts from the left.
        right = max(float(page.width) - left, max((line.x1 for line in lines), default=0.0))
        body = [line for line in lines if not _PAGE_NUMBER.match(line.text)]
        events: list[tuple[float, str, object]] = [(t.top, "table", t) for t in tables]
        for line in body:
            events.append((line.top, "line", (line, left, right)))
        events.sort(key=lambda event: event[0])
        for _, kind, value in events:
            if kind == "line":
                if self.items and self.items[-1][0] == "lines":
                    self.items[-1][1].append(value)
                else:
                    self.items.append(("lines", [value]))
            else:
                self.items.append(("table", value))
        self.items.append(("page", None))

    def _table(self, table, page) -> _PdfTable | None:
        rows = table.rows
        if not rows:
            return None
        xs = sorted({round(x, 1) for cell in table.cells for x in (cell[0], cell[2])})
        columns = _dedupe(xs)
        ys = _dedupe(sorted({round(y, 1) for cell in table.cells for y in (cell[1], cell[3])}))
        if len(columns) < 2 or len(ys) < 2:
            return None
        grid: list[list[tuple[_CellBox, bool] | None]] = [
            [None] * (len(columns) - 1) for _ in range(len(ys) - 1)
        ]
        for number, (x0, top, x1, bottom) in enumerate(
            sorted(table.cells, key=lambda c: (c[1], c[0]))
        ):
            c0, c1 = _index(columns, x0), _index(columns, x1)
            r0, r1 = _index(ys, top), _index(ys, bottom)
            if c1 <= c0 or r1 <= r0:
                continue
            box = _CellBox(
                x0, top, x1, bottom, span=("pdf", id(table), number) if c1 - c0 > 1 else None
            )
            for r in range(r0, r1):
                for c in range(c0, c1):
                    if grid[r][c] is None:
                        grid[r][c] = (box, r > r0)
        filled = []
        for row in grid:
            filled.append(
                [cell if cell is not None else (_CellBox(0, 0, 0, 0), False) for cell in row]
            )
        # A row cut by the page's end may be drawn open (WeasyPrint draws no border where a
        # row breaks): its column borders run on past the last ruled line.
        above, below = _open_ends(page, columns, ys[0], ys[-1])
        if above is not None:
            filled.insert(0, [(_CellBox(a, above, b, ys[0]), False) for a, b in _pairs(columns)])
            ys.insert(0, above)
        if below is not None:
            filled.append([(_CellBox(a, ys[-1], b, below), False) for a, b in _pairs(columns)])
            ys.append(below)
        return _PdfTable(columns, ys, filled, ys[0], ys[-1], float(page.height))

    def visible_text(self):
        for kind, value in self.items:
            if kind == "lines":
                for line, _, _ in value:
                    yield kind, line, line.text
            elif kind == "table":
                for row in value.rows:
                    for cell, _ in row:
                        for line in cell.lines:
                            yield kind, line, line.text

    def runs(self):
        """Lines set one after another in one box (a cell, the text between tables) and the
        box's edges."""
        for kind, value in self.items:
            if kind == "lines" and value:
                yield [line for line, _, _ in value], value[0][1], value[0][2]
            elif kind == "table":
                for row in value.rows:
                    for cell, continued in row:
                        if not continued and cell.lines:
                            yield (cell.lines, *cell.edges())

    def blocks(self) -> list[Block]:
        lines = [line for _, line, _ in self.visible_text()]
        ratios = sorted(line.space_width / line.size for line in lines if line.space_width)
        ratio = ratios[len(ratios) // 2] if ratios else 0.3
        for line in lines:
            if not line.space_width:
                line.space_width = ratio * line.size
        runs = list(self.runs())
        trailing = any(line.trailing_space for run, _, _ in runs for line in run[:-1])
        evidence = _Evidence(trailing_spaces=trailing, ours=self.evidence.ours)
        self.evidence = evidence
        blocks: list[Block] = []
        previous: _PdfTable | None = None
        rows: list[list[tuple[_CellBox, bool]]] = []
        pending_break = False
        for kind, value in self.items:
            if kind == "page":
                pending_break = True
                continue
            if kind == "table":
                if previous is not None and pending_break and _same_columns(previous, value):
                    self._continue(previous, rows, value)
                else:
                    if rows:
                        blocks.append(_to_table(rows, evidence))
                    rows = list(value.rows)
                    previous = value
                pending_break = False
                continue
            if rows:
                blocks.append(_to_table(rows, evidence))
                rows, previous = [], None
            blocks.extend(_paragraphs(value, evidence))
            pending_break = False
        if rows:
            blocks.append(_to_table(rows, evidence))
        return blocks

    def _continue(self, first: _PdfTable, rows: list, part: _PdfTable) -> None:
        """A table going on after a page break: drop its repeated header, join a cut row."""
        new_rows = list(part.rows)
        for index in range(min(3, len(first.rows), len(new_rows))):
            head = first.texts(index)
            if any(head) and _row_texts(new_rows[0]) == head:
                new_rows.pop(0)
            else:
                break
        if new_rows and rows and _cut_row(rows[-1], new_rows[0], self.evidence):
            above, below = rows[-1], new_rows.pop(0)
            for (cell, continued), (rest, rest_continued) in zip(above, below, strict=False):
                if not continued and not rest_continued and rest.lines and cell is not rest:
                    if cell.lines:
                        cell.lines.extend(rest.lines)
                    else:
                        cell.lines = list(rest.lines)
                        cell.x0, cell.x1 = rest.x0, rest.x1
        rows.extend(new_rows)


def _row_texts(row) -> list[str]:
    return [cell.text() if not continued else "" for cell, continued in row]


def _cut_row(above, below, evidence: _Evidence) -> bool:
    """The first row on a page is the rest of the last one on the page before when its first
    column is empty and it fills a cell the row above left empty, or one of its cells goes on
    from a line that had no room left or starts in lower case."""
    if not below or not above or below[0][0].lines:
        return False
    for (cell, continued), (rest, rest_continued) in zip(above, below, strict=False):
        if continued or rest_continued or not rest.lines or cell is rest:
            continue
        if not cell.lines:
            return True
        left, right = cell.edges()
        if _joiner(cell.lines[-1], rest.lines[0], left, right, evidence) != "\n":
            return True
        if rest.lines[0].text[:1].islower():
            return True
    return False


def _to_table(rows, evidence: _Evidence) -> Table:
    table = Table()
    texts: dict[int, tuple[str, bool]] = {}
    for row in rows:
        cells = []
        for cell, continued in row:
            key = id(cell)
            if key not in texts:
                texts[key] = (cell.text(evidence), cell.bold())
            text, bold = texts[key]
            cells.append(Cell(text, bold, span=cell.span, continued=continued))
        table.rows.append(Row(cells))
    return table


def _paragraphs(lines: list[tuple[_Line, float, float]], evidence: _Evidence) -> list[Paragraph]:
    """Lines outside tables, joined into the paragraphs they were set from."""
    paragraphs: list[Paragraph] = []
    current: list[_Line] = []
    edges = (0.0, 0.0)

    def flush() -> None:
        if current:
            text = _join(current, *edges, evidence)
            for part in text.split("\n"):
                paragraphs.append(Paragraph(clean_text(part), all(line.bold for line in current)))
            current.clear()

    for line, left, right in lines:
        if current:
            last = current[-1]
            gap = line.top - last.bottom
            if gap > 0.6 * last.size or abs(line.x0 - current[0].x0) > 2 * last.size:
                flush()
        if not current:
            edges = (left, right)
        current.append(line)
    flush()
    return paragraphs


def _pairs(columns: list[float]) -> list[tuple[float, float]]:
    return list(itertools.pairwise(columns))


def _open_ends(page, columns, top, bottom) -> tuple[float | None, float | None]:
    """How far the table's column borders run above its first and below its last ruled line,
    when every border does."""
    uppers, lowers = [], []
    for x in columns:
        edges = [
            edge
            for edge in page.edges
            if edge.get("orientation") == "v" and abs(edge["x0"] - x) <= 1.5
        ]
        uppers.append(min((e["top"] for e in edges if e["bottom"] >= top - 1), default=top))
        lowers.append(max((e["bottom"] for e in edges if e["top"] <= bottom + 1), default=bottom))
    above = max(uppers)
    below = min(lowers)
    return (above if above < top - 3 else None), (below if below > bottom + 3 else None)


def _same_columns(first: _PdfTable, second: _PdfTable) -> bool:
    return len(first.columns) == len(second.columns) and all(
        abs(a - b) <= 2 for a, b in zip(first.columns, second.columns, strict=True)
    )


def _dedupe(values: list[float]) -> list[float]:
    result: list[float] = []
    for value in values:
        if not result or value - result[-1] > 1.5:
            result.append(value)
    return result


def _index(borders: list[float], value: float) -> int:
    position = bisect.bisect_left(borders, value - 1.5)
    return min(position, len(borders) - 1)


def _inside(char: dict, box: tuple[float, float, float, float]) -> bool:
    x = (char["x0"] + char["x1"]) / 2
    y = (char["top"] + char["bottom"]) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _cell_at(table: _PdfTable, char: dict) -> _CellBox | None:
    """The cell a glyph's centre falls in, by bisecting the borders."""
    x = (char["x0"] + char["x1"]) / 2
    y = (char["top"] + char["bottom"]) / 2
    columns, borders = table.columns, table.borders
    if not (columns[0] <= x <= columns[-1] and borders[0] <= y <= borders[-1]):
        return None
    c = min(max(bisect.bisect_right(columns, x) - 1, 0), len(columns) - 2)
    r = min(max(bisect.bisect_right(borders, y) - 1, 0), len(borders) - 2)
    return table.rows[r][c][0]
