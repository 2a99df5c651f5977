"""Rendered rows of the plan table, cached by what they show; the whole table of an approved
plan, cached by its content stamp.

Rendering 150 item rows through Django templates is most of a plan page's time (cProfile: ~85 %
of roadmap_detail for 150 items; the queries ~10 %). A row's HTML depends only on the item's
own fields, its occurrences, the names of its responsible parties and directions, today's date
(overdue), the table's headings and whether the user may report or edit. The cache key is a
digest of exactly those values, read by the same queries the page makes anyway, so any write -
a report that changes the status, a renamed party, a revised plan, an edit in the admin, a new
day - gives a new key: nothing is invalidated and nothing can be stale, in one process, in
several (local memory cache) or on several nodes (Redis). Old keys expire by the cache TIMEOUT.

The editor's rows are cached too: they are rendered with a marker in place of the CSRF token,
and the page puts one token of the request in its place (every masked token of a session is
valid). A draft's rows are the page's cost: a 114-item municipal draft took 146 ms rendered per
request (bench/profile_page.py plan-draft).

An approved (or archived) plan's whole table is cached too, so its page makes none of the
table's queries: the key is the plan's own fields - among them `content_stamp`, which every
saved or deleted item, section, party, responsible link, direction link, occurrence or report
of the plan bumps in the database (the signals below, and refresh_next_due's UPDATE) - with
today, the user's right to report and the templates' digest. A draft's table is not cached
this way: pasting rows and importing write items in bulk, without signals.
"""

import hashlib
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

ROW_TEMPLATE = "roadmaps/_item_row.html"
TABLE_TEMPLATE = "roadmaps/_plan_table.html"

# The templates a row is made of: a deploy that changes one of them changes every key.
_ROW_TEMPLATES = [
    ROW_TEMPLATE,
    "roadmaps/_deadline_dates.html",
    "jinja2/roadmaps/execution/item_status.html",
    "jinja2/roadmaps/execution/status_badge.html",
    TABLE_TEMPLATE,
    "roadmaps/_section_block.html",
    "roadmaps/_section_row.html",
]


def _templates_digest() -> str:
    digest = hashlib.sha1()
    for name in _ROW_TEMPLATES:
        for directory in settings.TEMPLATES[0]["DIRS"]:
            path = Path(directory) / name
            if path.exists():
                digest.update(path.read_bytes())
                break
    return digest.hexdigest()[:12]


_TEMPLATES_DIGEST = _templates_digest()


def _fields(obj) -> tuple:
    return tuple(getattr(obj, field.attname) for field in obj._meta.concrete_fields)


def row_key(item, shared: tuple) -> str:
    """The cache key of one item's row: a digest of everything the row template reads."""
    state = (
        _fields(item),
        tuple(link.party_name for link in item.responsible_links),
        tuple(_fields(direction) for direction in item.direction_tags),
        tuple(_fields(occurrence) for occurrence in item.occurrence_rows),
        shared,
    )
    digest = hashlib.blake2b(repr(state).encode(), digest_size=16).hexdigest()
    return f"plan-row:{_TEMPLATES_DIGEST}:{item.pk}:{digest}"


# Stands for the CSRF token in a cached editor's row; never a real token (those are 64
# alphanumeric characters).
CSRF_MARKER = "csrf-token-of-the-request"


def attach_rows(blocks: list[dict], context: dict, request=None) -> None:
    """Give each item row of the table's blocks its HTML (`row["html"]`), from the cache or
    rendered now and cached; `context` is the table's (headings, can_report, can_edit). An
    editor's rows (can_edit) need the `request` for their CSRF token."""
    can_edit = bool(context.get("can_edit"))
    if can_edit and request is None:
        return
    row_context = {
        "headings": context["headings"],
        "can_report": context["can_report"],
        "can_edit": can_edit,
        "csrf_token": CSRF_MARKER,
    }
    shared = (
        timezone.localdate().isoformat(),
        bool(context["can_report"]),
        can_edit,
        tuple(sorted(context["headings"].items())),
    )
    rows = [row for block in blocks for row in block["rows"] if "item" in row]
    keys = {id(row): row_key(row["item"], shared) for row in rows}
    cached = cache.get_many(list(keys.values()))
    token = get_token(request) if can_edit else ""
    fresh = {}
    for row in rows:
        key = keys[id(row)]
        html = cached.get(key)
        if html is None:
            html = fresh[key] = render_to_string(ROW_TEMPLATE, {**row_context, "item": row["item"]})
        if can_edit:
            html = html.replace(CSRF_MARKER, token)
        row["html"] = mark_safe(html)  # rendered by our own template, escaped there
    if fresh:
        cache.set_many(fresh)


# The whole table of an approved plan ----------------------------------------------------------

FROZEN = ("approved", "archived")


def table_key(roadmap, context: dict) -> str | None:
    """The key of the plan's cached table for this user, or None when it is not cached."""
    if context.get("can_edit") or roadmap.status not in FROZEN:
        return None
    state = (
        _fields(roadmap),
        timezone.localdate().isoformat(),
        bool(context["can_report"]),
        tuple(sorted(context["headings"].items())),
    )
    digest = hashlib.blake2b(repr(state).encode(), digest_size=16).hexdigest()
    return f"plan-table:{_TEMPLATES_DIGEST}:{roadmap.pk}:{digest}"


def cached_table(key: str | None) -> str | None:
    if key is None:
        return None
    html = cache.get(key)
    return None if html is None else mark_safe(html)


def render_table(key: str | None, context: dict) -> str:
    html = render_to_string(TABLE_TEMPLATE, context)
    if key is not None:
        cache.set(key, html)
    return mark_safe(html)


def bump_roadmaps(**lookup) -> None:
    """A new content stamp for the plans matching `lookup`: their cached tables are not used."""
    from django.db.models import F

    from roadmaps.models import Roadmap

    # Only frozen plans have a cached table; a draft's many edits write nothing more.
    Roadmap.objects.filter(status__in=FROZEN, **lookup).update(content_stamp=F("content_stamp") + 1)


def bump_items(item_pks) -> None:
    item_pks = list(item_pks)
    if item_pks:
        bump_roadmaps(pk__in=_roadmaps_of_items(item_pks))


def _roadmaps_of_items(item_pks):
    from roadmaps.models import Item

    return Item.objects.filter(pk__in=item_pks).values("roadmap_id")


def _on_plan_row(sender, instance, **kwargs):
    roadmap_id = getattr(instance, "roadmap_id", None)
    if roadmap_id is not None:
        bump_roadmaps(pk=roadmap_id)


def _on_item_row(sender, instance, **kwargs):
    if instance.item_id is not None:
        bump_items([instance.item_id])


def _on_direction(sender, instance, **kwargs):
    bump_roadmaps(pk__in=_roadmaps_using(instance.pk))


def _roadmaps_using(direction_pk):
    from roadmaps.models import Item

    return Item.directions.through.objects.filter(direction_id=direction_pk).values(
        "item__roadmap_id"
    )


def _on_directions_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if reverse:  # direction.items.add(...)
        bump_items(pk_set or [])
        bump_roadmaps(pk__in=_roadmaps_using(instance.pk))
    else:
        bump_roadmaps(pk=instance.roadmap_id)


def connect_signals() -> None:
    from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

    from roadmaps.models import (
        Direction,
        ExecutionReport,
        Item,
        ItemOccurrence,
        ItemResponsible,
        Party,
        Section,
    )

    for model in (Item, Section, Party):
        post_save.connect(_on_plan_row, sender=model, dispatch_uid=f"plan-table-{model.__name__}")
        post_delete.connect(
            _on_plan_row, sender=model, dispatch_uid=f"plan-table-del-{model.__name__}"
        )
    for model in (ItemResponsible, ItemOccurrence, ExecutionReport):
        post_save.connect(_on_item_row, sender=model, dispatch_uid=f"plan-table-{model.__name__}")
        post_delete.connect(
            _on_item_row, sender=model, dispatch_uid=f"plan-table-del-{model.__name__}"
        )
    post_save.connect(_on_direction, sender=Direction, dispatch_uid="plan-table-direction")
    # Before: a deleted direction's links go with it, without m2m_changed.
    pre_delete.connect(_on_direction, sender=Direction, dispatch_uid="plan-table-direction-del")
    m2m_changed.connect(
        _on_directions_changed, sender=Item.directions.through, dispatch_uid="plan-table-links"
    )
