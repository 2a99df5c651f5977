"""A deadline's occurrences (roadmaps.deadlines.occurrences_of): pure, no database."""

import datetime
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from roadmaps.deadlines import (
    MAX_OCCURRENCES,
    Kind,
    Period,
    occurrences_of,
    parse_deadline,
)

D = datetime.date


def expand(text: str, period: str):
    chosen = Period.parse(period)
    return [
        (found.label, found.start, found.due)
        for found in occurrences_of(parse_deadline(text, chosen), chosen)
    ]


# Texts as written in the sample plans (/work/shared/samples/roadmaps/*.txt, tests/fixtures).
@pytest.mark.parametrize(
    ("period", "text", "expected"),
    [
        (
            "2023/2024",
            "2023-2024 уч.г. Ежеквартально (по запросу)",
            [
                ("III квартал 2023", D(2023, 9, 1), D(2023, 9, 30)),
                ("IV квартал 2023", D(2023, 10, 1), D(2023, 12, 31)),
                ("I квартал 2024", D(2024, 1, 1), D(2024, 3, 31)),
                ("II квартал 2024", D(2024, 4, 1), D(2024, 6, 30)),
            ],
        ),
        (
            "2024",
            "2 раза в год",
            [
                ("I полугодие 2024", D(2024, 1, 1), D(2024, 6, 30)),
                ("II полугодие 2024", D(2024, 7, 1), D(2024, 12, 31)),
            ],
        ),
        (
            "2024/2025",
            "2 раза в год",
            [
                ("сентябрь 2024 – февраль 2025", D(2024, 9, 1), D(2025, 2, 28)),
                ("март – август 2025", D(2025, 3, 1), D(2025, 8, 31)),
            ],
        ),
        (
            "2023/2024",
            "Октябрь 2023 г., март 2024 г.",
            [
                ("октябрь 2023", D(2023, 10, 1), D(2023, 10, 31)),
                ("март 2024", D(2024, 3, 1), D(2024, 3, 31)),
            ],
        ),
        (
            "2023/2024",
            "Ноябрь 2023 г., май 2024 г.",
            [
                ("ноябрь 2023", D(2023, 11, 1), D(2023, 11, 30)),
                ("май 2024", D(2024, 5, 1), D(2024, 5, 31)),
            ],
        ),
        (
            "2025",
            "апрель, октябрь",
            [
                ("апрель 2025", D(2025, 4, 1), D(2025, 4, 30)),
                ("октябрь 2025", D(2025, 10, 1), D(2025, 10, 31)),
            ],
        ),
        (
            "2024",
            "Апрель Май Август Сентябрь",
            [
                ("апрель 2024", D(2024, 4, 1), D(2024, 4, 30)),
                ("май 2024", D(2024, 5, 1), D(2024, 5, 31)),
                ("август 2024", D(2024, 8, 1), D(2024, 8, 31)),
                ("сентябрь 2024", D(2024, 9, 1), D(2024, 9, 30)),
            ],
        ),
        # The brief's cases.
        (
            "2024/2025",
            "ежеквартально, до 25 числа",
            [
                ("III квартал 2024", D(2024, 9, 1), D(2024, 9, 25)),
                ("IV квартал 2024", D(2024, 10, 1), D(2024, 12, 25)),
                ("I квартал 2025", D(2025, 1, 1), D(2025, 3, 25)),
                ("II квартал 2025", D(2025, 4, 1), D(2025, 6, 25)),
            ],
        ),
        (
            "2024/2025",
            "октябрь–ноябрь 2024 г., март 2025 г.",
            [
                ("октябрь – ноябрь 2024", D(2024, 10, 1), D(2024, 11, 30)),
                ("март 2025", D(2025, 3, 1), D(2025, 3, 31)),
            ],
        ),
        (
            "2024",
            "14.02, 15.02, 20.02.2024",
            [
                ("14.02.2024", D(2024, 2, 14), D(2024, 2, 14)),
                ("15.02.2024", D(2024, 2, 15), D(2024, 2, 15)),
                ("20.02.2024", D(2024, 2, 20), D(2024, 2, 20)),
            ],
        ),
        (
            "2024/2025",
            "ежеполугодно",
            [
                ("I полугодие 2024/2025", D(2024, 9, 1), D(2024, 12, 31)),
                ("II полугодие 2024/2025", D(2025, 1, 1), D(2025, 8, 31)),
            ],
        ),
        (
            "2024",
            "ежемесячно до 1 марта",
            [
                ("январь 2024", D(2024, 1, 1), D(2024, 1, 31)),
                ("февраль 2024", D(2024, 2, 1), D(2024, 2, 29)),
                ("март 2024", D(2024, 3, 1), D(2024, 3, 1)),  # the written end is its due date
            ],
        ),
        (
            "2024",
            "до 15 мая, до 20 декабря",
            [
                ("до 15.05.2024", D(2024, 5, 15), D(2024, 5, 15)),
                ("до 20.12.2024", D(2024, 12, 20), D(2024, 12, 20)),
            ],
        ),
    ],
)
def test_real_deadlines_expand_into_their_occurrences(period, text, expected):
    assert expand(text, period) == expected


def test_monthly_on_a_stated_day_is_due_on_that_day_of_each_month():
    found = expand("ежемесячно до 25 числа", "2025")
    assert len(found) == 12
    assert found[0] == ("январь 2025", D(2025, 1, 1), D(2025, 1, 25))
    assert found[1][2] == D(2025, 2, 25)
    # «не позднее 31-го» in a short month is its last day
    assert expand("ежемесячно, не позднее 31 числа", "2024")[1][2] == D(2024, 2, 29)


def test_work_more_often_than_monthly_is_reported_by_month():
    assert [label for label, _, _ in expand("по четвергам", "2024")][:2] == [
        "январь 2024",
        "февраль 2024",
    ]
    assert len(expand("еженедельно", "2024/2025")) == 12
    assert len(expand("2 раза в месяц", "2024")) == 12


@pytest.mark.parametrize(
    "text",
    [
        "Март",
        "Февраль-март",
        "2 квартал",
        "до 15 ноября 2024",
        "в течение года",
        "постоянно",
        "по отдельному графику",
        "Сентябрь 2023 г.- июнь 2024 г. (5 групп)",
        "в течение года, ежегодно в сентябре",  # one September in a one-year plan
        "",
    ],
)
def test_a_deadline_with_one_due_date_or_none_has_no_occurrences(text):
    assert expand(text, "2024") == []


FREQUENCIES = [
    "ежемесячно",
    "ежеквартально",
    "ежеполугодно",
    "ежегодно",
    "2 раза в год",
    "3 раза в год",
    "4 раза в год",
    "раз в квартал",
    "2 раза в квартал",
    "еженедельно",
    "по средам",
    "ежедневно",
    "5 раз в год",
]
DAYS = st.one_of(st.just(""), st.integers(1, 31).map(lambda day: f", до {day} числа"))


@st.composite
def periods(draw):
    kind = draw(st.sampled_from(["calendar", "academic", "range"]))
    year = draw(st.integers(2000, 2090))
    if kind == "calendar":
        return Period.calendar_year(year)
    if kind == "academic":
        return Period.academic_year(year)
    start = draw(st.dates(D(2000, 1, 1), D(2090, 12, 31)))
    length = draw(st.integers(0, 4 * 366))
    return Period(start, start + datetime.timedelta(days=length))


@given(periods(), st.sampled_from(FREQUENCIES), DAYS)
def test_occurrences_are_ordered_distinct_and_within_the_deadline(period, frequency, day):
    deadline = parse_deadline(frequency + day, period)
    found = occurrences_of(deadline, period)
    assert deadline.kind == Kind.RECURRING
    assert len(found) != 1 and len(found) <= MAX_OCCURRENCES
    assert len({occurrence.label for occurrence in found}) == len(found)
    dues = [occurrence.due for occurrence in found]
    assert dues == sorted(dues) and len(set(dues)) == len(dues)
    for occurrence in found:
        assert deadline.start <= occurrence.start <= occurrence.due <= deadline.end
        assert period.start <= occurrence.start and occurrence.due <= period.end
    # Each occurrence starts later than the one before: the units follow one another.
    for before, after in itertools.pairwise(found):
        assert before.start < after.start


@given(st.integers(2000, 2090), st.sampled_from(["calendar", "academic"]))
def test_in_a_whole_year_the_count_agrees_with_the_parser(year, kind):
    period = Period.calendar_year(year) if kind == "calendar" else Period.academic_year(year)
    for text, count in (("ежемесячно", 12), ("ежеквартально", 4), ("ежеполугодно", 2)):
        deadline = parse_deadline(text, period)
        assert deadline.occurrences == count
        assert len(occurrences_of(deadline, period)) == count


@given(periods(), st.lists(st.integers(1, 12), min_size=2, max_size=6, unique=True))
def test_months_written_are_each_an_occurrence(period, months):
    names = ["январь", "февраль", "март", "апрель", "май", "июнь"]
    names += ["июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь"]
    text = ", ".join(names[month - 1] for month in months)
    deadline = parse_deadline(text, period)
    found = occurrences_of(deadline, period)
    assert len(found) == len(deadline.spans) == len(months)
    assert {(occurrence.start, occurrence.due) for occurrence in found} == set(deadline.spans)


@given(periods(), st.text(max_size=60))
def test_any_text_gives_occurrences_or_none_without_raising(period, text):
    found = occurrences_of(parse_deadline(text, period), period)
    assert len(found) != 1
    assert all(occurrence.start <= occurrence.due for occurrence in found)
