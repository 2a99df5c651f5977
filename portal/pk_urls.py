"""The address of an object's view by its id, without a full reverse() each time.

`pk_url("roadmaps:item-edit", item.pk)` is the same address as `reverse("roadmaps:item-edit",
args=[item.pk])`. A plan's page links every row to its edit, move, delete and reports views; on a
150-item plan those reverse() calls were about a third of the page's time. Each name is reversed
once with a marker id (per URLconf and script prefix) and the marker replaced by the real id.
Django templates call it as `{% pk_url %}` (roadmaps/templatetags/pk_urls.py), Jinja2 ones as
`pk_url(...)` (portal/jinja2.py).
"""

from functools import lru_cache

from django.urls import get_script_prefix, get_urlconf, reverse

_MARKER = "987654321"


@lru_cache(maxsize=256)
def _halves(name: str, urlconf, prefix: str) -> tuple[str, str] | None:
    url = reverse(name, urlconf=urlconf, args=[int(_MARKER)])
    if url.count(_MARKER) != 1:
        return None
    head, _, tail = url.partition(_MARKER)
    return head, tail


def pk_url(name: str, pk) -> str:
    halves = _halves(name, get_urlconf(), get_script_prefix())
    if halves is None:
        return reverse(name, args=[pk])
    return f"{halves[0]}{int(pk)}{halves[1]}"
