"""Jinja2 for the few fragments that repeat one piece of markup hundreds of times a page.

Django's template language costs about 0.1 ms per `{% for %}` turn with a handful of tags; the
questionnaire (≈100 questions × 4 options), the school list of a round and the like spend most
of their time there (bench/profile_page.py). The same markup compiled by Jinja2 renders about ten
times faster. Pages stay Django templates: a view renders only the repeated part with
`render_fragment` and hands the result to its page as safe HTML.

The fragments live in templates/jinja2/ and see the same helpers as the Django templates:
`url(name, *args)`, `pk_url(name, pk)`, `static(path)`, the filters `ru_plural`, `ru_count`,
`quoted`, `date` (Django's date formats) and `truncatechars`, and `csrf_input`. Django templates
print a fragment with `{% jinja "name.html" value=... %}` (portal/templatetags/fragments.py).
Autoescaping is on, as in Django.
"""

from django.template import engines
from django.template.backends.utils import csrf_input
from django.templatetags.static import static
from django.urls import reverse
from django.utils.dateformat import format as format_date
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from jinja2 import Environment, StrictUndefined

from portal.pk_urls import pk_url
from portal.templatetags.russian import quoted, ru_count, ru_plural

ENGINE = "jinja2"


def url(name: str, *args) -> str:
    return reverse(name, args=args)


def _date(value, pattern: str) -> str:
    return format_date(value, pattern) if value else ""


def _truncatechars(value, length: int) -> str:
    return Truncator(value).chars(length)


def environment(**options) -> Environment:
    # A misspelt name is an error in the tests, not an empty cell on a page.
    options.setdefault("undefined", StrictUndefined)
    env = Environment(**options)
    env.globals.update(url=url, pk_url=pk_url, static=static)
    # The Django templates' own filters (portal/templatetags/russian.py), not copies of them.
    env.filters.update(
        ru_plural=ru_plural,
        ru_count=ru_count,
        quoted=quoted,
        date=_date,
        truncatechars=_truncatechars,
    )
    return env


class _CsrfInput:
    """The hidden CSRF field, made the first time a fragment of the request prints it and then
    kept for the request: the backend's own is made afresh (a fresh mask, with the system's
    random source) every time it is printed, a hundred times for a hundred forms, and a
    fragment printed per row must not pay it when it has no form."""

    __slots__ = ("request",)

    def __init__(self, request):
        self.request = request

    def __html__(self) -> str:
        if self.request is None:
            return ""
        html = getattr(self.request, "_fragment_csrf_input", None)
        if html is None:
            html = self.request._fragment_csrf_input = csrf_input(self.request)
        return html

    __str__ = __html__


def render_fragment(request, name: str, context: dict) -> SafeString:
    """The Jinja2 template `name` rendered for `request`, as HTML a Django template prints."""
    context = {**context, "request": request, "csrf_input": _CsrfInput(request)}
    return mark_safe(engines[ENGINE].get_template(name).render(context))
