"""Tags every template has (settings: builtins).

`{% jinja "roadmaps/execution/bar.html" bar=row.bar %}`: a Jinja2 fragment (portal/jinja2.py)
printed from a Django template, with the request and only the values named.

The markup a page repeats per row lives once, in Jinja2; the Django templates that show it once
(a plan's rollup, an item's reports) print the same fragment through this tag instead of keeping
a copy of it.

`{% url_of "roadmaps:roadmap-list" %}`: `{% url %}` for a view without arguments, reversed once
(portal/pk_urls.py): the menu of every page."""

from django import template

from portal.jinja2 import render_fragment
from portal.pk_urls import url_of

register = template.Library()


@register.simple_tag(takes_context=True)
def jinja(context, name: str, **values):
    return render_fragment(context.get("request"), name, values)


register.simple_tag(url_of, name="url_of")
