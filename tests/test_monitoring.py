"""Overdue items, plan progress, the monitoring page and the roll-up of an item.

The numbers are checked against a small world counted by hand (see `plans`), with the date
frozen at 15 May 2024.
"""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from roadmaps.cascade import create_from_template
from roadmaps.deadlines import Period
from roadmaps.models import Item, Roadmap
from tests.factories import (
    add_responsible,
    make_item,
    make_party,
    make_report,
    make_roadmap,
    make_school,
    make_section,
)

TODAY = datetime.date(2024, 5, 15)
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
    """specs: (status, end date or None); returns the items in order."""
    section = make_section(roadmap)
    return [
        make_item(section, status=status, deadline_end=end, deadline_start=None)
        for status, end in specs
    ]


@pytest.fixture
def plans(world):
    return hand_counted_plans(world)


def hand_counted_plans(world) -> dict:
    """Plans of 2024 counted by hand; approved unless said otherwise (the API's monitoring
    tests count on them too).

    region (institute):  done, overdue since 30.04 (15 days), in progress until 31.12, cancelled
    municipality (omsu): done, in progress overdue since 14.05 (1 day)
    school:              done, not started overdue since 31.03 (45 days), no end date
    sibling school:      two not started until 31.12; and a draft with five overdue items
    Luga school:         done
    foreign school:      one overdue item, seen by the outsider only
    """
    region = make_roadmap(world.institute, status=APPROVED)
    regional_items = add_items(
        region,
        ("done", d(3, 31)),
        ("not_started", d(4, 30)),
        ("in_progress", d(12, 31)),
        ("cancelled", d(2, 28)),
    )
    omsu = make_roadmap(world.omsu, status=APPROVED)
    add_items(omsu, ("done", d(3, 1)), ("in_progress", d(5, 14)))
    school = make_roadmap(world.school, status=APPROVED)
    school_items = add_items(
        school, ("done", d(2, 1)), ("not_started", d(3, 31)), ("not_started", None)
    )
    sibling = make_roadmap(world.sibling_school, status=APPROVED)
    add_items(sibling, ("not_started", d(12, 31)), ("not_started", d(12, 31)))
    draft = make_roadmap(world.sibling_school, title="Черновик плана СОШ № 2")
    add_items(draft, *[("not_started", d(1, 31))] * 5)
    luga = make_roadmap(world.other_school, status=APPROVED)
    add_items(luga, ("done", d(6, 1)))
    foreign = make_roadmap(world.foreign_school, status=APPROVED)
    add_items(foreign, ("in_progress", d(4, 1)))
    return {
        "region": region,
        "regional_items": regional_items,
        "omsu": omsu,
        "school": school,
        "school_items": school_items,
        "sibling": sibling,
        "draft": draft,
        "luga": luga,
        "foreign": foreign,
    }


def counts(row):
    keys = ("plan_count", "item_count", "done_count", "overdue_count")
    return tuple(row[key] for key in keys if key in row)


# Overdue


def test_item_is_overdue_only_after_its_end_date_and_until_done_or_cancelled(world):
    roadmap = make_roadmap(world.school)
    item = make_item(make_section(roadmap), deadline_end=d(3, 31))
    with time_machine.travel(datetime.datetime(2024, 3, 31, 20, 0, tzinfo=datetime.UTC)):
        # 23:00 in Moscow on the last day: still in time.
        assert not item.is_overdue()
        assert not Item.objects.overdue().exists()
    with time_machine.travel(datetime.datetime(2024, 3, 31, 21, 30, tzinfo=datetime.UTC)):
        # 00:30 of 1 April in Moscow.
        assert item.is_overdue()
        assert list(Item.objects.overdue()) == [item]
    for status in ("done", "cancelled"):
        Item.objects.filter(pk=item.pk).update(status=status)
        assert not Item.objects.overdue(d(4, 1)).exists()


def test_item_without_an_end_date_is_never_overdue(world):
    item = make_item(make_section(make_roadmap(world.school)), deadline_end=None)
    assert not item.is_overdue(datetime.date(2030, 1, 1))
    assert not Item.objects.overdue(datetime.date(2030, 1, 1)).exists()


# Queryset numbers


def test_with_progress_counts_each_plan_in_one_query(plans, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = {
            plan.pk: (plan.item_count, plan.done_count, plan.overdue_count, plan.cancelled_count)
            for plan in Roadmap.objects.with_progress(TODAY)
        }
    assert rows[plans["region"].pk] == (4, 1, 1, 1)
    assert rows[plans["omsu"].pk] == (2, 1, 1, 0)
    assert rows[plans["school"].pk] == (3, 1, 1, 0)
    assert rows[plans["sibling"].pk] == (2, 0, 0, 0)
    assert rows[plans["draft"].pk] == (5, 0, 5, 0)


def test_progress_by_municipality_adds_up_the_municipality_and_its_schools(world, plans):
    rows = {
        row["municipality_name"]: counts(row)
        for row in Roadmap.objects.approved().progress_by_municipality(TODAY)
    }
    assert rows == {
        "Гатчинский муниципальный округ": (3, 7, 2, 2),
        "Лужский муниципальный район": (1, 1, 1, 0),
        "Тобольский район": (1, 1, 0, 1),
    }


def test_monitored_plans_leave_out_the_higher_levels_a_user_only_reads(world, plans):
    assert set(Roadmap.objects.monitored_by(world.school_user)) == {plans["school"]}
    assert plans["region"] in Roadmap.objects.for_user(world.school_user)


def test_version_in_force_is_counted_once_while_the_next_one_is_prepared(world, plans):
    school = plans["school"]
    draft_v2 = school.revise(by=world.school_user)
    in_force = Roadmap.objects.filter(owner=world.school).in_force()
    assert list(in_force) == [school]
    assert draft_v2 not in Roadmap.objects.in_force()
    # A plan that was never approved is in force as its newest version.
    assert plans["draft"] in Roadmap.objects.in_force()


# The monitoring page


def monitoring(client, **params):
    return client.get(reverse("roadmaps:monitoring"), params)


def test_operator_sees_approved_plans_of_the_region_counted_by_hand(world, plans, client_for):
    response = monitoring(client_for(world.operator))
    context = response.context
    assert response.status_code == 200
    assert counts(context["totals"]) == (5, 12, 4, 3)
    assert [(row["municipality_name"], *counts(row)) for row in context["municipalities"]] == [
        ("Гатчинский муниципальный округ", 3, 7, 2, 2),
        ("Лужский муниципальный район", 1, 1, 1, 0),
    ]
    assert {plan.pk for plan in context["plan_page"]} == {
        plans[name].pk for name in ("region", "omsu", "school", "sibling", "luga")
    }
    html = response.content.decode()
    assert 'aria-label="Выполнено 4 из 12 (33 %), просрочено 3, отменено 1"' in html


def test_overdue_items_are_listed_with_days_overdue_and_responsible(world, plans, client_for):
    item = plans["school_items"][1]
    party = make_party(plans["school"], "Заместитель директора по УВР")
    add_responsible(item, party)
    response = monitoring(client_for(world.operator))
    rows = [(i.roadmap.owner.short_name, i.days_overdue) for i in response.context["overdue_page"]]
    assert rows == [
        ("МБОУ «Гатчинская СОШ № 1»", 45),
        ("ГАОУ ДПО «ЛОИРО»", 15),
        ("Комитет образования Гатчинского МО", 1),
    ]
    html = response.content.decode()
    assert "Заместитель директора по УВР" in html
    assert "31.03.2024" in html


def test_municipal_coordinator_sees_the_municipality_and_its_schools(world, plans, client_for):
    context = monitoring(client_for(world.municipal)).context
    assert counts(context["totals"]) == (3, 7, 2, 2)
    assert len(context["overdue_page"]) == 2


def test_school_coordinator_sees_its_own_school_only(world, plans, client_for):
    response = monitoring(client_for(world.school_user))
    context = response.context
    assert counts(context["totals"]) == (1, 3, 1, 1)
    assert [plan.pk for plan in context["plan_page"]] == [plans["school"].pk]
    html = response.content.decode()
    assert "Гатчинская СОШ № 2" not in html
    assert "ЛОИРО" not in html


def test_viewer_reads_the_same_numbers_as_the_operator(world, plans, client_for):
    assert counts(monitoring(client_for(world.viewer)).context["totals"]) == (5, 12, 4, 3)


def test_outsider_sees_only_the_other_region(world, plans, client_for):
    context = monitoring(client_for(world.outsider)).context
    assert counts(context["totals"]) == (1, 1, 0, 1)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"level": "school", "status": "approved"}, {"school", "sibling", "luga"}),
        ({"level": "region", "status": "approved"}, {"region"}),
        ({"level": "municipality", "status": "approved"}, {"omsu"}),
        ({"status": "draft"}, {"draft"}),
        ({"status": ""}, {"region", "omsu", "school", "sibling", "draft", "luga"}),
        ({"status": "approved", "year": "2023"}, set()),
        ({"status": "approved", "year": "2024"}, {"region", "omsu", "school", "sibling", "luga"}),
    ],
)
def test_filters_narrow_the_plans(world, plans, client_for, params, expected):
    context = monitoring(client_for(world.operator), **params).context
    assert {plan.pk for plan in context["plan_page"]} == {plans[name].pk for name in expected}


def test_municipality_filter_keeps_its_bodies_and_schools(world, plans, client_for):
    params = {"municipality": world.municipality.pk, "status": "approved"}
    context = monitoring(client_for(world.operator), **params).context
    assert {plan.pk for plan in context["plan_page"]} == {
        plans["omsu"].pk,
        plans["school"].pk,
        plans["sibling"].pk,
    }


def test_academic_year_plan_appears_in_both_of_its_years(world, client_for):
    plan = make_roadmap(
        world.school,
        status=APPROVED,
        period_start=datetime.date(2023, 9, 1),
        period_end=datetime.date(2024, 8, 31),
    )
    client = client_for(world.school_user)
    for year in ("2023", "2024"):
        context = monitoring(client, status="approved", year=year).context
        assert [p.pk for p in context["plan_page"]] == [plan.pk]
    assert not monitoring(client, status="approved", year="2025").context["plan_page"]


def test_a_bad_year_is_explained_and_the_default_applies(world, plans, client_for):
    response = monitoring(client_for(world.operator), status="", year="20x4")
    assert "Укажите год цифрами" in response.content.decode()
    assert response.context["totals"]["plan_count"] == 5


def test_monitoring_moves_when_a_report_is_added(world, plans, client_for):
    client = client_for(world.municipal)
    assert monitoring(client).context["totals"]["done_count"] == 2
    make_report(plans["school_items"][1], status="done", date=d(5, 10))
    totals = monitoring(client).context["totals"]
    assert (totals["done_count"], totals["overdue_count"]) == (3, 1)


def test_overdue_list_is_paginated(world, client_for):
    roadmap = make_roadmap(world.school, status=APPROVED)
    add_items(roadmap, *[("not_started", d(4, 1))] * 60)
    client = client_for(world.school_user)
    first = monitoring(client).context["overdue_page"]
    second = monitoring(client, page=2).context["overdue_page"]
    assert (len(first), len(second)) == (50, 10)
    assert first.paginator.count == 60


def test_monitoring_query_count_does_not_grow_with_plans_and_items(
    world, plans, client_for, django_assert_max_num_queries
):
    client = client_for(world.operator)
    monitoring(client)
    with CaptureQueriesContext(connection) as small:
        monitoring(client)
    for n in range(30):
        school = make_school(world.other_municipality)
        roadmap = make_roadmap(school, status=APPROVED)
        items = add_items(
            roadmap, ("not_started", d(4, 1)), ("done", d(3, 1)), ("in_progress", d(5, 1))
        )
        add_responsible(items[0], make_party(roadmap, f"Педагог-организатор {n}"))
    with django_assert_max_num_queries(len(small)):
        response = monitoring(client)
    assert response.context["totals"]["plan_count"] == 35
    assert len(small) <= 15


# Roll-up of an item to the plans made from it


@pytest.fixture
def copies(world, plans):
    """The regional plan copied by the district and by both Gatchina schools (one from the
    district's copy), each with its own progress on the regional item 1.2."""
    period = Period.calendar_year(2024)
    region = plans["region"]
    source = plans["regional_items"][1]
    Item.objects.filter(pk=source.pk).update(
        deadline_text="до 30 апреля 2024", deadline_kind="until"
    )
    district = create_from_template(region, owner=world.omsu, title="План ОМСУ", period=period)
    Roadmap.objects.filter(pk=district.pk).update(status=APPROVED)
    district.refresh_from_db()
    school = create_from_template(district, owner=world.school, title="План СОШ 1", period=period)
    sibling = create_from_template(
        region, owner=world.sibling_school, title="План СОШ 2", period=period
    )
    luga = create_from_template(region, owner=world.other_school, title="План Луги", period=period)

    def copy_in(roadmap):
        return roadmap.items.get(number=source.number)

    make_report(copy_in(district), status="done", date=d(4, 20), comment="Совещание проведено")
    make_report(copy_in(school), status="in_progress", date=d(5, 2), comment="Готовим приказ")
    return {
        "source": source,
        "district": district,
        "school": school,
        "sibling": sibling,
        "luga": luga,
        "copy_in": copy_in,
    }


def rollup(client, item, **params):
    return client.get(reverse("roadmaps:item-rollup", args=[item.pk]), params)


def test_rollup_shows_every_copy_with_its_last_report(world, copies, client_for):
    response = rollup(client_for(world.operator), copies["source"])
    rows = {
        copy.roadmap.owner.short_name: (copy.status, copy.last_report_date, copy.overdue)
        for copy in response.context["page"]
    }
    assert rows == {
        "Комитет образования Гатчинского МО": ("done", d(4, 20), False),
        "МБОУ «Гатчинская СОШ № 1»": ("in_progress", d(5, 2), True),
        "МБОУ «Гатчинская СОШ № 2»": ("not_started", None, True),
        "МОУ «Лужская СОШ № 3»": ("not_started", None, True),
    }
    counts = response.context["counts"]
    assert (counts["item_count"], counts["done_count"], counts["in_progress_count"]) == (4, 1, 1)
    assert (counts["not_started_count"], counts["overdue_count"]) == (2, 3)
    html = response.content.decode()
    assert "Готовим приказ" in html
    assert 'class="bar-done"' in html


def test_municipal_coordinator_rollup_stops_at_the_district(world, copies, client_for):
    response = rollup(client_for(world.municipal), copies["source"])
    owners = {copy.roadmap.owner.short_name for copy in response.context["page"]}
    assert "МОУ «Лужская СОШ № 3»" not in owners
    assert len(owners) == 3


def test_outsider_gets_not_found_on_a_rollup(world, copies, client_for):
    assert rollup(client_for(world.outsider), copies["source"]).status_code == 404


def test_rollup_follows_copies_made_from_an_earlier_version(world, copies, client_for):
    region = copies["source"].roadmap
    new_version = region.revise(by=world.operator)
    same_item = new_version.items.get(key=copies["source"].key)
    response = rollup(client_for(world.operator), same_item)
    assert response.context["counts"]["item_count"] == 4


def test_rollup_query_count_does_not_grow_with_copies(
    world, copies, client_for, django_assert_max_num_queries
):
    client = client_for(world.operator)
    rollup(client, copies["source"])
    with CaptureQueriesContext(connection) as small:
        rollup(client, copies["source"])
    region = copies["source"].roadmap
    for _ in range(20):
        school = make_school(world.other_municipality)
        roadmap = create_from_template(
            region, owner=school, title="План", period=Period.calendar_year(2024)
        )
        make_report(copies["copy_in"](roadmap), status="done", date=d(5, 1))
    with django_assert_max_num_queries(len(small)):
        response = rollup(client, copies["source"])
    assert response.context["counts"]["item_count"] == 24
