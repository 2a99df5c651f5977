"""Rendered rows of the plan table, cached by what they show.

Rendering 150 item rows through Django templates is most of a plan page's time (cProfile: ~85 %
of roadmap_detail for 150 items; the queries ~10 %). A row's HTML depends only on the item's
own fields, its occurrences, the names of its responsible parties and directions, today's date
(overdue), the table's headings and whether the user may report or edit. The cache key is a
digest of exactly those values, read by the same queries the page makes anyway, so any write -
a report that changes the status, a renamed party, a revised plan, an edit in the admin, a new
day - gives a new key: nothing is invalidated and nothing can be stale, in one process, in
several (local memory cache) or on several nodes (Redis). Old keys expire by the cache TIMEOUT.

Only read-only rows are cached (the editor's rows carry a CSRF token).
"""

import hashlib
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

ROW_TEMPLATE = "roadmaps/_item_row.html"

# The templates a row is made of: a deploy that changes one of them changes every key.
_ROW_TEMPLATES = [
    ROW_TEMPLATE,
    "roadmaps/_deadline_dates.html",
    "roadmaps/execution/_item_status.html",
    "roadmaps/execution/_status_badge.html",
    "roadmaps/execution/_occurrences.html",
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


def attach_rows(blocks: list[dict], context: dict) -> None:
    """Give each item row of the table's blocks its HTML (`row["html"]`), from the cache or
    rendered now and cached; `context` is the table's (headings, can_report, can_edit)."""
    if context.get("can_edit"):
        return
    row_context = {
        "headings": context["headings"],
        "can_report": context["can_report"],
        "can_edit": False,
    }
    shared = (
        timezone.localdate().isoformat(),
        bool(context["can_report"]),
        tuple(sorted(context["headings"].items())),
    )
    rows = [row for block in blocks for row in block["rows"] if "item" in row]
    keys = {id(row): row_key(row["item"], shared) for row in rows}
    cached = cache.get_many(list(keys.values()))
    fresh = {}
    for row in rows:
        key = keys[id(row)]
        html = cached.get(key)
        if html is None:
            html = fresh[key] = render_to_string(ROW_TEMPLATE, {**row_context, "item": row["item"]})
        row["html"] = mark_safe(html)  # rendered by our own template, escaped there
    if fresh:
        cache.set_many(fresh)
