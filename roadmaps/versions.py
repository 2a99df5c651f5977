"""Comparing two versions of a plan: what sections, items and glossary entries were added,
removed or changed, field by field.

Sections and items are matched across versions by their `key`: «Актуализировать» copies it, so
an item keeps its identity whatever happens to its number, wording or place. Two plans of
different lineages share no keys and compare as everything removed and everything added.

`snapshot` reads a plan into plain states (a fixed number of queries); `compare` works on
states only and has no Django in it.
"""

import difflib
import re
from dataclasses import dataclass, field

ITEM_FIELDS = (
    ("section", "Раздел"),
    ("number", "№"),
    ("title", "Мероприятие"),
    ("deadline_text", "Сроки"),
    ("responsible", "Ответственные"),
    ("result", "Ожидаемый результат"),
    ("directions", "Направления"),
    ("status", "Исполнение"),
)
SECTION_FIELDS = (("number", "№"), ("title", "Наименование"), ("parent", "Входит в раздел"))
PLAN_FIELDS = (("title", "Наименование плана"), ("period", "Период"))


@dataclass(frozen=True)
class SectionState:
    key: str
    number: str
    title: str
    parent_key: str | None = None

    @property
    def label(self) -> str:
        return f"{self.number} {self.title}".strip()


@dataclass(frozen=True)
class ItemState:
    key: str
    section_key: str
    number: str
    title: str
    deadline_text: str = ""
    responsible: tuple[str, ...] = ()
    result: str = ""
    directions: tuple[str, ...] = ()
    status: str = ""

    @property
    def label(self) -> str:
        return f"{self.number} {self.title}".strip()


@dataclass(frozen=True)
class GlossaryEntry:
    name: str
    full_name: str = ""

    @property
    def label(self) -> str:
        return self.name


@dataclass
class PlanState:
    title: str = ""
    period: str = ""
    sections: list[SectionState] = field(default_factory=list)
    items: list[ItemState] = field(default_factory=list)
    glossary: list[GlossaryEntry] = field(default_factory=list)


@dataclass(frozen=True)
class FieldChange:
    name: str
    label: str
    old: str
    new: str

    @property
    def words(self) -> list[tuple[str, str]]:
        """The two values as a word diff: (op, text) with op «=», «-» or «+»."""
        return word_diff(self.old, self.new)


@dataclass
class Change:
    ADDED, REMOVED, CHANGED = "added", "removed", "changed"

    kind: str
    old: object | None = None
    new: object | None = None
    fields: list[FieldChange] = field(default_factory=list)

    @property
    def state(self):
        return self.new if self.new is not None else self.old

    @property
    def kind_label(self) -> str:
        return {"added": "добавлено", "removed": "удалено", "changed": "изменено"}[self.kind]


@dataclass
class SectionGroup:
    """A section of the comparison: the section's own change and its items' changes."""

    section: SectionState
    change: Change | None
    items: list[Change]


@dataclass
class PlanDiff:
    plan: list[FieldChange]
    sections: list[Change]
    items: list[Change]
    glossary: list[Change]
    unchanged_items: int
    groups: list[SectionGroup]

    @property
    def has_changes(self) -> bool:
        return bool(self.plan or self.sections or self.items or self.glossary)

    def count(self, kind: str) -> int:
        return sum(1 for change in self.items if change.kind == kind)

    @property
    def added(self) -> int:
        return self.count(Change.ADDED)

    @property
    def removed(self) -> int:
        return self.count(Change.REMOVED)

    @property
    def changed(self) -> int:
        return self.count(Change.CHANGED)


# A word with the spaces after it: a changed word is marked together with its gap.
_WORDS = re.compile(r"\S+\s*|\s+")


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Runs of equal, removed and added words between two texts."""
    a, b = _WORDS.findall(old or ""), _WORDS.findall(new or "")
    runs: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            runs.append(("=", "".join(a[a1:a2])))
            continue
        if a1 != a2:
            runs.append(("-", "".join(a[a1:a2])))
        if b1 != b2:
            runs.append(("+", "".join(b[b1:b2])))
    return runs


def _value(state, name: str, sections: dict[str, SectionState]) -> str:
    if name == "section":
        section = sections.get(state.section_key)
        return section.label if section else ""
    if name == "parent":
        parent = sections.get(state.parent_key) if state.parent_key else None
        return parent.label if parent else ""
    value = getattr(state, name)
    if isinstance(value, tuple):
        return ", ".join(value)
    return value or ""


def _field_changes(old, new, fields, old_sections, new_sections) -> list[FieldChange]:
    changes = []
    for name, label in fields:
        if name in ("section", "parent"):
            # A move is a change of place, not of the parent's own wording.
            old_key = old.section_key if name == "section" else old.parent_key
            new_key = new.section_key if name == "section" else new.parent_key
            if old_key == new_key:
                continue
        before, after = _value(old, name, old_sections), _value(new, name, new_sections)
        if before != after:
            changes.append(FieldChange(name, label, before, after))
    return changes


def _compare_keyed(old_list, new_list, fields, old_sections, new_sections, key="key"):
    old_by_key = {getattr(state, key): state for state in old_list}
    new_keys = {getattr(state, key) for state in new_list}
    changes, unchanged = [], 0
    for state in new_list:
        before = old_by_key.get(getattr(state, key))
        if before is None:
            changes.append(Change(Change.ADDED, new=state))
            continue
        fields_changed = _field_changes(before, state, fields, old_sections, new_sections)
        if fields_changed:
            changes.append(Change(Change.CHANGED, old=before, new=state, fields=fields_changed))
        else:
            unchanged += 1
    changes.extend(
        Change(Change.REMOVED, old=state)
        for state in old_list
        if getattr(state, key) not in new_keys
    )
    return changes, unchanged


def _group(old: PlanState, new: PlanState, section_changes, item_changes) -> list[SectionGroup]:
    """Changes grouped by section, in the new version's order; removed sections last."""
    by_key = {c.state.key: c for c in section_changes}
    groups: dict[str, SectionGroup] = {}
    for section in new.sections:
        groups[section.key] = SectionGroup(section, by_key.get(section.key), [])
    for section in old.sections:
        if section.key not in groups:
            groups[section.key] = SectionGroup(section, by_key.get(section.key), [])
    for change in item_changes:
        group = groups.get(change.state.section_key)
        if group is not None:
            group.items.append(change)
    return [group for group in groups.values() if group.change or group.items]


def compare(old: PlanState, new: PlanState) -> PlanDiff:
    old_sections = {s.key: s for s in old.sections}
    new_sections = {s.key: s for s in new.sections}
    plan = [
        FieldChange(name, label, getattr(old, name), getattr(new, name))
        for name, label in PLAN_FIELDS
        if getattr(old, name) != getattr(new, name)
    ]
    sections, _ = _compare_keyed(
        old.sections, new.sections, SECTION_FIELDS, old_sections, new_sections
    )
    items, unchanged = _compare_keyed(old.items, new.items, ITEM_FIELDS, old_sections, new_sections)
    glossary, _ = _compare_keyed(
        old.glossary,
        new.glossary,
        (("full_name", "Полное наименование"),),
        old_sections,
        new_sections,
        key="name",
    )
    return PlanDiff(
        plan=plan,
        sections=sections,
        items=items,
        glossary=glossary,
        unchanged_items=unchanged,
        groups=_group(old, new, sections, items),
    )


def snapshot(roadmap) -> PlanState:
    """A plan as plain states: four queries whatever its size."""
    from django.db.models import Prefetch

    from roadmaps.models import ItemResponsible

    sections = list(roadmap.sections.order_by("position", "pk"))
    section_keys = {section.pk: str(section.key) for section in sections}
    items = roadmap.items.order_by("section__position", "position", "pk").prefetch_related(
        Prefetch(
            "itemresponsible_set",
            queryset=ItemResponsible.objects.select_related("party").order_by("position"),
        ),
        "directions",
    )
    item_states = []
    for item in items:
        names = tuple(link.party.name for link in item.itemresponsible_set.all())
        item_states.append(
            ItemState(
                key=str(item.key),
                section_key=section_keys[item.section_id],
                number=item.number,
                title=item.title,
                deadline_text=item.deadline_text,
                responsible=names or ((item.responsible_text,) if item.responsible_text else ()),
                result=item.result,
                directions=tuple(direction.name for direction in item.directions.all()),
                status=item.get_status_display(),
            )
        )
    glossary = [
        GlossaryEntry(party.name, party.full_name)
        for party in roadmap.parties.filter(in_glossary=True).order_by("position", "name")
    ]
    return PlanState(
        title=roadmap.title,
        period=roadmap.period_label,
        sections=[
            SectionState(
                key=str(section.key),
                number=section.number,
                title=section.title,
                parent_key=section_keys.get(section.parent_id),
            )
            for section in sections
        ],
        items=item_states,
        glossary=glossary,
    )
