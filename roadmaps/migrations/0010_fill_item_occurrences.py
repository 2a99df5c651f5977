"""Occurrences for the items saved before periodic items had them.

Each item's deadline is read again against its plan's period (roadmaps.deadlines has no Django in
it, so the historical models are enough) and its occurrences are stored. A report already made on
a periodic item is filed under the occurrence its date falls in (the latest one started by then,
else the first): «за I квартал» reports made in March go to I квартал. Each occurrence then takes
the status of its newest report (reports on earlier versions of the plan count, matched by label)
and an item with reports takes its status from its occurrences: an item marked «выполнено» by one
quarter's report is «выполняется» again. An item marked done or cancelled without any report
keeps its status, and its occurrences take it. `next_due` is set for the periodic items.
"""

from collections import defaultdict

from django.db import migrations

from roadmaps.deadlines import Period, occurrences_of, parse_deadline

CLOSED = ("done", "cancelled")


def _item_status(statuses):
    statuses = list(statuses)
    if all(status == "cancelled" for status in statuses):
        return "cancelled"
    if all(status in CLOSED for status in statuses):
        return "done"
    if any(status in ("done", "in_progress") for status in statuses):
        return "in_progress"
    return "not_started"


def fill(apps, schema_editor):
    Roadmap = apps.get_model("roadmaps", "Roadmap")
    Item = apps.get_model("roadmaps", "Item")
    ItemOccurrence = apps.get_model("roadmaps", "ItemOccurrence")
    ExecutionReport = apps.get_model("roadmaps", "ExecutionReport")

    versions = {}  # roadmap pk → (lineage, version)
    for roadmap in Roadmap.objects.only("pk", "period_start", "period_end", "lineage", "version"):
        versions[roadmap.pk] = (roadmap.lineage, roadmap.version)
        try:
            period = Period(roadmap.period_start, roadmap.period_end)
        except ValueError:
            continue
        rows = []
        for item in Item.objects.filter(roadmap=roadmap).only("pk", "deadline_text"):
            found = occurrences_of(parse_deadline(item.deadline_text, period), period)
            rows.extend(
                ItemOccurrence(
                    item_id=item.pk,
                    index=index,
                    label=occurrence.label,
                    start=occurrence.start,
                    due=occurrence.due,
                )
                for index, occurrence in enumerate(found)
            )
        ItemOccurrence.objects.bulk_create(rows, batch_size=1000)

    by_item = defaultdict(list)
    for row in ItemOccurrence.objects.order_by("item_id", "index"):
        by_item[row.item_id].append(row)
    if not by_item:
        return

    # File the reports on periodic items under an occurrence, by their date.
    filed = []
    for report in ExecutionReport.objects.filter(item_id__in=list(by_item), occurrence=None):
        rows = by_item[report.item_id]
        started = [row for row in rows if row.start <= report.date]
        report.occurrence_id = (started[-1] if started else rows[0]).pk
        filed.append(report)
    ExecutionReport.objects.bulk_update(filed, ["occurrence"], batch_size=1000)

    # The newest report per (plan lineage, item key, label), with the version it was made on.
    items = {
        item.pk: item
        for item in Item.objects.filter(pk__in=list(by_item)).only(
            "pk", "key", "roadmap_id", "status"
        )
    }
    reports = defaultdict(list)
    for report in (
        ExecutionReport.objects.filter(occurrence__isnull=False)
        .select_related("item", "occurrence")
        .order_by("-date", "-created", "-pk")
    ):
        lineage, version = versions[report.item.roadmap_id]
        key = (lineage, report.item.key, report.occurrence.label)
        reports[key].append((version, report.status))

    changed_rows, changed_items = [], []
    for item_pk, rows in by_item.items():
        item = items[item_pk]
        lineage, version = versions[item.roadmap_id]
        any_report = False
        for row in rows:
            newest = next(
                (
                    status
                    for made_on, status in reports.get((lineage, item.key, row.label), [])
                    if made_on <= version
                ),
                None,
            )
            if newest is not None:
                any_report = True
                row.status = newest
                changed_rows.append(row)
        if any_report:
            item.status = _item_status(row.status for row in rows)
            changed_items.append(item)
        elif item.status in CLOSED:
            # Marked done (or cancelled) without reports: so is each of its periods.
            for row in rows:
                row.status = item.status
                changed_rows.append(row)
    ItemOccurrence.objects.bulk_update(changed_rows, ["status"], batch_size=1000)
    Item.objects.bulk_update(changed_items, ["status"], batch_size=1000)

    periodic = []
    for item_pk, rows in by_item.items():
        item = items[item_pk]
        item.next_due = min((row.due for row in rows if row.status not in CLOSED), default=None)
        periodic.append(item)
    Item.objects.bulk_update(periodic, ["next_due"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("roadmaps", "0009_item_occurrences")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
