"""Periodic items as occurrences: «ежеквартально» is four tasks, each reported on by itself.

`roadmaps.deadlines.occurrences_of` says what a deadline's occurrences are; this module keeps
them stored (ItemOccurrence) beside the items and their statuses in step with the reports:

- `store_occurrences` writes them whenever a deadline is parsed: the editor's write path
  (roadmaps/editing.py), an import, a plan built on another, a plan from self-diagnosis, a
  version's copy. Rows are matched by label, so a report on «I квартал 2025» stays on it when
  the deadline is read again;
- an occurrence's status is that of the newest report filed for it; the item's status follows
  from its occurrences (`item_status_from_occurrences`): done when all are done, in progress
  while some are, overdue when one is past due and not done;
- `Item.next_due` (the earliest due date still open) is refreshed with them: the one overdue
  rule in roadmaps/querysets.py compares it besides the end of the deadline.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import OuterRef, Subquery

from roadmaps.deadlines import Period, occurrences_of, parse_deadline
from roadmaps.models import Item, ItemOccurrence

CLOSED = (Item.Status.DONE, Item.Status.CANCELLED)


def item_status_from_occurrences(statuses: Iterable[str]) -> str | None:
    """The item's status from its occurrences' (None for an item without occurrences).

    Done when every occurrence is done (or cancelled, but not all cancelled); cancelled when all
    are; in progress while some are done or in progress; not started otherwise.
    """
    statuses = list(statuses)
    if not statuses:
        return None
    if all(status == Item.Status.CANCELLED for status in statuses):
        return Item.Status.CANCELLED
    if all(status in CLOSED for status in statuses):
        return Item.Status.DONE
    if any(status in (Item.Status.DONE, Item.Status.IN_PROGRESS) for status in statuses):
        return Item.Status.IN_PROGRESS
    return Item.Status.NOT_STARTED


def store_occurrences(items: Iterable[Item], period: Period) -> None:
    """Write the occurrences of saved items of one plan from their deadline texts.

    Kept rows (the same label) keep their status and reports; rows no longer meant are deleted
    (their reports stay, detached); new ones start «не начато». `next_due` follows.
    """
    items = [item for item in items if item.pk is not None]
    if not items:
        return
    existing: dict[int, dict[str, ItemOccurrence]] = defaultdict(dict)
    for row in ItemOccurrence.objects.filter(item__in=[item.pk for item in items]):
        existing[row.item_id][row.label] = row
    created, updated, deleted = [], [], []
    for item in items:
        wanted = occurrences_of(parse_deadline(item.deadline_text, period), period)
        old = existing.get(item.pk, {})
        for index, occurrence in enumerate(wanted):
            row = old.pop(occurrence.label, None)
            if row is None:
                created.append(
                    ItemOccurrence(
                        item_id=item.pk,
                        index=index,
                        label=occurrence.label,
                        start=occurrence.start,
                        due=occurrence.due,
                    )
                )
            elif (row.index, row.start, row.due) != (index, occurrence.start, occurrence.due):
                row.index, row.start, row.due = index, occurrence.start, occurrence.due
                updated.append(row)
        deleted.extend(row.pk for row in old.values())
    if deleted:
        ItemOccurrence.objects.filter(pk__in=deleted).delete()
    if updated:
        ItemOccurrence.objects.bulk_update(updated, ["index", "start", "due"])
    if created:
        ItemOccurrence.objects.bulk_create(created)
    refresh_next_due(items)


def copy_occurrences(item_ids: dict[int, int]) -> None:
    """A new version's items get their originals' occurrences, statuses included."""
    ItemOccurrence.objects.bulk_create(
        ItemOccurrence(
            item_id=item_ids[row.item_id],
            index=row.index,
            label=row.label,
            start=row.start,
            due=row.due,
            status=row.status,
        )
        for row in ItemOccurrence.objects.filter(item_id__in=list(item_ids))
    )


def refresh_next_due(items: Iterable[Item]) -> None:
    """Bring `next_due` of these items to their earliest open occurrence (one UPDATE), and the
    objects in hand along with it."""
    items = [item for item in items if item.pk is not None]
    pks = [item.pk for item in items]
    first_open = (
        ItemOccurrence.objects.filter(item=OuterRef("pk"))
        .exclude(status__in=CLOSED)
        .order_by("due")
        .values("due")[:1]
    )
    Item.objects.filter(pk__in=pks).update(next_due=Subquery(first_open))
    fresh = dict(Item.objects.filter(pk__in=pks).values_list("pk", "next_due"))
    changed = [item.pk for item in items if item.next_due != fresh.get(item.pk)]
    for item in items:
        item.next_due = fresh.get(item.pk)
    # A cached plan table shows the overdue state that next_due decides (roadmaps/row_cache.py).
    from roadmaps.row_cache import bump_items

    bump_items(changed)


def sync_occurrence_statuses(item: Item, reports) -> str | None:
    """Bring each occurrence of `item` to the status of the newest of `reports` filed for it
    (matched by label, so a report on an earlier version counts) and return the item's status
    from them; None for an item without occurrences, whose status is its newest report's."""
    rows = list(item.occurrences.all())
    if not rows:
        return None
    newest: dict[str, str] = {}
    for label, status in (
        reports.filter(occurrence__isnull=False)
        .order_by("-date", "-created", "-pk")
        .values_list("occurrence__label", "status")
    ):
        newest.setdefault(label, status)
    changed = []
    for row in rows:
        status = newest.get(row.label, Item.Status.NOT_STARTED)
        if row.status != status:
            row.status = status
            changed.append(row)
    if changed:
        ItemOccurrence.objects.bulk_update(changed, ["status"])
    refresh_next_due([item])
    return item_status_from_occurrences(row.status for row in rows)


def first_open(occurrences: Iterable[ItemOccurrence]) -> ItemOccurrence | None:
    """The occurrence a new report is most likely for: the earliest not done, else the last."""
    rows = sorted(occurrences, key=lambda row: (row.due, row.index))
    return next((row for row in rows if row.status not in CLOSED), rows[-1] if rows else None)
