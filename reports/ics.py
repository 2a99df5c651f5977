"""Item deadlines as an iCalendar feed (RFC 5545) for Outlook, Yandex Calendar and Google.

Each dated item is one all-day event: from the first day of its deadline to the last (DTEND is
exclusive, so the day after), or the one day of an «до …» deadline. A periodic item is an event
per occurrence on its due date («ежеквартально» — four, «за I квартал 2025» due 25.03.2025), not
one block over the year: separate events rather than an RRULE, because the due dates follow
calendar units and the plan's period, which no rule states exactly. Items with no dates are
left out. Events are marked free time: a deadline «в течение года» must not make a whole
year look busy in Outlook. The UID is fixed per item, so a client updates an event in place
when the plan changes. Control characters stored in older text are left out: RFC 5545 forbids
them in text.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

from django.utils import timezone
from icalendar import Calendar, Event

from reports.downloads import printable
from reports.plan import responsible_names, with_responsible
from roadmaps.models import Item, ItemOccurrence, Roadmap

PRODID = "-//Shkola Minprosvescheniya Rossii//Roadmap portal//RU"
UID_DOMAIN = "shkola-portal"
SUMMARY_LENGTH = 120
REFRESH = datetime.timedelta(hours=6)


def scheduled(items):
    """Items that have dates to show, with what their events need loaded."""
    return with_responsible(
        items.exclude(deadline_kind=Item.DeadlineKind.UNSCHEDULED)
        .filter(deadline_end__isnull=False)
        .select_related("roadmap__owner")
        .with_occurrences()
        .order_by("deadline_end", "roadmap_id", "position", "pk")
    )


def scope_items(user):
    """Dated items of the current, non-archived plans the user may read."""
    live_plans = Roadmap.objects.current().exclude(status=Roadmap.Status.ARCHIVED)
    return scheduled(Item.objects.for_user(user).filter(roadmap__in=live_plans))


def plan_items(roadmap: Roadmap):
    return scheduled(roadmap.items.all())


def feed(name: str, items: Iterable[Item], *, link: Callable[[Item], str] | None = None) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", printable(name))
    calendar.add("x-wr-timezone", "Europe/Moscow")
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    # An X- property has no type of its own: without VALUE=DURATION icalendar writes «6:00:00».
    calendar.add("x-published-ttl", REFRESH, parameters={"VALUE": "DURATION"})
    stamp = timezone.now().astimezone(datetime.UTC).replace(microsecond=0)
    for item in items:
        url = link(item) if link else ""
        if item.occurrence_rows:
            for occurrence in item.occurrence_rows:
                calendar.add_component(occurrence_event(item, occurrence, stamp, url))
        else:
            calendar.add_component(item_event(item, stamp, url))
    return calendar.to_ical()


def event_dates(item: Item) -> tuple[datetime.date, datetime.date]:
    """The first day and the day after the last (DTEND of an all-day event is exclusive)."""
    end = item.deadline_end
    start = item.deadline_start or end
    if item.deadline_kind == Item.DeadlineKind.UNTIL or start > end:
        start = end
    return start, end + datetime.timedelta(days=1)


def item_event(item: Item, stamp: datetime.datetime, url: str = "") -> Event:
    start, end = event_dates(item)
    event = Event()
    event.add("uid", f"item-{item.pk}@{UID_DOMAIN}")
    event.add("dtstamp", stamp)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", summary(item))
    event.add("description", printable(description(item)))
    event.add("categories", [printable(item.roadmap.owner.short_name)])
    event.add("transp", "TRANSPARENT")
    event.add("x-microsoft-cdo-busystatus", "FREE")
    event.add("status", "CANCELLED" if item.status == Item.Status.CANCELLED else "CONFIRMED")
    if url:
        event.add("url", url)
    return event


def occurrence_event(
    item: Item, occurrence: ItemOccurrence, stamp: datetime.datetime, url: str = ""
) -> Event:
    """One due date of a periodic item: an all-day event on it, «… (I квартал 2025)»."""
    event = Event()
    event.add("uid", f"item-{item.pk}-occurrence-{occurrence.pk}@{UID_DOMAIN}")
    event.add("dtstamp", stamp)
    event.add("dtstart", occurrence.due)
    event.add("dtend", occurrence.due + datetime.timedelta(days=1))
    event.add("summary", summary(item, suffix=f" ({printable(occurrence.label)})"))
    lines = [
        f"Период: {occurrence.label}, срок {occurrence.due:%d.%m.%Y}",
        f"Исполнение за период: {occurrence.get_status_display()}",
        description(item),
    ]
    event.add("description", printable("\n".join(lines)))
    event.add("categories", [printable(item.roadmap.owner.short_name)])
    event.add("transp", "TRANSPARENT")
    event.add("x-microsoft-cdo-busystatus", "FREE")
    cancelled = Item.Status.CANCELLED in (occurrence.status, item.status)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if url:
        event.add("url", url)
    return event


def summary(item: Item, suffix: str = "") -> str:
    """«1.2 Проведение совещания …»: the number and the first line, cut at a word so that
    `suffix` (a periodic item's «(I квартал 2025)») still fits."""
    # Before splitting: str.splitlines() takes a vertical tab for a line break.
    title = printable(item.title)
    first_line = next((line.strip() for line in title.splitlines() if line.strip()), "")
    text = f"{item.number} {first_line}".strip()
    room = SUMMARY_LENGTH - len(suffix)
    if len(text) <= room:
        return text + suffix
    cut = text[: room - 1]
    if " " in cut[room // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:–-") + "…" + suffix


def description(item: Item) -> str:
    lines = [f"Дорожная карта: {item.roadmap.title}"]
    if summary(item) != f"{item.number} {item.title}".strip():
        lines.append(f"Мероприятие: {item.title}")
    if item.deadline_text:
        lines.append(f"Сроки: {item.deadline_text}")
    if names := responsible_names(item):
        lines.append(f"Ответственные: {', '.join(names)}")
    if item.result:
        lines.append(f"Ожидаемый результат: {item.result}")
    lines.append(f"Исполнение: {item.get_status_display()}")
    return "\n".join(lines)
