"""Plain text, markdown and TSV: rows are tab-separated (or ``| … |`` markdown tables).

Text exports of Word plans carry leftovers of their origin: ``<p>``, ``<ul><li>``, ``<b>`` and
``<br>`` inside cells, markdown ``**bold**`` and ``#`` headings between rows, and a blank line
where a page broke a row in two. All of that is turned into the common layout here.
"""

from __future__ import annotations

import codecs
import re

from .cleanup import clean_text, strip_html, strip_markdown
from .layout import Block, Cell, Paragraph, Row, Table
from .structure import DocumentError

NOT_TEXT = "Файл не похож на текстовый документ: сохраните план как .txt, .docx или .xlsx."
EMPTY = "Файл пустой."

_PIPE_SEPARATOR = re.compile(r"^\s*\|?(?:\s*:?-{3,}:?\s*\|)+\s*:?-*:?\s*\|?\s*$")


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1251."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    if b"\x00" in data:
        raise DocumentError(NOT_TEXT)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1251", errors="replace")


def read_text(data: bytes) -> list[Block]:
    text = decode(data).replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise DocumentError(EMPTY)
    blocks: list[Block] = []
    table: Table | None = None
    after_break = False
    for record in _records(text.split("\n")):
        if record is None:
            if table is not None:
                after_break = True
            else:
                blocks.append(Paragraph(""))
            continue
        if isinstance(record, list):
            if table is None:
                table = Table()
                blocks.append(table)
            table.rows.append(Row([_cell(raw) for raw in record], after_break=after_break))
            after_break = False
            continue
        line, bold, level = strip_markdown(record)
        line, html_bold = strip_html(line)
        line = clean_text(line)
        if not line:
            continue
        if table is None:
            blocks.extend(Paragraph(part, bold or html_bold) for part in line.split("\n"))
        else:
            # Between rows a line is a heading or text after the table; the assembler decides.
            cell = Cell(line, bold=bold or html_bold)
            table.rows.append(Row([cell], after_break=after_break, heading=level, line=True))
            after_break = False
    return blocks


def _cell(raw: str) -> Cell:
    raw, md_bold, _ = strip_markdown(raw)
    text, bold = strip_html(raw)
    return Cell(clean_text(text), bold=bold or md_bold)


def _records(lines: list[str]):
    """Yield a list of raw cells per table row, a string per other line, None per blank line."""
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line.strip():
            yield None
            continue
        if "\t" in line:
            fields = line.split("\t")
            # Excel's «Text (tab delimited)» quotes a cell with line breaks: "first\nsecond".
            while _open_quote(fields[-1]) and index < len(lines):
                following = lines[index].split("\t")
                index += 1
                fields[-1] += "\n" + following[0]
                fields.extend(following[1:])
            yield [_unquote(field) for field in fields]
            continue
        stripped = line.strip()
        if stripped.startswith("|") and stripped.count("|") >= 2:
            if _PIPE_SEPARATOR.match(stripped):
                continue
            yield [field.strip() for field in stripped.strip("|").split("|")]
            continue
        yield line


def _open_quote(field: str) -> bool:
    return field.startswith('"') and field.count('"') % 2 == 1


def _unquote(field: str) -> str:
    if len(field) >= 2 and field[0] == field[-1] == '"' and ("\n" in field or '""' in field):
        return field[1:-1].replace('""', '"')
    return field
