"""Russian plural forms and quotes: portal/russian.py and its template filters."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils.translation import trans_real

from portal.russian import SECTIONS, category, count, number, plural, quote

# The numbers the issue asks for, and their neighbours where the rule turns.
SECTION_FORMS = {
    0: "0 разделов",
    1: "1 раздел",
    2: "2 раздела",
    4: "4 раздела",
    5: "5 разделов",
    11: "11 разделов",
    12: "12 разделов",
    14: "14 разделов",
    21: "21 раздел",
    22: "22 раздела",
    25: "25 разделов",
    101: "101 раздел",
    111: "111 разделов",
    112: "112 разделов",
    1001: "1001 раздел",
}


@pytest.mark.parametrize(("n", "phrase"), SECTION_FORMS.items())
def test_count_puts_the_number_before_the_agreeing_form(n, phrase):
    assert count(n, SECTIONS) == phrase
    assert count(n, "раздел,раздела,разделов") == phrase


@pytest.mark.parametrize(
    ("n", "word"),
    [(1, "мероприятие"), (2, "мероприятия"), (5, "мероприятий"), (11, "мероприятий"),
     (21, "мероприятие"), (22, "мероприятия"), (25, "мероприятий"), (-1, "мероприятие")],
)  # fmt: skip
def test_plural_takes_three_words_or_one_string(n, word):
    assert plural(n, "мероприятие", "мероприятия", "мероприятий") == word
    assert plural(n, "мероприятие, мероприятия, мероприятий") == word


def test_the_rule_is_the_one_django_ships_for_russian():
    # Django's Russian catalogue: Plural-Forms index 0 = one, 1 = few, 2 = many.
    django_rule = trans_real.translation("ru").plural
    names = {0: "one", 1: "few", 2: "many"}
    for n in range(0, 1500):
        assert category(n) == names[django_rule(n)], n


def test_fractions_take_the_few_form_or_the_one_given():
    assert count(Decimal("12.5"), "балл,балла,баллов") == "12,5 балла"
    assert count(0.5, "балл,балла,баллов") == "0,5 балла"
    assert count(Decimal("12.0"), "балл,балла,баллов") == "12 баллов"
    # Genitive after «из»: «из 1 балла», «из 5 баллов», «из 2,5 балла».
    genitive = "балла,баллов,баллов,балла"
    assert [plural(n, genitive) for n in (1, 5, 21, Decimal("2.5"))] == [
        "балла",
        "баллов",
        "балла",
        "балла",
    ]


def test_number_prints_whole_numbers_without_a_fraction_and_a_comma_otherwise():
    assert [number(x) for x in (3, Decimal("3.00"), 3.25, Decimal("-1.5"))] == [
        "3",
        "3",
        "3,25",
        "-1,5",
    ]


def test_wrong_number_of_forms_is_a_programming_error():
    with pytest.raises(ValueError):
        plural(3, "раздел,разделов")
    with pytest.raises(ValueError):
        plural(3, "раздел", "раздела")


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("Гатчина", "«Гатчина»"),
        ("МБОУ «Гатчинская СОШ № 1»", "«МБОУ „Гатчинская СОШ № 1“»"),
        (
            "Дорожная карта проекта «Школа Минпросвещения России» на 2024 год",
            "«Дорожная карта проекта „Школа Минпросвещения России“ на 2024 год»",
        ),
        ('ГАОУ ДПО "ЛОИРО"', "«ГАОУ ДПО „ЛОИРО“»"),
        ('7" экран', '«7" экран»'),
    ],
)
def test_quote_uses_inner_quotes_for_quotes_inside(text, quoted):
    assert quote(text) == quoted


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


@pytest.mark.parametrize(
    ("n", "shown"),
    [(1, "1 мероприятие"), (2, "2 мероприятия"), (5, "5 мероприятий"), (11, "11 мероприятий"),
     (21, "21 мероприятие"), (22, "22 мероприятия"), (25, "25 мероприятий")],
)  # fmt: skip
def test_template_filters_are_built_in(n, shown):
    forms = "мероприятие,мероприятия,мероприятий"
    assert render('{{ n|ru_count:"' + forms + '" }}', n=n) == shown
    assert render('{{ n }} {{ n|ru_plural:"' + forms + '" }}', n=n) == shown


def test_template_filters_print_nothing_for_no_number():
    source = '[{{ n|ru_count:"день,дня,дней" }}{{ n|ru_plural:"день,дня,дней" }}]'
    assert render(source) == "[]"
    assert render(source, n="") == "[]"
    assert render(source, n="много") == "[]"
    assert render(source, n="3") == "[3 днядня]"


def test_template_filter_with_wrong_forms_is_the_templates_error():
    with pytest.raises(ValueError):
        render('{{ n|ru_plural:"день,дней" }}', n=3)


def test_quoted_filter_escapes_what_it_is_given():
    shown = render("{{ name|quoted }}", name="МБОУ «СОШ № 1» <b>")
    assert shown == "«МБОУ „СОШ № 1“ &lt;b&gt;»"


COUNTED_WORDS = (
    "мероприят|раздел|сокращен|школ|балл|дн[ея]|запис|организац|анкет|файл|добавлен|удален|изменен"
)


def test_no_template_puts_a_number_before_a_counted_word_by_hand():
    """Numbers agree with their nouns through ru_count/ru_plural, never «{{ n }} мероприятий»."""
    import re
    from pathlib import Path

    pattern = re.compile(r"\{\{[^}|]*\}\}\s*(?:</\w+>\s*)?(?:" + COUNTED_WORDS + r")")
    templates = Path(__file__).resolve().parent.parent / "templates"
    found = [
        f"{path.relative_to(templates)}: {match.group(0)}"
        for path in templates.rglob("*.html")
        for match in pattern.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []
