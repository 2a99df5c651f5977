"""A plan made from a higher level's approved plan («Создать план на основе…»)."""

import datetime
import html
import re

import pytest
from django.urls import reverse

from portal.russian import quote
from roadmaps.cascade import create_from_template, template_error, template_sources
from roadmaps.deadlines import Period, parse_deadline
from roadmaps.models import Direction, Item, Roadmap, RoadmapEvent
from tests.factories import (
    add_responsible,
    make_item,
    make_party,
    make_roadmap,
    make_section,
)

APPROVED = Roadmap.Status.APPROVED


@pytest.fixture
def regional(world):
    """The approved regional plan for 2024: two sections, a subsection, a glossary."""
    roadmap = make_roadmap(world.institute, status=APPROVED)
    period = Period.calendar_year(2024)
    loiro = make_party(roadmap, "ЛОИРО", full_name="ГАОУ ДПО «ЛОИРО»", in_glossary=True)
    omsu = make_party(roadmap, "ОМСУ", full_name="Органы местного самоуправления", in_glossary=True)
    oo = make_party(roadmap, "ОО", kind="category")
    first = make_section(roadmap, number="1", title="Организационное сопровождение")
    second = make_section(roadmap, number="2", title="Методическое сопровождение")
    subsection = make_section(roadmap, number="2.1", title="Семинары", parent=second)
    items = []
    for section, number, text, parties in (
        (first, "1.1", "Февраль-март", (loiro, omsu)),
        (first, "1.2", "в течение года", (omsu, oo)),
        (subsection, "2.1.1", "2 квартал", (oo,)),
        (subsection, "2.1.2", "по отдельному графику", ()),
    ):
        item = make_item(section, number=number, title=f"Мероприятие {number}", result="Справка")
        item.apply_deadline(parse_deadline(text, period))
        item.status = "done"  # the source's execution is its own, never copied
        item.save()
        add_responsible(item, *parties)
        items.append(item)
    items[0].directions.add(Direction.objects.get(code="znanie"))
    items[2].directions.add(
        Direction.objects.get(code="uchitel"), Direction.objects.get(code="klimat")
    )
    return roadmap


def copy_for(world, regional, period=None, owner=None):
    return create_from_template(
        regional,
        owner=owner or world.omsu,
        title="План мероприятий Гатчинского МО на 2025 год",
        period=period or Period.calendar_year(2025),
        user=world.municipal,
    )


def test_copy_keeps_sections_items_parties_and_directions(world, regional):
    roadmap = copy_for(world, regional)
    assert roadmap.status == Roadmap.Status.DRAFT
    assert roadmap.owner == world.omsu
    assert roadmap.implements == regional
    assert roadmap.created_by == world.municipal
    assert (roadmap.period_start, roadmap.period_end) == (
        datetime.date(2025, 1, 1),
        datetime.date(2025, 12, 31),
    )
    sections = {s.number: s for s in roadmap.sections.select_related("parent")}
    assert list(sections) == ["1", "2", "2.1"]
    assert sections["2.1"].parent == sections["2"]
    assert {(p.name, p.full_name, p.in_glossary) for p in roadmap.parties.all()} == {
        ("ЛОИРО", "ГАОУ ДПО «ЛОИРО»", True),
        ("ОМСУ", "Органы местного самоуправления", True),
        ("ОО", "", False),
    }
    copies = {item.number: item for item in roadmap.items.all()}
    assert list(copies) == ["1.1", "1.2", "2.1.1", "2.1.2"]
    assert copies["2.1.1"].section == sections["2.1"]
    assert [p.name for p in copies["1.1"].responsible.order_by("itemresponsible__position")] == [
        "ЛОИРО",
        "ОМСУ",
    ]
    assert copies["1.2"].responsible.get(name="ОО").roadmap == roadmap
    assert set(copies["2.1.1"].directions.values_list("code", flat=True)) == {
        "uchitel",
        "klimat",
    }
    assert copies["1.1"].result == "Справка"
    assert {item.status for item in copies.values()} == {Item.Status.NOT_STARTED}


def test_each_copied_item_points_at_its_source(world, regional):
    roadmap = copy_for(world, regional)
    sources = {item.number: item for item in regional.items.all()}
    for item in roadmap.items.all():
        assert item.source_item == sources[item.number]
        assert item.key != sources[item.number].key


def test_deadlines_are_read_again_for_the_new_period(world, regional):
    roadmap = copy_for(world, regional, period=Period.calendar_year(2025))
    dates = {
        item.number: (item.deadline_kind, item.deadline_start, item.deadline_end)
        for item in roadmap.items.all()
    }
    assert dates == {
        "1.1": ("dates", datetime.date(2025, 2, 1), datetime.date(2025, 3, 31)),
        "1.2": ("continuous", datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)),
        "2.1.1": ("dates", datetime.date(2025, 4, 1), datetime.date(2025, 6, 30)),
        "2.1.2": ("unscheduled", None, None),
    }
    assert roadmap.items.get(number="1.1").deadline_text == "Февраль-март"


def test_an_academic_year_moves_months_into_the_right_year(world, regional):
    school_plan = copy_for(world, regional, period=Period.academic_year(2024), owner=world.school)
    item = school_plan.items.get(number="1.1")
    assert (item.deadline_start, item.deadline_end) == (
        datetime.date(2025, 2, 1),
        datetime.date(2025, 3, 31),
    )
    continuous = school_plan.items.get(number="1.2")
    assert (continuous.deadline_start, continuous.deadline_end) == (
        datetime.date(2024, 9, 1),
        datetime.date(2025, 8, 31),
    )


def test_copy_records_where_it_came_from(world, regional):
    roadmap = copy_for(world, regional)
    event = roadmap.events.get()
    assert event.action == RoadmapEvent.Action.CREATED
    assert quote(regional.title) in event.comment


def test_school_plan_from_the_municipal_copy_reaches_the_regional_item(world, regional):
    district = copy_for(world, regional)
    Roadmap.objects.filter(pk=district.pk).update(status=APPROVED)
    district.refresh_from_db()
    school = copy_for(world, district, owner=world.school)
    source = regional.items.get(number="1.2")
    assert set(Item.objects.copies_of(source)) == {
        district.items.get(number="1.2"),
        school.items.get(number="1.2"),
    }


@pytest.mark.parametrize(
    ("source_owner", "target", "message"),
    [
        ("omsu", "omsu", "не выше уровнем"),
        ("school", "sibling_school", "не выше уровнем"),
        ("institute", "institute", "не выше уровнем"),
        ("omsu", "other_school", "другому муниципалитету"),
        ("institute", "foreign_school", "другому региону"),
    ],
)
def test_only_a_higher_level_of_the_same_region_can_be_the_source(
    world, source_owner, target, message
):
    source = make_roadmap(getattr(world, source_owner), status=APPROVED)
    assert message in template_error(source, getattr(world, target))
    with pytest.raises(ValueError, match=message):
        create_from_template(
            source, owner=getattr(world, target), title="x", period=Period.calendar_year(2025)
        )


def test_a_draft_cannot_be_the_source(world):
    draft = make_roadmap(world.institute)
    assert "утверждённый" in template_error(draft, world.omsu)


def test_regional_and_municipal_plans_can_be_the_sources_of_a_school(world, regional):
    district = make_roadmap(world.omsu, status=APPROVED)
    assert template_error(regional, world.school) is None
    assert template_error(district, world.school) is None
    assert template_error(regional, world.omsu) is None


def test_template_sources_are_approved_higher_level_plans_the_user_sees(world, regional):
    district = make_roadmap(world.omsu, status=APPROVED)
    make_roadmap(world.omsu)  # a draft
    make_roadmap(world.school, status=APPROVED)  # a school's plan is nobody's template
    make_roadmap(world.institute, status="archived")  # an earlier version, no longer in force
    assert set(template_sources(world.school_user)) == {regional, district}


# The page


def page_url(**params):
    url = reverse("roadmaps:roadmap-from-template")
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def test_form_offers_the_regional_plan_and_suggests_its_title_and_period(
    world, regional, client_for
):
    response = client_for(world.school_user).get(page_url(source=regional.pk))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["source"].value() == regional.pk
    assert form["title"].value() == regional.title
    assert form["period"].value() == "2024"
    option = re.search(rf'<option value="{regional.pk}"([^>]*)>', response.content.decode())
    # Choosing another plan on the page fills the name and period in from its option.
    attrs = dict(re.findall(r'(data-[a-z]+)="([^"]*)"', option[1]))
    assert html.unescape(attrs["data-title"]) == regional.title
    assert attrs["data-period"] == "2024"
    assert " selected" in option[1]


def test_school_coordinator_creates_a_plan_from_the_regional_one(world, regional, client_for):
    response = client_for(world.school_user).post(
        page_url(),
        {
            "source": regional.pk,
            "owner": world.school.pk,
            "title": "План мероприятий МБОУ «Гатчинская СОШ № 1» на 2024/2025 учебный год",
            "period": "2024/2025",
        },
    )
    roadmap = Roadmap.objects.get(owner=world.school)
    assert response.status_code == 302
    assert response["Location"] == reverse("roadmaps:roadmap-detail", args=[roadmap.pk])
    assert roadmap.implements == regional
    assert roadmap.items.count() == 4
    assert roadmap.period_label == "2024/2025 учебный год"


def test_form_errors_are_in_russian_and_keep_what_was_typed(world, regional, client_for):
    response = client_for(world.school_user).post(
        page_url(),
        {
            "source": regional.pk,
            "owner": world.school.pk,
            "title": "Наш план на следующий год",
            "period": "следующий год",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Не удалось распознать период" in html
    assert "Наш план на следующий год" in html
    assert not Roadmap.objects.filter(owner=world.school).exists()


def test_owner_outside_the_users_writing_scope_is_refused(world, regional, client_for):
    response = client_for(world.school_user).post(
        page_url(),
        {
            "source": regional.pk,
            "owner": world.sibling_school.pk,
            "title": "Чужой план",
            "period": "2025",
        },
    )
    assert "Вы не можете создавать планы этой организации" in response.content.decode()
    assert not Roadmap.objects.filter(owner=world.sibling_school).exists()


def test_plan_of_another_region_is_not_offered(world, client_for):
    foreign_region_plan = make_roadmap(world.institute, status=APPROVED)
    response = client_for(world.outsider).post(
        page_url(),
        {
            "source": foreign_region_plan.pk,
            "owner": world.foreign_school.pk,
            "title": "План",
            "period": "2025",
        },
    )
    assert "Этот план недоступен как основа" in response.content.decode()


def test_viewer_cannot_create_plans_from_templates(world, regional, client_for):
    assert client_for(world.viewer).get(page_url()).status_code == 403
