"""The shape every reader produces: paragraphs and tables in document order.

A reader (Word, Excel, text) only says what is on the page; deciding which table is the plan,
which row is a section and which a continued item is ``assemble.py``'s job, once for all formats.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Cell:
    text: str = ""
    bold: bool = False
    # Cells of one horizontally merged range share a span key; python-docx and openpyxl both
    # report such a range once per grid column, so this is how a full-width row is told apart.
    span: object | None = None
    # The lower part of a vertically merged range: the text is the one of the top cell.
    continued: bool = False


@dataclass
class Row:
    cells: list[Cell]
    # Only text tables know this: a blank line before the row marks a page break, after which a
    # row with no number continues the item above.
    after_break: bool = False
    # A markdown heading (``## 2. …``) or a bare line between table rows: 1, 2, … or 0.
    heading: int = 0
    line: bool = False  # a text line outside the columns, never an item

    def texts(self) -> list[str]:
        return [cell.text for cell in self.cells]


@dataclass
class Paragraph:
    text: str
    bold: bool = False


@dataclass
class Table:
    rows: list[Row] = field(default_factory=list)


Block = Paragraph | Table
