"""The list of plans, the plan as the official table, creating a plan, the glossary page."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from roadmaps.models import Item, Roadmap, RoadmapEvent
from tests.factories import (
    make_item,
    make_roadmap,
    make_sample_plan,
    make_school,
    make_section,
    make_small_plan,
)


def titles(response):
    return [row.title for row in response.context["page"]]


# The list


@pytest.fixture
def plans(world):
    """A plan at each level of the Leningrad region, and one in Tyumen."""
    return {
        "region": make_small_plan(world.institute, title="Региональный план ЛОИРО"),
        "district": make_sample_plan(world.omsu, items=7, title="План Гатчинского округа"),
        "school": make_small_plan(world.school, title="План школы № 1", status="approved"),
        "luga": make_small_plan(world.other_school, title="План Лужской школы"),
        "foreign": make_small_plan(world.foreign_school, title="План тюменской школы"),
    }


def test_the_list_shows_the_plans_in_scope_with_item_counts(world, plans, client_for):
    response = client_for(world.operator).get(reverse("roadmaps:roadmap-list"))
    assert set(titles(response)) == {
        "Региональный план ЛОИРО",
        "План Гатчинского округа",
        "План школы № 1",
        "План Лужской школы",
    }
    page = response.content.decode()
    row = page[page.index("План Гатчинского округа") :]
    assert re.search(r'<td class="num">1</td>\s*<td class="num">7</td>', row)
    assert "Комитет образования Гатчинского МО" in page
    assert '<span class="badge status-approved">утверждена</span>' in page


def test_a_municipal_coordinator_lists_only_the_district_and_its_schools(world, plans, client_for):
    response = client_for(world.municipal).get(reverse("roadmaps:roadmap-list"))
    assert set(titles(response)) == {"План Гатчинского округа", "План школы № 1"}


def test_a_school_lists_its_own_plan_and_the_approved_plans_above(world, plans, client_for):
    plans["district"].status = "approved"
    plans["district"].save(update_fields=["status"])
    response = client_for(world.school_user).get(reverse("roadmaps:roadmap-list"))
    assert set(titles(response)) == {"План Гатчинского округа", "План школы № 1"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"level": "region"}, {"Региональный план ЛОИРО"}),
        ({"level": "municipality"}, {"План Гатчинского округа"}),
        ({"level": "school"}, {"План школы № 1", "План Лужской школы"}),
        ({"status": "approved"}, {"План школы № 1"}),
        ({"q": "лужской"}, {"План Лужской школы"}),
        ({"q": "ЛОИРО"}, {"Региональный план ЛОИРО"}),
        ({"q": "комитет образования"}, {"План Гатчинского округа"}),
    ],
)
def test_the_list_filters(world, plans, client_for, query, expected):
    response = client_for(world.operator).get(reverse("roadmaps:roadmap-list"), query)
    assert set(titles(response)) == expected


def test_the_list_filters_by_municipality(world, plans, client_for):
    response = client_for(world.operator).get(
        reverse("roadmaps:roadmap-list"), {"municipality": world.other_municipality.pk}
    )
    assert titles(response) == ["План Лужской школы"]


def test_the_list_filters_by_year_including_academic_years(world, plans, client_for):
    academic = make_small_plan(
        world.omsu,
        title="План на 2024/2025 учебный год",
        period_start=datetime.date(2024, 9, 1),
        period_end=datetime.date(2025, 8, 31),
    )
    client = client_for(world.operator)
    assert titles(client.get(reverse("roadmaps:roadmap-list"), {"year": 2025})) == [academic.title]
    assert academic.title in titles(client.get(reverse("roadmaps:roadmap-list"), {"year": 2024}))


def test_a_wrong_year_is_explained_in_russian(world, plans, client_for):
    response = client_for(world.operator).get(reverse("roadmaps:roadmap-list"), {"year": "abc"})
    assert "Введите целое число." in response.content.decode()


def test_older_versions_are_listed_only_on_request(world, plans, client_for):
    school_plan = plans["school"]
    new = school_plan.revise(by=world.school_user)
    client = client_for(world.school_user)
    listed = list(client.get(reverse("roadmaps:roadmap-list")).context["page"])
    assert new in listed and school_plan not in listed
    listed = list(
        client.get(reverse("roadmaps:roadmap-list"), {"all_versions": "on"}).context["page"]
    )
    assert {new, school_plan} <= set(listed)


def test_the_list_query_count_does_not_grow_with_plans(
    world, plans, client_for, django_assert_max_num_queries
):
    client = client_for(world.operator)
    for n in range(30):
        make_small_plan(make_school(world.municipality), title=f"План школы {n}")
    with django_assert_max_num_queries(9):
        response = client.get(reverse("roadmaps:roadmap-list"))
    assert response.context["page"].paginator.count == 34


# The plan as the official table


def test_the_plan_shows_sections_numbered_items_and_the_dates_a_deadline_means(world, client_for):
    plan = make_sample_plan(world.omsu, items=12)
    page = (
        client_for(world.municipal)
        .get(reverse("roadmaps:roadmap-detail", args=[plan.pk]))
        .content.decode()
    )
    assert '<th colspan="7" scope="rowgroup"><span class="section-number">2.1</span>' in page
    assert "Февраль-март" in page and "01.02.2024–31.03.2024" in page
    assert "до 15.10.2024" in page
    assert "проведений: 2" in page
    assert "без срока" in page
    assert "ИРОСО" in page and "Институт развития образования" in page
    assert "Обозначения и сокращения" in page
    # Subsections follow their section, and items keep the order of the document.
    assert page.index("Научно-методическое") < page.index("Мероприятия по повышению")
    numbers = re.findall(r'<td class="num item-number"[^>]*>([\d.]+)</td>', page)
    assert numbers[:2] == ["1.1", "1.2"]


@time_machine.travel(datetime.datetime(2024, 1, 15, 12, tzinfo=datetime.UTC))
def test_a_deadline_warning_is_shown_on_the_row(world, client_for):
    plan = make_small_plan(world.omsu)
    Item.objects.filter(roadmap=plan).update(
        deadline_text="март 2025",
        deadline_warnings=["Срок 01.03.2025–31.03.2025 выходит за пределы периода 2024"],
    )
    page = (
        client_for(world.municipal)
        .get(reverse("roadmaps:roadmap-detail", args=[plan.pk]))
        .content.decode()
    )
    assert "has-warning" in page
    assert "⚠ Срок 01.03.2025–31.03.2025 выходит за пределы периода 2024" in page


@time_machine.travel(datetime.datetime(2024, 6, 1, 12, tzinfo=datetime.UTC))
def test_overdue_items_are_highlighted(world, client_for):
    plan = make_small_plan(world.omsu)
    section = plan.sections.get()
    late = make_item(
        section, number="1.2.", title="Просроченное", deadline_text="март", deadline_kind="dates"
    )
    Item.objects.filter(pk=late.pk).update(
        deadline_start=datetime.date(2024, 3, 1), deadline_end=datetime.date(2024, 3, 31)
    )
    done = make_item(section, number="1.3.", title="Сделанное", status="done")
    Item.objects.filter(pk=done.pk).update(deadline_end=datetime.date(2024, 3, 31))
    page = (
        client_for(world.municipal)
        .get(reverse("roadmaps:roadmap-detail", args=[plan.pk]))
        .content.decode()
    )
    assert f'<tr id="item-{late.pk}" class="item-row is-overdue">' in page
    assert f'<tr id="item-{done.pk}" class="item-row">' in page
    assert page.count("просрочено</span>") == 1


def test_an_imported_approval_caption_is_shown_as_written(world, client_for):
    plan = make_small_plan(
        world.omsu,
        status="approved",
        approval_text="УТВЕРЖДЕН\nраспоряжением отдела образования\nот 29.02.2024 № 231",
    )
    page = (
        client_for(world.school_user)
        .get(reverse("roadmaps:roadmap-detail", args=[plan.pk]))
        .content.decode()
    )
    assert "распоряжением отдела образования" in page


def test_the_plan_page_lists_versions_and_workflow_events(world, client_for):
    plan = make_small_plan(world.omsu)
    plan.submit(by=world.municipal)
    page = (
        client_for(world.municipal)
        .get(reverse("roadmaps:roadmap-detail", args=[plan.pk]))
        .content.decode()
    )
    assert "Ход согласования" in page
    assert "направлена на согласование (municipal)" in page
    assert "План на согласовании: изменить его можно после решения проверяющего." in page


@pytest.mark.parametrize("role", ["municipal", "viewer"])
def test_the_plan_page_query_count_does_not_grow_with_items(
    world, client_for, django_assert_max_num_queries, role
):
    client = client_for(getattr(world, role))
    small = make_sample_plan(world.omsu, items=10)
    large = make_sample_plan(world.omsu, items=150)
    for plan in (small, large):
        for item in plan.items.all()[:5]:
            item.directions.add(1, 2)
    client.get(reverse("roadmaps:roadmap-detail", args=[small.pk]))
    with django_assert_max_num_queries(16) as small_queries:
        client.get(reverse("roadmaps:roadmap-detail", args=[small.pk]))
    with django_assert_max_num_queries(16) as large_queries:
        response = client.get(reverse("roadmaps:roadmap-detail", args=[large.pk]))
    assert len(large_queries.captured_queries) == len(small_queries.captured_queries)
    assert response.content.decode().count('class="item-row') == 150


def test_the_plan_prints_without_edit_controls(world, client_for):
    plan = make_small_plan(world.omsu)
    page = (
        client_for(world.municipal)
        .get(reverse("roadmaps:roadmap-detail", args=[plan.pk]))
        .content.decode()
    )
    assert 'class="row-actions no-print"' in page
    assert '<th scope="col" class="no-print">Действия</th>' in page
    assert "style=" not in page
    assert "<script>" not in page


# Creating a plan


def test_a_municipal_coordinator_creates_a_plan_for_an_academic_year(world, client_for):
    response = client_for(world.municipal).post(
        reverse("roadmaps:roadmap-create"),
        {"owner": world.omsu.pk, "title": "План на 2024/2025 учебный год", "period": "2024/2025"},
    )
    plan = Roadmap.objects.get(title="План на 2024/2025 учебный год")
    assert response["Location"] == reverse("roadmaps:roadmap-detail", args=[plan.pk])
    assert (plan.owner, plan.period_start, plan.period_end, plan.status) == (
        world.omsu,
        datetime.date(2024, 9, 1),
        datetime.date(2025, 8, 31),
        "draft",
    )
    assert plan.created_by == world.municipal
    assert plan.events.get().action == RoadmapEvent.Action.CREATED


def test_the_owner_is_chosen_among_organizations_the_user_writes(world, client_for):
    client = client_for(world.municipal)
    form = client.get(reverse("roadmaps:roadmap-create")).context["form"]
    owners = set(form.fields["owner"].queryset)
    assert {world.omsu, world.school, world.sibling_school} <= owners
    assert world.institute not in owners and world.other_school not in owners
    response = client.post(
        reverse("roadmaps:roadmap-create"),
        {"owner": world.institute.pk, "title": "Чужой план", "period": "2025"},
    )
    page = response.content.decode()
    assert "Выберите корректный вариант" in page
    assert "Чужой план" in page
    assert not Roadmap.objects.filter(title="Чужой план").exists()


def test_a_viewer_cannot_create_a_plan(world, client_for):
    response = client_for(world.viewer).get(reverse("roadmaps:roadmap-create"))
    assert response.status_code == 403
    assert "Создавать планы могут координаторы и операторы." in response.content.decode()


def test_a_new_plan_starts_with_an_add_section_button(world, client_for):
    plan = make_roadmap(world.omsu)
    page = (
        client_for(world.municipal)
        .get(reverse("roadmaps:roadmap-detail", args=[plan.pk]))
        .content.decode()
    )
    assert "В плане пока нет разделов." in page
    assert "+ Добавить раздел" in page


def test_adding_a_section_without_javascript_returns_to_the_plan(world, client_for):
    plan = make_roadmap(world.omsu)
    response = client_for(world.municipal).post(
        reverse("roadmaps:section-add", args=[plan.pk]), {"number": "1.", "title": "Первый"}
    )
    section = plan.sections.get()
    assert response["Location"].endswith(f"#section-{section.pk}")


def test_a_section_without_a_title_is_refused_in_russian(world, client_for):
    plan = make_roadmap(world.omsu)
    response = client_for(world.municipal).post(
        reverse("roadmaps:section-add", args=[plan.pk]), {"number": "7.", "title": ""}
    )
    page = response.content.decode()
    assert "Напишите наименование раздела." in page
    assert 'value="7."' in page


# The glossary page and the home page


def test_the_glossary_page_lists_every_party_with_its_use(world, client_for):
    plan = make_small_plan(world.omsu)
    page = (
        client_for(world.viewer).get(reverse("roadmaps:glossary", args=[plan.pk])).content.decode()
    )
    assert "Информационно-методический центр" in page
    assert "Добавить обозначение" not in page


def test_the_home_page_shows_the_organizations_plans(world, client_for):
    plan = make_small_plan(world.omsu, title="План Гатчинского округа на 2024 год")
    section = make_section(plan, number="2.", title="Второй")
    make_item(section)
    page = client_for(world.municipal).get(reverse("home")).content.decode()
    assert reverse("roadmaps:roadmap-detail", args=[plan.pk]) in page
    assert "План Гатчинского округа на 2024 год" in page
