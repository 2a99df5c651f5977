"""Russian plural forms and quotes in templates; built in (settings.TEMPLATES), no {% load %}.

{{ n|ru_plural:"раздел,раздела,разделов" }}  → «раздела» (the word alone, like `pluralize`)
{{ n|ru_count:"раздел,раздела,разделов" }}   → «4 раздела»
{{ school.short_name|quoted }}              → «МБОУ „СОШ № 1“»
"""

from django import template

from portal import russian

register = template.Library()


@register.filter
def ru_plural(n, forms: str) -> str:
    if n in (None, ""):
        return ""
    return russian.plural(n, forms)


@register.filter
def ru_count(n, forms: str) -> str:
    if n in (None, ""):
        return ""
    return russian.count(n, forms)


@register.filter(is_safe=True)
def quoted(text) -> str:
    return russian.quote(text)
