"""Which column is which, read from the header row by meaning, in any order."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from .cleanup import squeeze


class Column(StrEnum):
    NUMBER = "number"
    TITLE = "title"
    DEADLINE = "deadline"
    RESPONSIBLE = "responsible"
    RESULT = "result"
    DIRECTION = "direction"


# The heading mark of a column a file adds for reference, not one of the plan's own columns.
REFERENCE_MARK = "(справочно)"

COLUMN_NAMES = {
    Column.TITLE: "Мероприятие",
    Column.DEADLINE: "Сроки",
    Column.RESPONSIBLE: "Ответственные",
    Column.RESULT: "Ожидаемый результат",
}

# Checked in this order: «Сроки проведения мероприятия» is a deadline and «Ожидаемый результат
# мероприятия» a result although both name the activity.
_PATTERNS = [
    (Column.NUMBER, re.compile(r"^(№+|n|no|#)\s*(п\s*/\s*п)?\.?$|^п\s*/\s*п$|^номер\b|^№")),
    (Column.DEADLINE, re.compile(r"срок|дата|период|время (проведения|исполнения)|когда")),
    (Column.RESPONSIBLE, re.compile(r"ответствен|исполнител|организатор|кто (проводит|отвечает)")),
    (Column.RESULT, re.compile(r"результат|документ|продукт|итог|показател|отч[её]тн|форма отч")),
    (Column.DIRECTION, re.compile(r"^(магистральн\w* )?направлени|ключев\w* услови")),
    (Column.TITLE, re.compile(r"мероприят|наименовани|содержани|название|деятельност|вид работ")),
]
_MAX_HEADER_CELL = 90


def classify(text: str) -> Column | None:
    text = squeeze(text).lower().replace("ё", "е")
    if not text or len(text) > _MAX_HEADER_CELL:
        return None
    for column, pattern in _PATTERNS:
        if pattern.search(text):
            return column
    return None


@dataclass
class Header:
    """Grid positions of each kind of column; a kind may take several (responsible and
    co-executors)."""

    columns: dict[Column, list[int]] = field(default_factory=dict)
    texts: list[str] = field(default_factory=list)
    rows: int = 1  # a header written over two rows takes two

    def first(self, column: Column) -> int | None:
        positions = self.columns.get(column)
        return positions[0] if positions else None

    @property
    def recognized(self) -> int:
        return sum(len(positions) for positions in self.columns.values())

    @property
    def data_positions(self) -> list[int]:
        return sorted(p for positions in self.columns.values() for p in positions)


def recognize(texts: list[str]) -> Header | None:
    """A header needs the activity column and at least one of deadline, responsible, result."""
    header = Header(texts=[squeeze(text) for text in texts])
    seen_spans: set[str] = set()
    for position, text in enumerate(texts):
        column = classify(text)
        if column is None:
            continue
        # A merged header cell repeats over its columns; count it once.
        key = f"{column}:{squeeze(text)}"
        if key in seen_spans and column is not Column.DEADLINE:
            continue
        seen_spans.add(key)
        if column is Column.NUMBER and Column.NUMBER in header.columns:
            continue
        header.columns.setdefault(column, []).append(position)
    if Column.TITLE not in header.columns:
        return None
    if not {Column.DEADLINE, Column.RESPONSIBLE, Column.RESULT} & header.columns.keys():
        return None
    return header


def combine(upper: list[str], lower: list[str]) -> list[str]:
    """The column titles of a header written over two rows."""
    width = max(len(upper), len(lower))
    combined = []
    for position in range(width):
        top = upper[position] if position < len(upper) else ""
        bottom = lower[position] if position < len(lower) else ""
        combined.append(top if squeeze(top) == squeeze(bottom) else f"{top} {bottom}".strip())
    return combined


def is_header_part(texts: list[str]) -> bool:
    """A second header row: short cells, at least one of which names a column or says «п/п»."""
    filled = [squeeze(text) for text in texts if squeeze(text)]
    if not filled or any(len(text) > 60 for text in filled):
        return False
    return any(classify(text) is not None for text in filled)


def is_column_numbers(texts: list[str]) -> bool:
    """The «1 2 3 4 5» row printed under many headers."""
    if any(len(text) > 8 for text in texts):
        return False
    filled = [squeeze(text).rstrip(".") for text in texts if squeeze(text)]
    if len(filled) < 2 or not all(text.isdecimal() for text in filled):
        return False
    numbers = [int(text) for text in dict.fromkeys(filled)]
    return numbers == sorted(numbers) and numbers[0] <= 2
