"""Writing a plan: creating it, its header, its sections and its items.

The editor's pages (roadmaps/views.py), the API (roadmaps/api/), importing a document, a plan
built on a higher-level plan (roadmaps/cascade.py) and a plan from self-diagnosis deficits
(selfdiag/plans.py) all write here, so that a plan gets the same rows, the same «создана» event
and the same history reasons whichever way it was made. What a field may hold is the page's
forms' business (roadmaps/forms.py); the API validates through them too.

Edits of an item or a section are optimistic: the caller passes the lock_version the form was
loaded with, and a write over someone else's change (an edit, a move, a renumbering, a report's
status, a party's new name) is refused (False) instead of undoing it.
"""

from django.db import transaction
from django.db.models import Max
from simple_history.utils import bulk_update_with_history

from notifications import events
from roadmaps.deadlines import Period, parse_deadline
from roadmaps.glossary import parties_named
from roadmaps.models import (
    Item,
    ItemResponsible,
    Roadmap,
    RoadmapEvent,
    Section,
    next_number,
)
from roadmaps.occurrences import store_occurrences

# The fields of an item written from its form (its links to parties and directions aside).
ITEM_FIELDS = ["number", "title", "result", "status", "responsible_text", *Item.DEADLINE_FIELDS]


# Plans


@transaction.atomic
def create_roadmap(
    *,
    owner,
    title: str,
    period: Period,
    user,
    action: str = RoadmapEvent.Action.CREATED,
    comment: str = "",
    reason: str = "",
    **fields,
) -> Roadmap:
    """A new draft plan and its first event («создана», «импортирована»)."""
    roadmap = Roadmap(
        owner=owner,
        title=title.strip()[:1000],
        period_start=period.start,
        period_end=period.end,
        created_by=user,
        updated_by=user,
        **fields,
    )
    if user is not None:
        roadmap._history_user = user
    if reason:
        roadmap._change_reason = reason
    roadmap.save()
    RoadmapEvent.objects.create(roadmap=roadmap, action=action, user=user, comment=comment)
    return roadmap


def update_roadmap(
    roadmap: Roadmap, *, title: str, period: Period, user, loaded_version: int
) -> bool:
    """Write the plan's name and period; False (nothing written) if someone changed the plan
    after `loaded_version` was read or it left the editable states. A new period means the
    items' deadlines are read again: «май» moves with the year."""
    period_changed = (period.start, period.end) != (roadmap.period_start, roadmap.period_end)
    roadmap.title = title.strip()
    roadmap.period_start, roadmap.period_end = period.start, period.end
    roadmap.updated_by = user
    roadmap._history_user = user
    with transaction.atomic():
        fields = ["title", "period_start", "period_end", "updated_by"]
        if not roadmap.save_if_unchanged(loaded_version, fields):
            return False
        if period_changed:
            reparse_deadlines(roadmap, user)
    return True


def reparse_deadlines(roadmap: Roadmap, user) -> None:
    """Deadlines are read against the period: a new period means new dates."""
    items = list(roadmap.items.all())
    for item in items:
        item.apply_deadline(parse_deadline(item.deadline_text, roadmap.period))
    bulk_update_with_history(
        items,
        Item,
        list(Item.DEADLINE_FIELDS),
        default_user=user,
        default_change_reason=f"Период плана изменён на «{roadmap.period_label}»",
    )
    store_occurrences(items, roadmap.period)


# Sections


def next_section_number(roadmap: Roadmap, parent: Section | None) -> str:
    """The number a new section gets: after its last sibling's, in that one's style."""
    last = roadmap.sections.filter(parent=parent).order_by("position", "pk").last()
    return next_number(last.number if last else "", parent.number if parent else "")


@transaction.atomic
def add_section(
    roadmap: Roadmap, *, title: str, user, number: str = "", parent: Section | None = None
) -> Section:
    """A new section at the end of the plan, or of its parent; numbered in sequence unless
    given a number."""
    position = roadmap.sections.aggregate(Max("position"))["position__max"]
    section = Section(
        roadmap=roadmap,
        parent=parent,
        number=number or next_section_number(roadmap, parent),
        title=title,
        position=(position or 0) + 1,
    )
    section._history_user = user
    section.save()
    # Sections are kept in pre-order: a new subsection goes right after its siblings.
    roadmap.renumber_section_positions()
    section.refresh_from_db(fields=["position"])
    return section


def save_section(section: Section, *, number: str, title: str, user, loaded_version: int) -> bool:
    """Write the section's number and name; a new number goes into its subsections and items.
    False (nothing written) if someone changed the section after `loaded_version`."""
    with transaction.atomic():
        old_number = Section.objects.values_list("number", flat=True).get(pk=section.pk)
        section.number = old_number
        section.title = title
        section._history_user = user
        if not section.save_if_unchanged(loaded_version, ["title"]):
            return False
        if number != old_number:
            section.renumber(number)
    return True


def move_section(section: Section, step: int) -> bool:
    """Up (-1) or down (+1) among its siblings, trading numbers with the neighbour."""
    return section.move(step)


def delete_section(section: Section) -> None:
    section.delete_and_renumber()


# Items


def _change_reason(label: str, before: list[str], after: list[str]) -> str:
    if before == after:
        return ""
    return f"{label}: {', '.join(before) or '—'} → {', '.join(after) or '—'}"


def responsible_names(item: Item) -> list[str]:
    if item.pk is None:
        return []
    return list(item.itemresponsible_set.order_by("position").values_list("party__name", flat=True))


def _number_key(number: str) -> str:
    # «2.1» and «2.1.» are the same number in a plan's table.
    return number.strip().rstrip(".").strip()


def _taken_item_numbers(section: Section, *, but: Item | None = None) -> tuple[set, set]:
    """What numbers a new (or renumbered) item of `section` would repeat: those of the
    section's other items, and, for a hierarchical number such as «2.1», those of every item
    and section of the plan (an item «2.1» beside a subsection «2.1» reads as the same row)."""
    items = section.roadmap.items.exclude(pk=but.pk) if but and but.pk else section.roadmap.items
    local, plan = set(), set()
    for section_id, number in items.values_list("section_id", "number"):
        key = _number_key(number)
        if key:
            plan.add(key)
            if section_id == section.pk:
                local.add(key)
    plan.update(_number_key(n) for n in section.roadmap.sections.values_list("number", flat=True))
    return local, plan


def _is_taken(number: str, taken: tuple[set, set]) -> bool:
    local, plan = taken
    key = _number_key(number)
    return key in local or ("." in key and key in plan)


def next_item_number(section: Section, *, taken: tuple[set, set] | None = None) -> str:
    """The number a new item of `section` is offered: after the last numbered item's, in its
    style («1.7.» → «1.8.»), skipping numbers the plan already has, so that saving the
    proposal never gives two rows «2.1»."""
    taken = taken if taken is not None else _taken_item_numbers(section)
    numbers = section.items.order_by("position", "pk").values_list("number", flat=True)
    last = next((n for n in reversed(numbers) if any(c.isdigit() for c in n)), "")
    number = next_number(last, section.number)
    while _is_taken(number, taken):
        number = next_number(number, section.number)
    return number


def item_number_problem(item: Item, number: str) -> str:
    """Why an item may not take `number` ("" if it may): a number it did not have before
    that repeats one of its section (or, like «2.1», of the plan). Plans imported with
    repeated numbers stay editable: an unchanged number is never refused."""
    if not _number_key(number) or _number_key(number) == _number_key(item.number or ""):
        return ""
    taken = _taken_item_numbers(item.section, but=item)
    if not _is_taken(number, taken):
        return ""
    free = next_item_number(item.section, taken=taken)
    return f"Номер «{number}» в плане уже есть. Свободный номер — «{free}»."


def new_item(section: Section) -> Item:
    """An unsaved item at the end of the section."""
    last = section.items.order_by("position", "pk").last()
    return Item(
        roadmap=section.roadmap,
        section=section,
        position=(last.position + 1) if last else 0,
    )


def add_item(section: Section, values: dict, *, user) -> Item:
    """A new item at the end of the section (see `write_item` for `values`); numbered in
    sequence unless given a number."""
    item = new_item(section)
    if not values.get("number"):
        values = {**values, "number": next_item_number(section)}
    write_item(item, values, user=user)
    return item


def write_item(item: Item, values: dict, *, user, loaded_version: int | None = None) -> bool:
    """Write an item from the cleaned data of its form (roadmaps.forms.ItemForm): number,
    title, deadline_text, result, status (left as it is when absent), responsible (names, in
    order, without repeats), directions, and responsible_text when given (the API may write the
    text as the document has it; otherwise it follows the names).

    A new item (no pk) is created; an existing one is saved unless someone changed it after
    `loaded_version` was read (False, nothing written). Changed parties and directions go into
    the history's change reason.
    """
    roadmap = item.roadmap
    names = list(values["responsible"])
    directions = list(values["directions"])
    before_names = responsible_names(item)
    before_directions = [d.name for d in item.directions.all()] if item.pk else []
    after_directions = [d.name for d in sorted(directions, key=lambda d: d.position)]
    for name in ("number", "title", "result", "status"):
        if name in values:
            setattr(item, name, values[name])
    item.apply_deadline(parse_deadline(values["deadline_text"], roadmap.period))
    if "responsible_text" in values:
        item.responsible_text = values["responsible_text"]
    elif names != before_names:
        item.responsible_text = ", ".join(names)
    reasons = [
        _change_reason("Ответственные", before_names, names),
        _change_reason("Направления", before_directions, after_directions),
    ]
    item._change_reason = "; ".join(reason for reason in reasons if reason)
    item._history_user = user
    fields = [name for name in ITEM_FIELDS if name != "status" or "status" in values]
    with transaction.atomic():
        if item.pk is None:
            item.save()
        elif not item.save_if_unchanged(
            item.lock_version if loaded_version is None else loaded_version, fields
        ):
            return False
        if names != before_names:
            parties = parties_named(roadmap, names, user)
            ItemResponsible.objects.filter(item=item).delete()
            ItemResponsible.objects.bulk_create(
                ItemResponsible(item=item, party=party, position=position)
                for position, party in enumerate(parties)
            )
            events.item_assigned(item, parties, before_names)  # on commit: new organizations
        if after_directions != before_directions:
            item.directions.set(directions)
        store_occurrences([item], roadmap.period)
    # What ItemQuerySet.with_links() or a prefetch read before the change is stale now.
    for stale in ("responsible_links", "direction_tags", "occurrence_list"):
        item.__dict__.pop(stale, None)
    if hasattr(item, "_prefetched_objects_cache"):
        item._prefetched_objects_cache.clear()
    return True


def move_item(item: Item, step: int) -> bool:
    """Up (-1) or down (+1) within its section, trading numbers with the neighbour."""
    return item.move(step)


def delete_item(item: Item) -> None:
    item.delete_and_renumber()
