"""The «Информационно-аналитическая справка о ходе реализации дорожных карт» (PDF).

Approved plans of 2024 counted by hand, the date frozen at 15 May 2024:

    regional plan (institute)   done; not started until 30.04 (overdue, 15 days);
                                in progress until 31.12
    Gatchina office             done; in progress until 14.05 (overdue, 1 day)
    Gatchina school             done; not started until 31.03 (overdue, 45 days);
                                not started until 01.05 (overdue, 14 days)
    Luga school                 done; done; cancelled
    sibling school              a draft with five overdue items (not approved: left out)
    foreign school              one overdue item (another region)

For the regional operator: 4 plans (1 regional, 1 municipal, 2 school), 11 items, 5 done (45 %),
2 in progress, 3 not started, 1 cancelled, 4 overdue (36 %). Gatchina: 2 plans, 5 items, 2 done
(40 %), 3 overdue (75 % of all overdue); Luga: 1 plan, 3 items, 2 done (67 %), none overdue;
the regional level: 1 plan, 3 items, 1 done (33 %), 1 overdue.
"""

import datetime
import io

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from portal.russian import plural
from roadmaps.models import Item, Roadmap
from roadmaps.monitoring import build_spravka, summary_text
from tests.factories import make_item, make_roadmap, make_school, make_section

APPROVED = Roadmap.Status.APPROVED


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(
        datetime.datetime(2024, 5, 15, 12, 0, tzinfo=datetime.UTC), tick=False
    ):
        yield


def d(month, day):
    return datetime.date(2024, month, day)


def add_items(roadmap, *specs):
    section = make_section(roadmap)
    return [
        make_item(section, status=status, deadline_end=end, deadline_start=None, title=title)
        for status, end, title in specs
    ]


@pytest.fixture
def plans(world):
    region = make_roadmap(world.institute, status=APPROVED)
    add_items(
        region,
        ("done", d(3, 31), "Совещание с муниципальными координаторами"),
        ("not_started", d(4, 30), "Региональный семинар по направлению «Знание»"),
        ("in_progress", d(12, 31), "Сопровождение управленческих команд"),
    )
    omsu = make_roadmap(world.omsu, status=APPROVED)
    add_items(
        omsu,
        ("done", d(3, 1), "Муниципальное совещание директоров"),
        ("in_progress", d(5, 14), "Мониторинг сайтов школ округа"),
    )
    school = make_roadmap(world.school, status=APPROVED)
    add_items(
        school,
        ("done", d(2, 1), "Педагогический совет"),
        ("not_started", d(3, 31), "Открытие школьного театра"),
        ("not_started", d(5, 1), "Обновление рабочей программы воспитания"),
    )
    luga = make_roadmap(world.other_school, status=APPROVED)
    add_items(
        luga,
        ("done", d(2, 1), "Лужский семинар"),
        ("done", d(4, 1), "Лужская конференция"),
        ("cancelled", d(3, 1), "Отменённая экскурсия"),
    )
    draft = make_roadmap(world.sibling_school)
    add_items(draft, *[("not_started", d(1, 31), "Черновое мероприятие")] * 5)
    foreign = make_roadmap(world.foreign_school, status=APPROVED)
    add_items(foreign, ("in_progress", d(4, 1), "Тобольское мероприятие"))


def spravka_for(user):
    plans = Roadmap.objects.monitored_by(user).in_force().approved()
    return build_spravka(
        plans,
        Item.objects.for_user(user),
        today=d(5, 15),
        territory="Ленинградская область",
        place="в регионе",
        status="approved",
        status_label="утверждена",
    )


def squeeze(text: str) -> str:
    return " ".join(text.split())


def pdf_text(data: bytes) -> str:
    return squeeze(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def test_numbers_of_the_spravka_match_the_hand_count(world, plans):
    spravka = spravka_for(world.operator)
    assert spravka.by_level == {"region": 1, "municipality": 1, "school": 2}
    total = spravka.total
    assert (total.plan_count, total.item_count, total.done_count, total.overdue_count) == (
        4,
        11,
        5,
        4,
    )
    assert (total.done_percent, total.overdue_percent) == (45, 36)
    assert [
        (line.name, line.plan_count, line.item_count, line.done_count, line.overdue_count)
        for line in spravka.lines
    ] == [
        ("Региональный уровень", 1, 3, 1, 1),
        ("Гатчинский муниципальный округ", 2, 5, 2, 3),
        ("Лужский муниципальный район", 1, 3, 2, 0),
    ]
    assert [line.done_percent for line in spravka.lines] == [33, 40, 67]


def test_generated_text_states_the_numbers_in_russian(world, plans):
    assert spravka_for(world.operator).paragraphs == [
        "По состоянию на 15.05.2024 в регионе утверждены 4 дорожные карты (регионального "
        "уровня — 1, муниципального уровня — 1, уровня общеобразовательных организаций — 2).",
        "Дорожными картами предусмотрено 11 мероприятий; выполнено 5 (45 %), выполняется 2, "
        "не начато 3, отменено 1.",
        "Просрочено 4 мероприятия (36 % от общего числа): срок их исполнения истёк, а отметки "
        "о выполнении нет.",
        "Наибольшее число просроченных мероприятий — в муниципальном образовании "
        "«Гатчинский муниципальный округ»: 3 (75 % всех просроченных).",
        "Наибольшая доля выполненных мероприятий — «Лужский муниципальный район» (67 %), "
        "наименьшая — «Гатчинский муниципальный округ» (40 %).",
    ]


def test_overdue_items_are_listed_by_deadline_with_days_overdue(world, plans):
    overdue = spravka_for(world.operator).overdue
    assert [(item.title, item.days_overdue) for item in overdue] == [
        ("Открытие школьного театра", 45),
        ("Региональный семинар по направлению «Знание»", 15),
        ("Обновление рабочей программы воспитания", 14),
        ("Мониторинг сайтов школ округа", 1),
    ]


@pytest.mark.parametrize(
    ("n", "word", "verb"),
    [
        (1, "дорожная карта", "утверждена"),
        (3, "дорожные карты", "утверждены"),
        (5, "дорожных карт", "утверждено"),
        (11, "дорожных карт", "утверждено"),
        (21, "дорожная карта", "утверждена"),
        (112, "дорожных карт", "утверждено"),
        (134, "дорожные карты", "утверждены"),
    ],
)
def test_numerals_agree_with_the_words(n, word, verb):
    assert plural(n, "дорожная карта", "дорожные карты", "дорожных карт") == word
    assert plural(n, "утверждена", "утверждены", "утверждено") == verb


def test_spravka_without_plans_says_so(world):
    spravka = spravka_for(world.operator)
    assert spravka.paragraphs == [
        "По состоянию на 15.05.2024 в регионе утверждено 0 дорожных карт.",
        "Мероприятий в этих дорожных картах пока нет.",
    ]
    assert summary_text(spravka) == spravka.paragraphs


def test_pdf_holds_the_title_the_text_the_table_and_the_overdue_list(client_for, world, plans):
    response = client_for(world.operator).get(reverse("reports:monitoring-pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert "Информационно-аналитическая справка о ходе реализации дорожных карт" in text
    assert "Ленинградская область · по состоянию на 15.05.2024" in text
    assert "в регионе утверждены 4 дорожные карты" in text
    assert "выполнено 5 (45 %)" in text
    assert "Просрочено 4 мероприятия (36 % от общего числа)" in text
    assert "Гатчинский муниципальный округ 2 5 2 40 % 3" in text
    assert "Лужский муниципальный район 1 3 2 67 % 0" in text
    assert "Итого 4 11 5 45 % 4" in text
    for title in (
        "Открытие школьного театра",
        "Региональный семинар по направлению «Знание»",
        "Мониторинг сайтов школ округа",
    ):
        assert title in text
    assert "Черновое мероприятие" not in text
    assert "Тобольское мероприятие" not in text


def test_pdf_of_a_municipal_coordinator_covers_the_municipality(client_for, world, plans):
    response = client_for(world.municipal).get(reverse("reports:monitoring-pdf"))
    text = pdf_text(response.content)
    assert "в муниципальном образовании утверждены 2 дорожные карты" in text
    assert "выполнено 2 (40 %)" in text
    assert "Лужск" not in text
    assert "Региональный семинар" not in text


def test_pdf_follows_the_monitoring_filters(client_for, world, plans):
    response = client_for(world.operator).get(
        reverse("reports:monitoring-pdf"),
        {"municipality": world.other_municipality.pk, "status": "approved"},
    )
    text = pdf_text(response.content)
    assert "Лужский муниципальный район · по состоянию на 15.05.2024" in text
    assert "в муниципальном образовании утверждена 1 дорожная карта" in text
    assert "Просроченных мероприятий нет." in text
    # Any status: the sibling school's draft joins in.
    response = client_for(world.operator).get(reverse("reports:monitoring-pdf"), {"status": ""})
    text = pdf_text(response.content)
    assert "в регионе учтено 5 дорожных карт" in text
    assert "Черновое мероприятие" in text


def test_user_without_a_role_gets_403(client_for, world):
    from tests.factories import make_user

    response = client_for(make_user("nobody")).get(reverse("reports:monitoring-pdf"))
    assert response.status_code == 403


def test_queries_do_not_grow_with_the_number_of_plans(client_for, world):
    client = client_for(world.operator)

    def plans_of(count):
        for _ in range(count):
            roadmap = make_roadmap(make_school(world.municipality), status=APPROVED)
            add_items(
                roadmap, ("not_started", d(4, 1), "Просроченное"), ("done", d(3, 1), "Готово")
            )

    plans_of(3)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("reports:monitoring-pdf")).status_code == 200
    plans_of(40)
    with CaptureQueriesContext(connection) as large:
        assert client.get(reverse("reports:monitoring-pdf")).status_code == 200
    assert len(large) == len(small)


def test_pdf_uses_only_the_bundled_font_charts_included(client_for, world, plans):
    response = client_for(world.operator).get(reverse("reports:monitoring-pdf"))
    reader = PdfReader(io.BytesIO(response.content))
    fonts = {
        str(font.get_object()["/BaseFont"]).split("+")[-1]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts == {"Portal-Serif", "Portal-Serif-Bold"}
