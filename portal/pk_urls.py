"""The address of a view, without a full reverse() each time.

`pk_url("roadmaps:item-edit", item.pk)` is the same address as `reverse("roadmaps:item-edit",
args=[item.pk])`. A plan's page links every row to its edit, move, delete and reports views; on a
150-item plan those reverse() calls were about a third of the page's time. Each name is reversed
once with a marker id (per URLconf and script prefix) and the marker replaced by the real id.
Django templates call it as `{% pk_url %}` (roadmaps/templatetags/pk_urls.py), Jinja2 ones as
`pk_url(...)` (portal/jinja2.py).

`url_of("roadmaps:roadmap-list")` is the address of a view without arguments, reversed once per
URLconf and script prefix: the menu of every page links about fifteen of them, and reversing
them each time cost about 1 ms of a signed-in page's 5 (gunicorn, py-spy). Templates call it as
`{% url_of %}` (portal/templatetags/fragments.py).
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


@lru_cache(maxsize=256)
def _url_of(name: str, urlconf, prefix: str) -> str:
    return reverse(name, urlconf=urlconf)


def url_of(name: str) -> str:
    return _url_of(name, get_urlconf(), get_script_prefix())


def pk_url(name: str, pk) -> str:
    halves = _halves(name, get_urlconf(), get_script_prefix())
    if halves is None:
        return reverse(name, args=[pk])
    return f"{halves[0]}{int(pk)}{halves[1]}"
