"""The history log of a plan: every change of the plan, its sections and its items, as
django-simple-history recorded it, newest first, with the old and new value of each field.

The history page and the API both read it in two steps: `log_entries` is the whole log as one
sortable queryset of (when, history id, kind) that a paginator cuts into pages; `log_rows`
turns the entries of one page into rows, in a number of queries that does not grow with them.
"""

from collections import defaultdict

from django.db.models import CharField, Value

from roadmaps.models import Item, Roadmap, Section

# Bookkeeping the reader never typed: ids, positions, versions of the row, parsed copies of a
# deadline (its text is shown). A move shows as «место в плане изменено», not «Порядок: 1 → 0».
HIDDEN_FIELDS = {
    "position",
    "lock_version",
    "next_due",
    "previous_version",
    "implements",
    "source_item",
    "created",
    "updated",
    "created_by",
    "updated_by",
    "lineage",
    "roadmap",
    "key",
    "deadline_warnings",
    "deadline_occurrences",
    "deadline_note",
    "deadline_kind",
}

MODELS = {"roadmap": Roadmap, "section": Section, "item": Item}
ACTIONS = {"+": "создано", "~": "изменено", "-": "удалено"}


def _histories(roadmap: Roadmap) -> dict:
    return {
        "roadmap": Roadmap.history.filter(id=roadmap.pk),
        "section": Section.history.filter(roadmap_id=roadmap.pk),
        "item": Item.history.filter(roadmap_id=roadmap.pk),
    }


def log_entries(roadmap: Roadmap):
    """The plan's whole log, newest first: (history_date, history_id, kind) tuples."""
    entries = [
        queryset.order_by()
        .annotate(kind=Value(kind, output_field=CharField()))
        .values_list("history_date", "history_id", "kind")
        for kind, queryset in _histories(roadmap).items()
    ]
    return entries[0].union(*entries[1:], all=True).order_by("-history_date", "-history_id")


MOVED = "Место в плане изменено."


def _moved(record, previous) -> bool:
    return getattr(record, "position", None) != getattr(previous, "position", None)


def _value(field, value, sections: dict[int, str]) -> str:
    if value in (None, ""):
        return "—"
    if field.name in ("section", "parent"):
        return sections.get(value, "удалённый раздел")
    if field.choices:
        return str(dict(field.choices).get(value, value))
    if hasattr(value, "strftime"):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, bool):
        return "да" if value else "нет"
    return str(value)


def _label(kind: str, record) -> str:
    if kind == "roadmap":
        return f"План (версия {record.version})"
    if kind == "section":
        return f"Раздел {record.number} {record.title}".strip()
    return f"Мероприятие {record.number} {record.title[:120]}".strip()


def log_rows(roadmap: Roadmap, entries) -> list[dict]:
    """Rows of the log for these entries (a page of `log_entries`), in their order: when, who,
    the kind of record and its object's id, the action, a label, the changed fields with their
    old and new values, and the reason given."""
    entries = list(entries)
    histories = _histories(roadmap)
    sections = {
        section.pk: f"{section.number} {section.title}".strip()
        for section in roadmap.sections.only("pk", "number", "title")
    }
    records = {}
    for kind, queryset in histories.items():
        ids = [history_id for _, history_id, k in entries if k == kind]
        if not ids:
            continue
        page_records = list(queryset.filter(history_id__in=ids).select_related("history_user"))
        # The record before each one of the same object: all records of these objects, oldest
        # first, in one query.
        chain = defaultdict(list)
        for record in queryset.filter(id__in={r.id for r in page_records}).order_by(
            "history_date", "history_id"
        ):
            chain[record.id].append(record)
        for record in page_records:
            older = [r for r in chain[record.id] if r.history_id < record.history_id]
            records[(kind, record.history_id)] = (record, older[-1] if older else None)

    rows = []
    for _, history_id, kind in entries:
        record, previous = records[(kind, history_id)]
        model = MODELS[kind]
        changes = []
        reason = record.history_change_reason or ""
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous, excluded_fields=HIDDEN_FIELDS)
            if not delta.changes and not reason and _moved(record, previous):
                reason = MOVED
            for change in delta.changes:
                field = model._meta.get_field(change.field)
                changes.append(
                    {
                        "label": str(field.verbose_name),
                        "old": _value(field, change.old, sections),
                        "new": _value(field, change.new, sections),
                    }
                )
        user = record.history_user
        rows.append(
            {
                "when": record.history_date,
                "user": (user.get_full_name() or user.username) if user else "система",
                "kind": kind,
                "object_id": record.id,
                "action": ACTIONS[record.history_type],
                "label": _label(kind, record),
                "changes": changes,
                "reason": reason,
            }
        )
    return rows
