"""Russian plural forms and quotes in templates; built in (settings.TEMPLATES), no {% load %}.

{{ n|ru_plural:"раздел,раздела,разделов" }}  → «раздела» (the word alone, like `pluralize`)
{{ n|ru_count:"раздел,раздела,разделов" }}   → «4 раздела»
{{ school.short_name|quoted }}              → «МБОУ „СОШ № 1“»
"""

from django import template

from portal import russian

register = template.Library()


# Not a number (None, "", a word) prints nothing rather than failing the page; wrong forms in a
# template are the template's error and raise.
_NOT_A_NUMBER = (TypeError, ArithmeticError)


@register.filter
def ru_plural(n, forms: str) -> str:
    words = russian.forms_of(forms)
    try:
        return russian.plural(n, *words)
    except _NOT_A_NUMBER:
        return ""


@register.filter
def ru_count(n, forms: str) -> str:
    words = russian.forms_of(forms)
    try:
        return f"{russian.number(n)} {russian.plural(n, *words)}"
    except _NOT_A_NUMBER:
        return ""


@register.filter(is_safe=True)
def quoted(text) -> str:
    return russian.quote(text)
