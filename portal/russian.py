"""Russian words next to numbers and names: «4 раздела», «1 мероприятие», ««МБОУ „СОШ № 1“»».

`plural` picks the form of a word that agrees with a number by CLDR's rule for Russian — the
rule Django's own Russian catalogue states in its Plural-Forms (a test holds them equal):

- one:  1, 21, 31, 101 … (not 11)       → «раздел»
- few:  2–4, 22–24 … (not 12–14)        → «раздела»
- many: 0, 5–20, 25–30, 11–14, 111 …    → «разделов»
- a fraction (12,5) takes the form of «few» (nominative: «12,5 балла»), unless told otherwise.

Why not `ngettext`: Django applies the Russian rule only to messages found in a compiled
catalogue, so every phrase would need an English msgid, a .po file, msgfmt at build time and a
compiled .mo kept in step; the portal speaks only Russian. A plain function with the rule
written once, tested number by number, is the smaller thing to trust.

The forms are given either as three (four) words or as one string «раздел,раздела,разделов» —
the shape the template filters take: `{{ n|ru_plural:"раздел,раздела,разделов" }}` → «раздела»,
`{{ n|ru_count:"раздел,раздела,разделов" }}` → «4 раздела».

Nouns after «из», «больше», «до» are in the genitive: give the genitive forms, the fourth for a
fraction («из 1 балла», «из 5 баллов», «из 12,5 балла» → "балла,баллов,баллов,балла").
"""

from __future__ import annotations

from decimal import Decimal

Forms = str | tuple[str, ...] | list[str]


def forms_of(forms: Forms) -> tuple[str, str, str, str]:
    """(one, few, many, fraction) from «раздел,раздела,разделов» or a tuple of 3 or 4 words."""
    words = tuple(word.strip() for word in forms.split(",")) if isinstance(forms, str) else forms
    if len(words) == 3:
        one, few, many = words
        return one, few, many, few
    if len(words) == 4:
        return tuple(words)
    raise ValueError(f"Russian plural needs 3 or 4 forms (one, few, many[, fraction]): {forms!r}")


def category(n) -> str:
    """CLDR's plural category of n in Russian: "one", "few", "many" or "other" (a fraction)."""
    if isinstance(n, str):
        n = Decimal(n.replace(",", ".").replace("\u00a0", "").replace(" ", ""))
    if n != int(n):
        return "other"
    n = abs(int(n))
    if n % 10 == 1 and n % 100 != 11:
        return "one"
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return "few"
    return "many"


def plural(n, one: str, few: str | None = None, many: str | None = None, fraction=None) -> str:
    """The form of a word that agrees with the number n.

    plural(4, "раздел", "раздела", "разделов") → «раздела»; plural(4, "раздел,раздела,разделов")
    does the same. Works for participles too: plural(n, "утверждена", "утверждены", "утверждено").
    """
    if few is None:
        one, few, many, fraction = forms_of(one)
    elif many is None:
        raise ValueError("Russian plural needs three forms: one, few, many.")
    chosen = {"one": one, "few": few, "many": many, "other": fraction or few}
    return chosen[category(n)]


def number(n) -> str:
    """A number as the portal prints it: «24», «12,5» (no «,0» on a whole number)."""
    if isinstance(n, str):
        return n
    if n == int(n):
        return str(int(n))
    return f"{float(n):g}".replace(".", ",")


def count(n, forms: Forms) -> str:
    """The number with its word: count(4, "раздел,раздела,разделов") → «4 раздела»."""
    return f"{number(n)} {plural(n, forms)}"


# Words the portal counts often; the same forms everywhere.
SECTIONS = ("раздел", "раздела", "разделов")
ITEMS = ("мероприятие", "мероприятия", "мероприятий")
ABBREVIATIONS = ("сокращение", "сокращения", "сокращений")
PLANS = ("дорожная карта", "дорожные карты", "дорожных карт")
SCHOOLS = ("школа", "школы", "школ")
DAYS = ("день", "дня", "дней")
POINTS = ("балл", "балла", "баллов")
# After «из», «больше», «до»: «из 1 балла», «из 5 баллов», «из 12,5 балла».
POINTS_GENITIVE = ("балла", "баллов", "баллов", "балла")
FILES_GENITIVE = ("файла", "файлов", "файлов")
SCHOOLS_GENITIVE = ("школы", "школ", "школ")
ENTRIES = ("запись", "записи", "записей")
ORGANIZATIONS = ("организация", "организации", "организаций")
QUESTIONNAIRES = ("анкета", "анкеты", "анкет")
CHARACTERS = ("знак", "знака", "знаков")


# Quotes -----------------------------------------------------------------------------------------

_INNER = str.maketrans({"«": "„", "»": "“"})


def quote(text) -> str:
    """«text» in Russian quotes; quotes inside become „лапки“:
    quote('МБОУ «Гатчинская СОШ № 1»') → «МБОУ „Гатчинская СОШ № 1“»."""
    text = str(text).translate(_INNER)
    return f"«{_straight_to_inner(text)}»"


def _straight_to_inner(text: str) -> str:
    # Straight quotes typed into a name ("Школа") read as a pair: opening, closing, opening…
    if '"' not in text:
        return text
    parts = text.split('"')
    if len(parts) % 2 == 0:  # an odd quote: leave it alone
        return text
    out = [parts[0]]
    for index, part in enumerate(parts[1:]):
        out.append(("„" if index % 2 == 0 else "“") + part)
    return "".join(out)
