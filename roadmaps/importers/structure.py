"""What an importer hands back: a plain tree of sections and items, no Django in it.

The saving code turns this into models; ``to_json`` is the ``import_roadmap --dry-run --json``
contract from DESIGN.md and must keep its shape.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any


class DocumentError(Exception):
    """A document the importer cannot read; the message is one Russian sentence for the user."""


@dataclass
class Approval:
    kind: str  # «распоряжение», «приказ», «инструктивно-методическое письмо», «утверждаю», …
    number: str = ""
    date: date | None = None
    official_name: str = ""
    official_position: str = ""
    issuer: str = ""  # the body, e.g. «Комитет общего и профессионального образования …»
    text: str = ""  # the block as written in the document

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "number": self.number,
            "date": self.date.isoformat() if self.date else None,
            "official_name": self.official_name,
            "official_position": self.official_position,
            "issuer": self.issuer,
            "text": self.text,
        }


@dataclass
class ParsedItem:
    number: str = ""  # as written, trailing dots dropped: «1.1.» is stored as «1.1»
    title: str = ""  # lines kept; list lines start with «• » or «– »
    deadline_text: str = ""
    responsible: list[str] = field(default_factory=list)  # ordered parties
    responsible_text: str = ""  # the cell as written
    result: str = ""
    directions: list[str] = field(default_factory=list)  # only if the table has such a column


@dataclass
class ParsedSection:
    number: str = ""
    title: str = ""
    sections: list[ParsedSection] = field(default_factory=list)
    items: list[ParsedItem] = field(default_factory=list)

    def all_items(self) -> Iterator[ParsedItem]:
        yield from self.items
        for section in self.sections:
            yield from section.all_items()


@dataclass
class ParsedRoadmap:
    title: str
    period: Any = None  # roadmaps.deadlines.Period or None
    approval: Approval | None = None
    sections: list[ParsedSection] = field(default_factory=list)
    glossary: dict[str, str] = field(default_factory=dict)  # abbreviation -> full name
    warnings: list[str] = field(default_factory=list)
    # The table's columns as the document has them: (key, heading) in order (roadmaps/layout.py).
    columns: list[tuple[str, str]] = field(default_factory=list)
    number_dots: bool = False  # items numbered «1.1.», with a closing dot

    def all_items(self) -> Iterator[ParsedItem]:
        for section in self.sections:
            yield from section.all_items()

    def deadline_period(self):
        """The period deadlines are read against: the plan's own, else the year its deadlines name.

        A plan without a stated period still gets its deadlines parsed; the most frequent
        year in them (or the current year) is the best guess, and a warning already says
        the period is missing.
        """
        from roadmaps.deadlines import Period

        if self.period is not None:
            return self.period
        years = Counter(
            int(year)
            for item in self.all_items()
            for year in re.findall(r"\b(20\d\d)\b", item.deadline_text)
        )
        year = years.most_common(1)[0][0] if years else date.today().year
        return Period.calendar_year(year)

    def to_json(self) -> dict[str, Any]:
        from roadmaps.deadlines import parse_deadline

        period = self.deadline_period()
        warnings = list(self.warnings)

        def item_json(item: ParsedItem) -> dict[str, Any]:
            deadline = parse_deadline(item.deadline_text, period).as_json()
            for warning in deadline.get("warnings") or []:
                label = f"Пункт {item.number}" if item.number else f"Пункт «{item.title[:40]}»"
                warnings.append(f"{label}: {warning}")
            return {
                "number": item.number,
                "title": item.title,
                "deadline": {key: deadline[key] for key in ("text", "kind", "start", "end")},
                "responsible": list(item.responsible),
                "result": item.result,
            }

        def section_json(section: ParsedSection) -> dict[str, Any]:
            return {
                "number": section.number,
                "title": section.title,
                "sections": [section_json(child) for child in section.sections],
                "items": [item_json(item) for item in section.items],
            }

        sections = [section_json(section) for section in self.sections]
        return {
            "title": self.title,
            "period": {
                "start": self.period.start.isoformat() if self.period else None,
                "end": self.period.end.isoformat() if self.period else None,
            },
            "approval": self.approval.to_json() if self.approval else None,
            "sections": sections,
            "glossary": dict(self.glossary),
            "warnings": warnings,
        }
