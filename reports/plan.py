"""A plan as its documents print it: section and item rows in reading order, and the glossary.

The PDF and the Excel file both read this, so they list the same rows in the same order, and
neither knows how sections nest or how responsible parties are ordered. A plan of any size
takes the same handful of queries.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch

from roadmaps import layout
from roadmaps.models import Item, ItemResponsible, Roadmap

GLOSSARY_TITLE = "Обозначения и сокращения"
# How wide each kind of column is, relative to the others (the standard five add up to 100).
WIDTH_WEIGHTS = {
    layout.NUMBER: 6,
    layout.TITLE: 35,
    layout.DEADLINE: 13,
    layout.RESPONSIBLE: 17,
    layout.RESULT: 29,
    layout.DIRECTION: 14,
}

_LIST_MARKERS = ("• ", "– ", "- ", "— ")
_LEADING_DASH = re.compile(r"(?<![\w-])([-–—])(?=\w)")


@dataclass(frozen=True)
class Line:
    """One line of a multi-line cell; a list line is printed with a hanging marker, the one
    the plan wrote («–», «-», «—» or «•»), so that the document reads back as written."""

    text: str
    bullet: bool = False
    marker: str = ""

    @property
    def printed(self) -> str:
        """The line for the PDF: a word that starts with a dash («-ТОГИРРО», «–МОУО») is tied to
        it by a word joiner (U+2060, which prints nothing), since a line broken after that dash
        would read back as two words."""
        return _LEADING_DASH.sub("\\g<1>\u2060", self.text)


def split_lines(text: str) -> list[Line]:
    """Lines to print; «№ 5» is tied so the number never starts a line of its own."""
    text = (text or "").replace("№ ", "№\u00a0")
    lines = []
    for raw in text.splitlines():
        raw = raw.strip()
        if not raw:
            continue
        marker = next((m for m in _LIST_MARKERS if raw.startswith(m)), None)
        if marker:
            lines.append(Line(raw[len(marker) :].strip(), bullet=True, marker=marker.strip()))
        else:
            lines.append(Line(raw))
    return lines


@dataclass
class SectionRow:
    number: str
    title: str
    depth: int  # 0 for a section, 1 for a subsection (2.1), …

    is_section = True

    @property
    def heading(self) -> str:
        """«1. Организационно-управленческое сопровождение», as plans write a section row."""
        number = self.number.strip().rstrip(".")
        if not number or self.title.startswith(number):
            return self.title
        return f"{number}. {self.title}"


@dataclass(frozen=True)
class Cell:
    key: str
    lines: list[Line]

    @property
    def single(self) -> str:
        """The text of a cell of one plain line ("" otherwise): the PDF prints it without a
        paragraph of its own, a box fewer to style and lay out for most cells of a plan."""
        if len(self.lines) == 1 and not self.lines[0].bullet:
            return self.lines[0].printed
        return ""


@dataclass
class ItemRow:
    item: Item
    responsible: list[str]
    directions: list[str]
    number: str = ""  # as the plan writes it («1.1.» in a plan numbered with a dot)
    keys: tuple[str, ...] = ()  # the plan's columns, in order

    is_section = False

    @property
    def cells(self) -> list[Cell]:
        return [Cell(key, self.lines(key)) for key in self.keys]

    def text(self, key: str) -> str:
        """The cell of a column (roadmaps/layout.py keys) as plain text, lines kept."""
        item = self.item
        return {
            layout.NUMBER: self.number,
            layout.TITLE: item.title,
            layout.DEADLINE: item.deadline_text,
            layout.RESPONSIBLE: "\n".join(self.responsible),
            layout.RESULT: item.result,
            layout.DIRECTION: "\n".join(self.directions),
        }[key]

    def lines(self, key: str) -> list[Line]:
        return split_lines(self.text(key))


@dataclass
class PlanDocument:
    roadmap: Roadmap
    rows: list[SectionRow | ItemRow] = field(default_factory=list)
    glossary: list[tuple[str, str]] = field(default_factory=list)
    columns: list[layout.PlanColumn] = field(default_factory=list)

    @property
    def items(self) -> list[ItemRow]:
        return [row for row in self.rows if not row.is_section]

    def widths(self, total: float = 100) -> list[float]:
        """Each column's share of `total`, in the proportions of the standard table."""
        weights = [WIDTH_WEIGHTS[column.key] for column in self.columns]
        return [round(total * weight / sum(weights), 1) for weight in weights]


def glossary_parties(roadmap: Roadmap):
    """The plan's «Обозначения и сокращения»: parties marked for the list that have a full name.

    Belongs on a Party queryset (`roadmap.parties.glossary()`); roadmaps has none yet.
    """
    return roadmap.parties.filter(in_glossary=True).exclude(full_name="").order_by("position")


def load_plan(roadmap: Roadmap) -> PlanDocument:
    """Sections depth first, each followed by its own items and then by its subsections."""
    sections = list(roadmap.sections.order_by("position", "pk"))
    items = with_responsible(roadmap.items.order_by("position", "pk")).prefetch_related(
        "directions"
    )
    items_by_section: dict[int, list[Item]] = defaultdict(list)
    for item in items:
        items_by_section[item.section_id].append(item)
    children: dict[int | None, list] = defaultdict(list)
    known = {section.pk for section in sections}
    for section in sections:
        # A parent from elsewhere cannot happen through the editor; print such a section at the top.
        parent = section.parent_id if section.parent_id in known else None
        children[parent].append(section)

    plan = PlanDocument(roadmap=roadmap, columns=layout.plan_columns(roadmap))

    def walk(parent_id, depth):
        for section in children[parent_id]:
            plan.rows.append(SectionRow(section.number, section.title, depth))
            plan.rows.extend(_item_row(plan, item) for item in items_by_section[section.pk])
            walk(section.pk, depth + 1)

    walk(None, 0)
    plan.glossary = [(party.name, party.full_name) for party in glossary_parties(roadmap)]
    return plan


def with_responsible(items):
    """Items with their responsible parties in the plan's order, in one more query."""
    return items.prefetch_related(
        Prefetch(
            "itemresponsible_set",
            queryset=ItemResponsible.objects.select_related("party").order_by("position", "pk"),
            to_attr="ordered_responsible",
        )
    )


def responsible_names(item: Item) -> list[str]:
    """The parties of an item loaded `with_responsible`; the text as written if it has none."""
    names = [link.party.name for link in item.ordered_responsible]
    if not names and item.responsible_text.strip():
        names = [line.strip() for line in item.responsible_text.splitlines() if line.strip()]
    return names


def _item_row(plan: PlanDocument, item: Item) -> ItemRow:
    return ItemRow(
        item=item,
        responsible=responsible_names(item),
        directions=[direction.name for direction in item.directions.all()],
        number=layout.display_number(plan.roadmap, item.number),
        keys=tuple(column.key for column in plan.columns),
    )
