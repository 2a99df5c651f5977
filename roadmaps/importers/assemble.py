"""From paragraphs and tables to a roadmap: one set of rules for Word, Excel and text.

The plan is the first table with a recognizable header. Above it: title, period, approval.
Inside it, a row is one of: a section (a row across the table, a markdown heading, a number and
a title with nothing else when the next rows are numbered under it), an item, or the rest of the
item above cut by a page break (no number, and a cell that starts mid-sentence or is empty).
After it: a glossary as a table or as «ИРОСО – …» lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .cleanup import join_continued, normalize_number, squeeze, starts_lowercase
from .columns import (
    COLUMN_NAMES,
    REFERENCE_MARK,
    Column,
    Header,
    classify,
    combine,
    is_column_numbers,
    is_header_part,
    recognize,
)
from .layout import Block, Cell, Paragraph, Row, Table
from .parties import PartySplitter, find_definitions, looks_like_abbreviation
from .preamble import find_approval, find_period, find_title
from .structure import DocumentError, ParsedItem, ParsedRoadmap, ParsedSection

NO_TABLE = "В документе не найдена таблица мероприятий."
NO_HEADER = (
    "В документе не найдена строка заголовков таблицы со столбцами «Мероприятие» и «Сроки» "
    "или «Ответственные»."
)
NO_ITEMS = "В таблице мероприятий не найдено ни одного мероприятия."

_HEADER_SEARCH_ROWS = 200
_ITEM_NUMBER = re.compile(r"^\d+(?:\.\d+)*\.?$")
_ROMAN = re.compile(r"^[IVXLCІХ]+$")
_SECTION_TEXT = re.compile(
    r"^(?:(?P<word>раздел|подраздел|блок|часть|направление)\s+)?"
    r"(?P<number>\d+(?:\.\d+)*|[IVXLCІХ]+)(?:\.|\)|\s*[.:–—-])?\s+(?P<title>\S.*)$",
    re.IGNORECASE | re.DOTALL,
)
_GLOSSARY_HEADING = re.compile(
    r"^(?:список|перечень|расшифровка)?\s*(?:используем\w*|принят\w*|условн\w*)?\s*"
    r"(?:обозначени\w*|сокращени\w*|аббревиатур\w*)(?:\s+и\s+(?:обозначени\w*|сокращени\w*))?"
    r"\s*:?$",
    re.IGNORECASE,
)
_GLOSSARY_LINE = re.compile(r"^(?P<key>.{1,40}?)\s*(?:\s[–—-]|:)\s+(?P<value>\S.*)$", re.DOTALL)
_GLOSSARY_COLUMN = re.compile(r"сокращени|аббревиатур|обозначени|расшифровк|полное наименование")


def assemble(blocks: list[Block], fallback_title: str = "") -> ParsedRoadmap:
    main_index, header_row, header = _find_main_table(blocks)
    main: Table = blocks[main_index]  # type: ignore[assignment]

    preamble: list[str] = []
    for block in blocks[:main_index]:
        preamble.extend(_block_lines(block))
    for row in main.rows[:header_row]:
        preamble.extend(_row_lines(row) or [""])

    builder = _Builder(header)
    builder.feed(main.rows[header_row + header.rows :])

    pending: list[Paragraph] = []
    for block in blocks[main_index + 1 :]:
        if isinstance(block, Paragraph):
            builder.paragraph_after(block, pending)
        elif builder.glossary_mode or _is_glossary_table(block):
            builder.glossary_mode = True
            builder.glossary_rows(block.rows)
        elif _continues_main(block, header):
            builder.take_pending(pending)
            rows = block.rows
            if rows and recognize(rows[0].texts()):
                rows = rows[1:]
            builder.feed(rows)
        else:
            for row in block.rows:
                builder.texts.extend(_row_lines(row))
    return builder.finish(preamble, fallback_title)


# --- finding the plan ----------------------------------------------------------------------------


def _find_main_table(blocks: list[Block]) -> tuple[int, int, Header]:
    tables = [index for index, block in enumerate(blocks) if isinstance(block, Table)]
    if not any(blocks[index].rows for index in tables):
        raise DocumentError(NO_TABLE)
    for index in tables:
        rows = blocks[index].rows
        for row_index in range(min(len(rows), _HEADER_SEARCH_ROWS)):
            header = _header_at(rows, row_index)
            if header:
                return index, row_index, header
    raise DocumentError(NO_HEADER)


def _header_at(rows: list[Row], index: int) -> Header | None:
    if rows[index].line:
        return None
    texts = rows[index].texts()
    header = recognize(texts)
    if index + 1 < len(rows) and not rows[index + 1].line:
        following = rows[index + 1]
        lower = following.texts()
        if header is None:
            # The upper half of a two-row header is itself a row of short column titles; a
            # line of the heading above a one-row header is not.
            upper = _distinct(rows[index])
            if recognize(lower) or len(upper) < 2 or any(len(text) > 60 for text in upper):
                return None
        if (
            is_header_part(lower)
            and not _is_full_width(following, range(len(lower)))
            and all(_header_word(text) for text in lower if text.strip())
        ):
            combined = recognize(combine(texts, lower))
            if combined and (header is None or combined.recognized >= header.recognized):
                combined.rows = 2
                return combined
    return header


def _header_word(text: str) -> bool:
    """A cell of a second header row: a column name, or the lower half of one
    («мероприятия», «п/п», «(исполнители)»)."""
    text = squeeze(text)
    return classify(text) is not None or starts_lowercase(text) or text.startswith("(")


def _continues_main(table: Table, header: Header) -> bool:
    """A table after the plan continues it when Word split it at a page: same columns, or a
    repeated header."""
    if not table.rows:
        return False
    if any(recognize(row.texts()) for row in table.rows[:2]):
        return True
    width = max(len(row.cells) for row in table.rows)
    return width >= 3 and width >= min(len(header.texts), max(header.data_positions) + 1) - 1


def _is_glossary_table(table: Table) -> bool:
    rows = [_distinct(row) for row in table.rows]
    rows = [row for row in rows if row]
    if not rows:
        return False
    first = " ".join(rows[0]).lower()
    if _GLOSSARY_HEADING.match(squeeze(first)) or (
        _GLOSSARY_COLUMN.search(first) and max(len(row) for row in rows) <= 3
    ):
        return True
    if max(len(row) for row in rows) > 3:
        return False
    keys = [_strip_counter(row)[0] for row in rows if len(_strip_counter(row)) >= 2]
    return bool(keys) and sum(map(looks_like_abbreviation, keys)) >= 0.7 * len(rows)


# --- rows ----------------------------------------------------------------------------------------


def _distinct(row: Row) -> list[str]:
    """The texts of a row, each merged cell once."""
    texts, last_span = [], object()
    for cell in row.cells:
        if cell.span is not None and cell.span == last_span:
            continue
        last_span = cell.span
        if cell.text and not cell.continued:
            texts.append(cell.text)
    return texts


def _row_lines(row: Row) -> list[str]:
    lines = []
    for text in _distinct(row):
        lines.extend(text.split("\n"))
    return lines


def _block_lines(block: Block) -> list[str]:
    if isinstance(block, Paragraph):
        return block.text.split("\n") if block.text else [""]
    lines = []
    for row in block.rows:
        lines.extend(_row_lines(row))
    return lines


def _is_full_width(row: Row, positions) -> bool:
    cells = [row.cells[p] for p in positions if p < len(row.cells)]
    if len(cells) < 2:
        return False
    spans = {cell.span for cell in cells}
    return len(spans) == 1 and None not in spans and bool(cells[0].text)


def _strip_counter(texts: list[str]) -> list[str]:
    if texts and re.fullmatch(r"\d+[.)]?|№(?:\s*п\s*/\s*п)?", texts[0]):
        return texts[1:]
    return texts


def _glossary_entry(texts: list[str]) -> tuple[str, str] | None:
    texts = _strip_counter([squeeze(text) for text in texts if text.strip()])
    if len(texts) == 1:
        match = _GLOSSARY_LINE.match(texts[0])
        if not match or not looks_like_abbreviation(match.group("key")):
            return None
        texts = [match.group("key"), match.group("value")]
    if len(texts) < 2:
        return None
    key, value = texts[0].strip(" –—-:"), " ".join(texts[1:]).strip(" ;.")
    if any(_GLOSSARY_COLUMN.search(text.lower()) for text in texts[:2]):
        return None  # the glossary's own header row
    if not re.search(r"[^\W\d_]", key) or len(key) > 60 or not value:
        return None
    return key, value


def _section_parts(text: str) -> tuple[str, str]:
    """«1. Организационное сопровождение» → («1», «Организационное сопровождение»)."""
    text = squeeze(text)
    match = _SECTION_TEXT.match(text)
    if not match:
        return "", text
    return normalize_number(match.group("number")), match.group("title").strip()


_RANK = {"roman": 0, "arabic": 1, "none": 2}


def _number_style(number: str) -> str:
    if not number:
        return "none"
    if _ROMAN.match(number):
        return "roman"
    return "arabic"


@dataclass
class _Open:
    section: ParsedSection
    style: str
    heading: int


@dataclass
class _Builder:
    header: Header
    sections: list[ParsedSection] = field(default_factory=list)
    stack: list[_Open] = field(default_factory=list)
    item: ParsedItem | None = None
    glossary: dict[str, str] = field(default_factory=dict)
    glossary_mode: bool = False
    warnings: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # text after the plan, for «(далее – …)»
    numbered: int = 0  # items with a number …
    dotted: int = 0  # … of which written with a closing dot («1.1.»)

    def __post_init__(self) -> None:
        self.positions = sorted(set(self.header.data_positions))
        self.header_key = [squeeze(text).lower() for text in self.header.texts]

    # -- reading rows

    def value(self, row: Row, column: Column, *, fresh_only: bool = False) -> str:
        """The text of a kind of column in a row; a cell merged in from the left belongs to
        the column it starts in."""
        parts: list[str] = []
        for position in self.header.columns.get(column, []):
            if position >= len(row.cells):
                continue
            cell = row.cells[position]
            if cell.span is not None and position > 0 and row.cells[position - 1].span == cell.span:
                continue
            if cell.text and not (fresh_only and cell.continued) and cell.text not in parts:
                parts.append(cell.text)
        joiner = " – " if column is Column.DEADLINE else "\n"
        return joiner.join(parts)

    def filled(self, row: Row) -> dict[int, Cell]:
        """Positions within the table holding new text (not repeats of a merged cell)."""
        found: dict[int, Cell] = {}
        last_span = object()
        for position, cell in enumerate(row.cells):
            if position >= len(self.header.texts) and not row.line:
                break
            if cell.span is not None and cell.span == last_span:
                continue
            last_span = cell.span
            if cell.text and not cell.continued:
                found[position] = cell
        return found

    def column_of(self, position: int) -> Column | None:
        for column, positions in self.header.columns.items():
            if position in positions:
                return column
        return None

    def feed(self, rows: list[Row]) -> None:
        for index, row in enumerate(rows):
            self.row(row, rows[index + 1 : index + 6])  # a look ahead, not a copy of the rest

    def row(self, row: Row, following: list[Row]) -> None:
        filled = self.filled(row)
        if not filled:
            return
        if self.glossary_mode:
            self.glossary_row(row)
            return
        texts = row.texts()
        if is_column_numbers(texts) or [squeeze(t).lower() for t in texts] == self.header_key:
            return
        if row.line:
            self.line(row)
            return
        full = _is_full_width(row, self.positions) or len(row.cells) == 1
        distinct = list(dict.fromkeys(cell.text for cell in filled.values()))
        if full or (len(distinct) == 1 and self._lone_cell_is_heading(row, filled)):
            self.heading(distinct[0] if len(distinct) == 1 else " ".join(distinct), row)
            return
        self.data_row(row, filled, following)

    def _lone_cell_is_heading(self, row: Row, filled: dict[int, Cell]) -> bool:
        """One filled cell heads a section when it is merged over several columns, sits in the
        first column bold or numbered like a section, holds words in the number column, or is
        a bold activity cell that does not read as the rest of the item above. An activity
        alone in plain type is an item with its other cells empty."""
        position, cell = next(iter(filled.items()))
        column = self.column_of(position)
        if cell.span is not None and sum(c.span == cell.span for c in row.cells) > 1:
            return True
        if position == min(self.positions) and (cell.bold or _SECTION_TEXT.match(cell.text)):
            # Text exports put a section in the first cell, whatever that column holds.
            return True
        if column is Column.NUMBER:
            return bool(re.search(r"[^\W\d_]", cell.text))
        if column is Column.TITLE and (cell.bold or row.heading):
            return not self._continues(cell.text, "", row.after_break)
        return False

    def line(self, row: Row) -> None:
        """A text line between rows: a heading if it looks like one, else text after the plan."""
        cell = row.cells[0]
        text = cell.text
        if _GLOSSARY_HEADING.match(text):
            self.glossary_mode = True
            return
        number, _ = _section_parts(text)
        if row.heading or cell.bold or number:
            self.heading(text, row)
            return
        entry = _glossary_entry([text])
        if entry and looks_like_abbreviation(entry[0]) and text.count(" ") < 40:
            self.add_glossary(*entry)

    def heading(self, text: str, row: Row) -> None:
        if _GLOSSARY_HEADING.match(squeeze(text)):
            self.glossary_mode = True
            self.item = None
            return
        number, title = _section_parts(text)
        self.open_section(number, title, row.heading)

    def data_row(self, row: Row, filled: dict[int, Cell], following: list[Row]) -> None:
        number_position = self.header.first(Column.NUMBER)
        number_cell = (
            row.cells[number_position]
            if number_position is not None and number_position < len(row.cells)
            else None
        )
        if number_cell is not None and number_cell.continued and number_cell.text:
            self.continue_item(row)  # the number cell is merged down: same item
            return
        raw_number = squeeze(self.value(row, Column.NUMBER))
        number = normalize_number(raw_number)
        title = self.value(row, Column.TITLE)
        deadline = self.value(row, Column.DEADLINE)
        if not number and self._continues(title, deadline, row.after_break):
            self.continue_item(row)
            return
        others = [
            self.value(row, column)
            for column in (Column.DEADLINE, Column.RESPONSIBLE, Column.RESULT)
            if column in self.header.columns
        ]
        if number and title and not any(others) and self._heads_section(number, row, following):
            self.open_section(number, title, 0)
            return
        if not title and not any(others):
            return  # a numbered row left empty in a template is not an activity
        if number:
            self.numbered += 1
            self.dotted += raw_number.endswith(".")
        responsible = self.value(row, Column.RESPONSIBLE)
        item = ParsedItem(
            number=number,
            title=title,
            deadline_text=deadline,
            responsible_text=responsible,
            result=self.value(row, Column.RESULT),
            directions=_split_list(self.value(row, Column.DIRECTION)),
        )
        if not title:
            label = f"Пункт {number}" if number else "Строка без номера"
            self.warnings.append(f"{label}: не указано наименование мероприятия.")
        self.current_section().items.append(item)
        self.item = item

    def _heads_section(self, number: str, row: Row, following: list[Row]) -> bool:
        """«2. | Научно-методическое сопровождение | | |» heads a section when it is bold, roman,
        or the next numbered row is numbered under it (2.1)."""
        if _ROMAN.match(number) or all(
            row.cells[p].bold for p in self.filled(row) if p < len(row.cells)
        ):
            return True
        title = self.header.first(Column.TITLE)
        span = row.cells[title].span if title is not None and title < len(row.cells) else None
        if span is not None and sum(cell.span == span for cell in row.cells) > 1:
            return True  # the title merged over the other columns
        position = self.header.first(Column.NUMBER)
        for later in following[:5]:
            if position is None or position >= len(later.cells):
                return False
            cell = later.cells[position]
            if cell.span is not None or later.line:
                return False  # a merged row next: a section, not a numbered item
            later_number = normalize_number(cell.text)
            if later_number:
                return bool(_ITEM_NUMBER.match(later_number)) and later_number.startswith(
                    number + "."
                )
        return False

    def _continues(self, title: str, deadline: str, after_break: bool) -> bool:
        """A row without a number continues the item above when its activity cell is empty, or
        starts mid-sentence (lower case, a list line) where a page or a row break cut it."""
        if self.item is None:
            return False
        if not title:
            return True
        if starts_lowercase(title) or title.startswith(("• ", "– ")) or title[0] in ",;:)»":
            return after_break or not deadline
        return after_break and not deadline

    def continue_item(self, row: Row) -> None:
        item = self.item
        if item is None:
            self.warnings.append("Строка без номера и наименования пропущена: нет пункта выше.")
            return
        for column, attribute in (
            (Column.TITLE, "title"),
            (Column.DEADLINE, "deadline_text"),
            (Column.RESPONSIBLE, "responsible_text"),
            (Column.RESULT, "result"),
        ):
            text = self.value(row, column, fresh_only=True)
            if text:
                setattr(item, attribute, join_continued(getattr(item, attribute), text))
        directions = _split_list(self.value(row, Column.DIRECTION, fresh_only=True))
        item.directions.extend(d for d in directions if d not in item.directions)

    # -- sections

    def current_section(self) -> ParsedSection:
        if not self.stack:
            section = ParsedSection()
            self.sections.append(section)
            self.stack.append(_Open(section, "none", 0))
        return self.stack[-1].section

    def open_section(self, number: str, title: str, heading: int) -> None:
        """Place a section: «2.1» goes under «2»; a deeper markdown heading under a shallower
        one; an arabic number under a roman section and an unnumbered heading under a numbered
        one. Anything else starts a new top-level section."""
        self.item = None
        section = ParsedSection(number=number, title=title)
        opened = _Open(section, _number_style(number), heading)
        parent = None
        if "." in number:
            parent = next(
                (
                    depth
                    for depth in range(len(self.stack) - 1, -1, -1)
                    if self.stack[depth].section.number
                    and number.startswith(self.stack[depth].section.number + ".")
                ),
                None,
            )
        if parent is None and "." in number and self.stack and not self.stack[0].section.number:
            # «1.1» under an unnumbered first section: the number counts sections.
            top = self.stack[0].section
            position = sum(1 for s in self.sections if s.title or s.number)
            if top.title and number.split(".")[0] == str(position):
                parent = 0
        if parent is None and heading and any(o.heading for o in self.stack):
            parent = next(
                (
                    depth
                    for depth in range(len(self.stack) - 1, -1, -1)
                    if 0 < self.stack[depth].heading < heading
                ),
                None,
            )
        elif parent is None and "." not in number and opened.style != self._top_style():
            parent = next(
                (
                    depth
                    for depth in range(len(self.stack) - 1, -1, -1)
                    if self.stack[depth].style != "none"
                    and _RANK[self.stack[depth].style] < _RANK[opened.style]
                ),
                None,
            )
        if parent is None:
            self.sections.append(section)
            self.stack[:] = [opened]
            return
        del self.stack[parent + 1 :]
        self.stack[parent].section.sections.append(section)
        self.stack.append(opened)

    def _top_style(self) -> str:
        """The numbering of top-level sections: a heading numbered alike is one of them."""
        return next((s.style for s in self.stack[:1] if s.section.title or s.section.number), "")

    # -- after the table

    def paragraph_after(self, paragraph: Paragraph, pending: list[Paragraph]) -> None:
        text = squeeze(paragraph.text)
        if not text:
            return
        self.texts.append(paragraph.text)
        if _GLOSSARY_HEADING.match(text):
            self.glossary_mode = True
            pending.clear()
            return
        entry = _glossary_entry([text])
        if entry and (self.glossary_mode or looks_like_abbreviation(entry[0])):
            self.add_glossary(*entry)
            return
        pending.append(paragraph)

    def take_pending(self, pending: list[Paragraph]) -> None:
        """Headings written as paragraphs between two parts of a table."""
        for paragraph in pending:
            number, title = _section_parts(paragraph.text)
            if paragraph.bold or number:
                self.open_section(number, title, 0)
        pending.clear()

    def glossary_rows(self, rows: list[Row]) -> None:
        for row in rows:
            self.glossary_row(row)

    def glossary_row(self, row: Row) -> None:
        texts = _distinct(row)
        if len(texts) == 1 and _GLOSSARY_HEADING.match(squeeze(texts[0])):
            return
        entry = _glossary_entry(texts)
        if entry:
            self.add_glossary(*entry)

    def add_glossary(self, key: str, value: str) -> None:
        self.glossary[squeeze(key)] = squeeze(value)

    # -- the result

    def finish(self, preamble: list[str], fallback_title: str) -> ParsedRoadmap:
        warnings = []
        while self.sections and not any(True for _ in self.sections[-1].all_items()):
            dropped = self.sections.pop()
            warnings.append(f"Раздел «{_label(dropped)}» без мероприятий пропущен.")
        items = [item for section in self.sections for item in section.all_items()]
        if not items:
            raise DocumentError(NO_ITEMS)

        glossary: dict[str, str] = {}
        for text in ["\n".join(preamble), *_texts_of(self.sections), *self.texts]:
            for key, value in find_definitions(text):
                glossary.setdefault(key, value)
        for key, value in self.glossary.items():
            glossary[key] = value  # a glossary table says it better than a bracket
        split_parties = PartySplitter(glossary)
        for item in items:
            item.responsible = split_parties(item.responsible_text)

        title, title_line = find_title(preamble)
        if not title:
            title = fallback_title
            warnings.append(
                "Заголовок «План мероприятий …» не найден: название взято из имени файла."
            )
        period = find_period(title, " ".join(preamble))
        if period is None:
            warnings.append("Период плана не найден в заголовке: укажите его вручную.")
        for column, name in COLUMN_NAMES.items():
            if column not in self.header.columns:
                warnings.append(f"В таблице нет столбца «{name}».")
        return ParsedRoadmap(
            title=title,
            period=period,
            approval=find_approval(preamble, title_line),
            sections=self.sections,
            glossary=glossary,
            warnings=warnings + self.warnings,
            columns=self.table_columns(),
            number_dots=self.numbered > 0 and self.dotted * 2 > self.numbered,
        )

    def table_columns(self) -> list[tuple[str, str]]:
        """Each kind of column once, where it first stands, under the document's heading. A
        column headed «… (справочно)» is read but is not the plan's own: the portal's Excel adds
        the directions so, to a plan that has no such column."""
        firsts = sorted((positions[0], column) for column, positions in self.header.columns.items())
        return [
            (column.value, squeeze(self.header.texts[position]) or COLUMN_NAMES.get(column, ""))
            for position, column in firsts
            if not squeeze(self.header.texts[position]).endswith(REFERENCE_MARK)
        ]


def _label(section: ParsedSection) -> str:
    return f"{section.number}. {section.title}" if section.number else section.title


def _texts_of(sections: list[ParsedSection]):
    for section in sections:
        yield section.title
        for item in section.items:
            yield from (item.title, item.deadline_text, item.responsible_text, item.result)
        yield from _texts_of(section.sections)


def _split_list(text: str) -> list[str]:
    return [part.strip(" .") for part in re.split(r"[,;\n]", text) if part.strip(" .")]
