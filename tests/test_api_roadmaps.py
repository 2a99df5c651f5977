"""The roadmaps API: what each role sees, who writes what and when, the workflow, execution.

Each plan of the cast has one section with two items:
- regional: the institute's plan, approved (the whole region implements it);
- municipal: the Gatchina office's plan, draft;
- school: the Gatchina school's plan, draft;
- sibling: the other Gatchina school's plan, approved;
- other: the Luga school's plan, on review;
- foreign: the outsider's school plan, draft.
"""

import datetime
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from roadmaps.importers import parse_document
from roadmaps.models import Direction, ExecutionReport, Item, Roadmap, RoadmapEvent
from tests.factories import (
    add_responsible,
    make_item,
    make_party,
    make_roadmap,
    make_section,
)

ROLES = ("anonymous", "operator", "municipal", "school", "viewer", "outsider", "superuser")


@dataclass
class Plans:
    regional: Roadmap
    municipal: Roadmap
    school: Roadmap
    sibling: Roadmap
    other: Roadmap
    foreign: Roadmap


def _plan(owner, status="draft"):
    roadmap = make_roadmap(owner, status=status)
    section = make_section(roadmap, title="Организационно-управленческое сопровождение")
    make_item(section)
    make_item(section)
    return roadmap


@pytest.fixture
def plans(world):
    return Plans(
        regional=_plan(world.institute, "approved"),
        municipal=_plan(world.omsu),
        school=_plan(world.school),
        sibling=_plan(world.sibling_school, "approved"),
        other=_plan(world.other_school, "review"),
        foreign=_plan(world.foreign_school),
    )


def _results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def _ids(response):
    return {row["id"] for row in _results(response)}


def _plan_url(roadmap, name="api:roadmap-detail"):
    return reverse(name, args=[roadmap.pk])


# What each role sees

VISIBLE_PLANS = {
    "operator": {"regional", "municipal", "school", "sibling", "other"},
    # The municipality and its schools, and the region's approved plan it implements.
    "municipal": {"regional", "municipal", "school", "sibling"},
    "school": {"regional", "school"},
    "viewer": {"regional", "municipal", "school", "sibling", "other"},
    "outsider": {"foreign"},
    "superuser": {"regional", "municipal", "school", "sibling", "other", "foreign"},
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_lists_its_own_plans_and_the_approved_plans_above_it(role, api, plans):
    response = api(role).get(reverse("api:roadmap-list"))
    if role == "anonymous":
        assert response.status_code == 401
        return
    expected = {getattr(plans, name).pk for name in VISIBLE_PLANS[role]}
    assert _ids(response) == expected


@pytest.mark.parametrize("role", ROLES)
def test_each_role_lists_the_items_of_the_plans_it_sees(role, api, plans):
    response = api(role).get(reverse("api:item-list"))
    if role == "anonymous":
        assert response.status_code == 401
        return
    expected = {
        item.pk
        for name in VISIBLE_PLANS[role]
        for item in Item.objects.filter(roadmap=getattr(plans, name))
    }
    assert _ids(response) == expected


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 401),
        ("operator", 200),
        ("municipal", 200),
        ("school", 200),
        ("viewer", 200),
        ("outsider", 404),
        ("superuser", 200),
    ],
)
def test_a_schools_plan_opens_for_its_school_district_and_region_only(role, status, api, plans):
    assert api(role).get(_plan_url(plans.school)).status_code == status
    item = plans.school.items.first()
    assert api(role).get(reverse("api:item-detail", args=[item.pk])).status_code == status
    sections = reverse("api:roadmap-section-list", args=[plans.school.pk])
    assert api(role).get(sections).status_code == status


def test_school_coordinator_cannot_open_a_sibling_schools_plan(api, plans):
    assert api("school").get(_plan_url(plans.sibling)).status_code == 404
    items = reverse("api:roadmap-item-list", args=[plans.sibling.pk])
    assert api("school").get(items).status_code == 404


def test_plan_detail_nests_sections_with_their_items_in_order(api, plans):
    section = plans.school.sections.get()
    sub = make_section(plans.school, number="1.1", title="Подраздел", parent=section)
    item = make_item(sub, deadline_text="Февраль-март", deadline_kind="dates")
    add_responsible(item, make_party(plans.school, "ИМЦ"), make_party(plans.school, "ОО"))
    item.directions.set(Direction.objects.filter(code__in=["znanie", "zdorovie"]))

    data = api("school").get(_plan_url(plans.school)).json()

    assert [s["number"] for s in data["sections"]] == ["1", "1.1"]
    assert data["sections"][1]["parent"] == section.pk
    assert [i["number"] for i in data["sections"][0]["items"]] == ["1.1", "1.2"]
    nested = data["sections"][1]["items"][0]
    assert nested["responsible"] == ["ИМЦ", "ОО"]
    assert sorted(nested["directions"]) == ["zdorovie", "znanie"]
    assert nested["deadline_text"] == "Февраль-март"
    assert [p["name"] for p in data["parties"]] == ["ИМЦ", "ОО"]
    assert data["level"] == "school"
    assert data["can_edit"] is True


def test_can_edit_tells_a_viewer_that_the_plan_is_read_only(api, plans):
    assert api("viewer").get(_plan_url(plans.school)).json()["can_edit"] is False


def test_directions_are_listed_in_the_official_order(api, plans):
    results = _results(api("school").get(reverse("api:direction-list")))
    assert [d["code"] for d in results][:3] == ["znanie", "zdorovie", "tvorchestvo"]
    assert len(results) == 8


# Filters


def test_plans_filter_by_status_level_owner_municipality_and_year(api, plans, world):
    client = api("operator")
    url = reverse("api:roadmap-list")
    assert _ids(client.get(url, {"status": "approved"})) == {plans.regional.pk, plans.sibling.pk}
    assert _ids(client.get(url, {"level": "region"})) == {plans.regional.pk}
    assert _ids(client.get(url, {"level": "municipality"})) == {plans.municipal.pk}
    assert _ids(client.get(url, {"level": "school"})) == {
        plans.school.pk,
        plans.sibling.pk,
        plans.other.pk,
    }
    assert _ids(client.get(url, {"owner": world.school.pk})) == {plans.school.pk}
    assert _ids(client.get(url, {"municipality": world.other_municipality.pk})) == {plans.other.pk}
    academic = make_roadmap(
        world.omsu,
        period_start=datetime.date(2024, 9, 1),
        period_end=datetime.date(2025, 8, 31),
    )
    assert _ids(client.get(url, {"year": 2025})) == {academic.pk}
    assert academic.pk in _ids(client.get(url, {"year": 2024}))


def test_plans_search_by_title_and_owner(api, plans):
    plans.municipal.title = "Дорожная карта Гатчинского МО по наставничеству"
    plans.municipal.save(update_fields=["title"])
    assert _ids(api("operator").get(reverse("api:roadmap-list"), {"search": "наставничеству"})) == {
        plans.municipal.pk
    }


def test_current_filter_leaves_out_superseded_versions(api, plans, world):
    new = plans.sibling.revise(by=world.operator)
    client = api("operator")
    current = _ids(client.get(reverse("api:roadmap-list"), {"current": "true"}))
    assert new.pk in current
    assert plans.sibling.pk not in current
    old = _ids(client.get(reverse("api:roadmap-list"), {"current": "false"}))
    assert old == {plans.sibling.pk}


def test_invalid_filter_values_are_a_bad_request_not_an_error(api, plans):
    client = api("operator")
    assert client.get(reverse("api:roadmap-list"), {"year": "дважды"}).status_code == 400
    assert client.get(reverse("api:roadmap-list"), {"year": 99999}).status_code == 400
    assert client.get(reverse("api:roadmap-list"), {"level": "planet"}).status_code == 400
    response = client.get(reverse("api:item-list"), {"deadline_end__gte": "2024-02-30"})
    assert response.status_code == 400


def test_items_filter_by_overdue_and_deadline_range(api, plans):
    today = timezone.localdate()
    section = plans.school.sections.get()
    Item.objects.filter(roadmap=plans.school).delete()
    late = make_item(section, deadline_end=today - datetime.timedelta(days=10))
    make_item(section, deadline_end=today - datetime.timedelta(days=10), status="done")
    ahead = make_item(section, deadline_end=today + datetime.timedelta(days=10))
    client = api("school")
    url = reverse("api:roadmap-item-list", args=[plans.school.pk])

    assert _ids(client.get(url, {"overdue": "true"})) == {late.pk}
    assert late.pk not in _ids(client.get(url, {"overdue": "false"}))
    window = {"deadline_end__gte": today.isoformat(), "deadline_end__lte": "2999-12-31"}
    assert _ids(client.get(url, window)) == {ahead.pk}
    row = next(r for r in _results(client.get(url)) if r["id"] == late.pk)
    assert row["is_overdue"] is True


def test_items_filter_by_direction_responsible_municipality_level_and_plan(api, plans, world):
    item = plans.school.items.first()
    item.directions.set(Direction.objects.filter(code="proforientatsiya"))
    add_responsible(item, make_party(plans.school, "Методист ИМЦ"))
    client = api("operator")
    url = reverse("api:item-list")

    assert _ids(client.get(url, {"direction": "proforientatsiya"})) == {item.pk}
    assert _ids(client.get(url, {"responsible": "ИМЦ"})) == {item.pk}
    in_luga = _ids(client.get(url, {"municipality": world.other_municipality.pk}))
    assert in_luga == set(plans.other.items.values_list("pk", flat=True))
    regional = _ids(client.get(url, {"level": "region"}))
    assert regional == set(plans.regional.items.values_list("pk", flat=True))
    by_plan = _ids(client.get(url, {"roadmap": plans.municipal.pk}))
    assert by_plan == set(plans.municipal.items.values_list("pk", flat=True))
    assert _ids(client.get(url, {"status": "done"})) == set()


def test_an_item_filter_never_confirms_a_plan_outside_the_scope(api, plans):
    client = api("school")
    outside = client.get(reverse("api:item-list"), {"roadmap": plans.sibling.pk})
    missing = client.get(reverse("api:item-list"), {"roadmap": 999999})
    assert outside.status_code == missing.status_code == 400
    assert outside.json() == missing.json()


# Writing plans

PLAN_WRITERS = [
    ("anonymous", 401),
    ("operator", 200),
    ("municipal", 200),
    ("school", 200),
    ("viewer", 403),
    ("outsider", 404),
    ("superuser", 200),
]


@pytest.mark.parametrize(("role", "status"), PLAN_WRITERS)
def test_a_school_draft_is_edited_by_those_who_write_for_the_school(role, status, api, plans):
    response = api(role).patch(
        _plan_url(plans.school), {"title": "План ОО на 2024 год"}, format="json"
    )
    assert response.status_code == status, response.content
    if status == 200:
        assert response.json()["title"] == "План ОО на 2024 год"
        assert response.json()["sections"][0]["items"]


def test_viewer_is_told_the_plan_is_read_only(api, plans):
    response = api("viewer").patch(_plan_url(plans.school), {"title": "x"}, format="json")
    assert response.json()["detail"] == "У вас есть доступ к этому плану только для чтения."


def test_an_approved_plan_cannot_be_edited_and_the_answer_says_why(api, plans):
    response = api("municipal").patch(_plan_url(plans.sibling), {"title": "x"}, format="json")
    assert response.status_code == 403
    assert "утверждён" in response.json()["detail"]
    assert "новую версию" in response.json()["detail"]
    plans.sibling.refresh_from_db()
    assert plans.sibling.title != "x"


def test_a_plan_under_review_cannot_be_edited(api, plans):
    response = api("operator").patch(_plan_url(plans.other), {"title": "x"}, format="json")
    assert response.status_code == 403
    assert "на согласовании" in response.json()["detail"]


def test_school_coordinator_creates_a_draft_plan_for_its_school(api, world):
    response = api("school").post(
        reverse("api:roadmap-list"),
        {
            "owner": world.school.pk,
            "title": "План мероприятий МБОУ «Гатчинская СОШ № 1» на 2025 год",
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    roadmap = Roadmap.objects.get(pk=response.json()["id"])
    assert (roadmap.status, roadmap.owner, roadmap.created_by) == (
        "draft",
        world.school,
        world.school_user,
    )
    assert roadmap.events.get().action == RoadmapEvent.Action.CREATED


def test_viewer_cannot_create_a_plan(api, world):
    response = api("viewer").post(
        reverse("api:roadmap-list"),
        {
            "owner": world.school.pk,
            "title": "x",
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
        },
        format="json",
    )
    assert response.status_code == 403
    assert not Roadmap.objects.exists()


def test_a_plan_for_an_owner_outside_the_scope_is_refused_as_invalid(api, world):
    response = api("outsider").post(
        reverse("api:roadmap-list"),
        {
            "owner": world.school.pk,
            "title": "x",
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "owner" in response.json()


def test_a_period_must_not_end_before_it_starts(api, plans):
    response = api("school").patch(
        _plan_url(plans.school),
        {"period_start": "2024-06-01", "period_end": "2024-01-31"},
        format="json",
    )
    assert response.status_code == 400
    assert "period_end" in response.json()


def test_changing_the_period_reads_the_deadlines_again(api, plans):
    section = plans.school.sections.get()
    item = make_item(section)
    client = api("school")
    client.patch(
        reverse("api:roadmap-item-detail", args=[plans.school.pk, item.pk]),
        {"deadline_text": "май"},
        format="json",
    )
    item.refresh_from_db()
    assert item.deadline_end == datetime.date(2024, 5, 31)

    response = client.patch(
        _plan_url(plans.school),
        {"period_start": "2025-01-01", "period_end": "2025-12-31"},
        format="json",
    )
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.deadline_end == datetime.date(2025, 5, 31)


def test_a_stale_lock_version_is_a_conflict_and_changes_nothing(api, plans):
    client = api("school")
    loaded = client.get(_plan_url(plans.school)).json()["lock_version"]
    client.patch(_plan_url(plans.school), {"title": "Первая правка"}, format="json")
    response = client.patch(
        _plan_url(plans.school), {"title": "Вторая правка", "lock_version": loaded}, format="json"
    )
    assert response.status_code == 409
    plans.school.refresh_from_db()
    assert plans.school.title == "Первая правка"


def test_a_draft_plan_can_be_deleted_but_an_approved_one_cannot(api, plans):
    client = api("operator")
    assert client.delete(_plan_url(plans.school)).status_code == 204
    assert not Roadmap.objects.filter(pk=plans.school.pk).exists()
    assert client.delete(_plan_url(plans.sibling)).status_code == 403
    assert api("viewer").delete(_plan_url(plans.municipal)).status_code == 403
    assert api("outsider").delete(_plan_url(plans.municipal)).status_code == 404


# The approval workflow


def test_school_submits_its_plan_and_the_municipality_approves_it(api, plans):
    submitted = api("school").post(_plan_url(plans.school, "api:roadmap-submit"))
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "review"
    assert submitted.json()["can_edit"] is False

    approved = api("municipal").post(
        _plan_url(plans.school, "api:roadmap-approve"),
        {
            "kind": "приказ",
            "number": "15-о",
            "date": "2024-02-01",
            "name": "Иванова А.А.",
            "position": "председатель комитета",
        },
        format="json",
    )
    assert approved.status_code == 200, approved.content
    data = approved.json()
    assert (data["status"], data["approval_number"], data["approved_by_name"]) == (
        "approved",
        "15-о",
        "Иванова А.А.",
    )
    assert [e["action"] for e in data["events"]] == ["submitted", "approved"]


def test_school_cannot_approve_its_own_plan(api, plans):
    plans.school.submit(by=None)
    response = api("school").post(
        _plan_url(plans.school, "api:roadmap-approve"),
        {"kind": "приказ", "number": "1", "date": "2024-02-01", "name": "И.", "position": "д."},
        format="json",
    )
    assert response.status_code == 403
    assert "уровень выше" in response.json()["detail"]


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 401), ("viewer", 403), ("outsider", 404), ("school", 200)],
)
def test_submitting_a_plan_needs_the_right_to_write_for_its_owner(role, status, api, plans):
    assert api(role).post(_plan_url(plans.school, "api:roadmap-submit")).status_code == status


def test_approving_a_draft_is_a_conflict_that_says_why(api, plans):
    response = api("municipal").post(
        _plan_url(plans.school, "api:roadmap-approve"),
        {"kind": "приказ", "number": "1", "date": "2024-02-01", "name": "И.", "position": "д."},
        format="json",
    )
    assert response.status_code == 409
    assert "только план на согласовании" in response.json()["detail"]


def test_approval_needs_the_document_details(api, plans):
    plans.school.submit(by=None)
    response = api("municipal").post(
        _plan_url(plans.school, "api:roadmap-approve"), {"kind": "приказ"}, format="json"
    )
    assert response.status_code == 400
    assert {"number", "date", "name", "position"} <= response.json().keys()


def test_reviewer_returns_a_plan_with_a_comment(api, plans):
    url = _plan_url(plans.other, "api:roadmap-return")
    assert api("operator").post(url, {}, format="json").status_code == 400
    response = api("operator").post(url, {"comment": "Уточните сроки в разделе 1."}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "returned"
    assert response.json()["events"][-1]["comment"] == "Уточните сроки в разделе 1."
    assert api("viewer").post(url, {"comment": "x"}, format="json").status_code == 403


def test_revising_an_approved_plan_creates_a_new_draft_version_once(api, plans):
    url = _plan_url(plans.sibling, "api:roadmap-revise")
    response = api("municipal").post(url)
    assert response.status_code == 201, response.content
    new = response.json()
    assert (new["version"], new["status"], new["previous_version"]) == (
        2,
        "draft",
        plans.sibling.pk,
    )
    assert len(new["sections"][0]["items"]) == 2
    again = api("municipal").post(url)
    assert again.status_code == 409
    assert "уже создана" in again.json()["detail"]


# Sections


def _sections_url(roadmap):
    return reverse("api:roadmap-section-list", args=[roadmap.pk])


def test_coordinator_adds_sections_and_subsections_numbered_in_order(api, plans):
    client = api("school")
    url = _sections_url(plans.school)
    second = client.post(url, {"title": "Научно-методическое сопровождение"}, format="json")
    assert second.status_code == 201, second.content
    assert second.json()["number"] == "2"
    sub = client.post(url, {"title": "Семинары", "parent": second.json()["id"]}, format="json")
    assert sub.json()["number"] == "2.1"
    third = client.post(url, {"title": "Мониторинг"}, format="json")
    listed = [(s["number"], s["parent"]) for s in _results(client.get(url))]
    assert listed == [("1", None), ("2", None), ("2.1", second.json()["id"]), ("3", None)]
    assert third.json()["position"] > sub.json()["position"]


def test_renumbering_a_section_carries_into_its_items(api, plans):
    section = plans.school.sections.get()
    response = api("school").patch(
        reverse("api:roadmap-section-detail", args=[plans.school.pk, section.pk]),
        {"number": "2"},
        format="json",
    )
    assert response.status_code == 200
    assert sorted(plans.school.items.values_list("number", flat=True)) == ["2.1", "2.2"]


def test_deleting_a_section_moves_the_following_ones_up(api, plans):
    first = plans.school.sections.get()
    second = make_section(plans.school, number="2", title="Второй")
    make_item(second)
    response = api("school").delete(
        reverse("api:roadmap-section-detail", args=[plans.school.pk, first.pk])
    )
    assert response.status_code == 204
    second.refresh_from_db()
    assert second.number == "1"
    assert list(plans.school.items.values_list("number", flat=True)) == ["1.1"]


def test_a_section_parent_must_belong_to_the_same_plan(api, plans):
    foreign_section = plans.municipal.sections.get()
    response = api("operator").post(
        _sections_url(plans.school), {"title": "x", "parent": foreign_section.pk}, format="json"
    )
    assert response.status_code == 400
    assert "parent" in response.json()


@pytest.mark.parametrize(
    ("role", "plan", "status"),
    [
        ("viewer", "school", 403),
        ("outsider", "school", 404),
        ("school", "sibling", 404),
        ("municipal", "sibling", 403),
        ("school", "regional", 403),
        ("anonymous", "school", 401),
    ],
)
def test_sections_are_written_only_in_editable_plans_of_ones_own(role, plan, status, api, plans):
    roadmap = getattr(plans, plan)
    client = api(role)
    assert client.post(_sections_url(roadmap), {"title": "x"}, format="json").status_code == status
    section = roadmap.sections.get()
    url = reverse("api:roadmap-section-detail", args=[roadmap.pk, section.pk])
    assert client.patch(url, {"title": "x"}, format="json").status_code == status
    assert client.delete(url).status_code == status
    assert roadmap.sections.get().title != "x"


# Items of a plan


def _items_url(roadmap):
    return reverse("api:roadmap-item-list", args=[roadmap.pk])


def test_coordinator_adds_an_item_with_a_parsed_deadline_and_its_responsible(api, plans, world):
    section = plans.school.sections.get()
    response = api("school").post(
        _items_url(plans.school),
        {
            "section": section.pk,
            "title": "Участие в региональном семинаре по функциональной грамотности",
            "deadline_text": "до 15 октября 2024",
            "responsible": ["Заместитель директора по УВР", world.school.short_name],
            "result": "Сертификаты участников",
            "directions": ["znanie"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["number"] == "1.3"
    assert (data["deadline_kind"], data["deadline_start"], data["deadline_end"]) == (
        "until",
        None,
        "2024-10-15",
    )
    assert data["responsible"] == ["Заместитель директора по УВР", world.school.short_name]
    assert data["status"] == "not_started"
    party = plans.school.parties.get(name=world.school.short_name)
    assert party.organization == world.school
    item = Item.objects.get(pk=data["id"])
    assert item.responsible_text == f"Заместитель директора по УВР, {world.school.short_name}"


def test_responsible_names_reuse_the_plans_parties_whatever_the_case(api, plans):
    party = make_party(plans.school, "ИМЦ")
    item = plans.school.items.first()
    response = api("school").patch(
        reverse("api:roadmap-item-detail", args=[plans.school.pk, item.pk]),
        {"responsible": ["имц"]},
        format="json",
    )
    assert response.json()["responsible"] == ["ИМЦ"]
    assert list(plans.school.parties.all()) == [party]


def test_an_item_section_must_belong_to_the_same_plan(api, plans):
    response = api("operator").post(
        _items_url(plans.school),
        {"section": plans.municipal.sections.get().pk, "title": "x"},
        format="json",
    )
    assert response.status_code == 400
    assert "section" in response.json()


def test_item_status_changes_through_reports_not_through_edits(api, plans):
    item = plans.school.items.first()
    response = api("school").patch(
        reverse("api:roadmap-item-detail", args=[plans.school.pk, item.pk]),
        {"status": "done", "title": "Новая формулировка"},
        format="json",
    )
    assert response.status_code == 200
    item.refresh_from_db()
    assert (item.status, item.title) == ("not_started", "Новая формулировка")


def test_a_stale_item_lock_version_is_a_conflict(api, plans):
    item = plans.school.items.first()
    url = reverse("api:roadmap-item-detail", args=[plans.school.pk, item.pk])
    client = api("school")
    loaded = client.get(url).json()["lock_version"]
    assert client.patch(url, {"title": "Первая"}, format="json").status_code == 200
    response = client.patch(url, {"title": "Вторая", "lock_version": loaded}, format="json")
    assert response.status_code == 409
    item.refresh_from_db()
    assert item.title == "Первая"


def test_deleting_an_item_moves_the_following_ones_up(api, plans):
    first, second = plans.school.items.order_by("position")
    response = api("school").delete(
        reverse("api:roadmap-item-detail", args=[plans.school.pk, first.pk])
    )
    assert response.status_code == 204
    second.refresh_from_db()
    assert second.number == "1.1"


@pytest.mark.parametrize(
    ("role", "plan", "status"),
    [
        ("viewer", "school", 403),
        ("outsider", "school", 404),
        ("municipal", "sibling", 403),
        ("operator", "other", 403),
        ("school", "regional", 403),
        ("anonymous", "school", 401),
    ],
)
def test_items_are_written_only_in_editable_plans_of_ones_own(role, plan, status, api, plans):
    roadmap = getattr(plans, plan)
    client = api(role)
    section = roadmap.sections.get()
    created = client.post(_items_url(roadmap), {"section": section.pk, "title": "x"}, format="json")
    assert created.status_code == status
    item = roadmap.items.first()
    url = reverse("api:roadmap-item-detail", args=[roadmap.pk, item.pk])
    assert client.patch(url, {"title": "x"}, format="json").status_code == status
    assert client.delete(url).status_code == status
    assert roadmap.items.count() == 2
    assert not roadmap.items.filter(title="x").exists()


def test_the_answer_to_editing_an_approved_plans_item_says_why(api, plans):
    item = plans.sibling.items.first()
    response = api("municipal").patch(
        reverse("api:roadmap-item-detail", args=[plans.sibling.pk, item.pk]),
        {"title": "x"},
        format="json",
    )
    assert "Чтобы внести изменения, создайте новую версию" in response.json()["detail"]


def test_the_items_across_plans_are_read_only(api, plans):
    item = plans.school.items.first()
    url = reverse("api:item-detail", args=[item.pk])
    assert api("school").patch(url, {"title": "x"}, format="json").status_code == 405


# Execution reports


def _reports_url(item):
    return reverse("api:item-report-list", args=[item.pk])


def test_school_reports_execution_and_the_item_status_follows(api, plans, world):
    item = plans.school.items.first()
    response = api("school").post(
        _reports_url(item),
        {
            "status": "done",
            "date": "2024-03-01",
            "comment": "Семинар проведён, 25 участников",
            "evidence_url": "https://school1.gtn.ru/news/seminar",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["author"] == "school"
    item.refresh_from_db()
    assert item.status == "done"
    listed = _results(api("operator").get(_reports_url(item)))
    assert [r["comment"] for r in listed] == ["Семинар проведён, 25 участников"]


def test_an_earlier_dated_report_does_not_override_a_newer_status(api, plans):
    item = plans.school.items.first()
    client = api("school")
    client.post(_reports_url(item), {"status": "in_progress", "date": "2024-05-01"}, format="json")
    client.post(_reports_url(item), {"status": "done", "date": "2024-03-01"}, format="json")
    item.refresh_from_db()
    assert item.status == "in_progress"


def test_a_report_cannot_be_dated_in_the_future(api, plans):
    item = plans.school.items.first()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = api("school").post(
        _reports_url(item), {"status": "done", "date": tomorrow.isoformat()}, format="json"
    )
    assert response.status_code == 400
    assert "будущим" in response.json()["date"][0]


def test_evidence_file_is_uploaded_and_downloaded_through_the_api(api, plans):
    item = plans.school.items.first()
    pdf = SimpleUploadedFile("protocol.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = api("school").post(
        _reports_url(item), {"status": "done", "evidence_file": pdf}, format="multipart"
    )
    assert response.status_code == 201, response.content
    (evidence,) = response.json()["evidence_files"]
    assert (evidence["name"], evidence["size"]) == ("protocol.pdf", len(b"%PDF-1.4 test"))
    url = evidence["url"]
    download = api("operator").get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 test"
    assert api("outsider").get(url).status_code == 404


def test_evidence_file_that_is_not_a_document_is_refused(api, plans):
    item = plans.school.items.first()
    fake = SimpleUploadedFile("protocol.pdf", b"MZ executable", content_type="application/pdf")
    response = api("school").post(
        _reports_url(item), {"status": "done", "evidence_file": fake}, format="multipart"
    )
    assert response.status_code == 400
    assert "не похоже на PDF" in response.json()["files"][0]
    assert not ExecutionReport.objects.exists()


@pytest.mark.parametrize(
    ("role", "plan", "status"),
    [
        ("anonymous", "school", 401),
        ("viewer", "school", 403),
        ("outsider", "school", 404),
        # The school implements the regional plan but reports only on its own.
        ("school", "regional", 403),
        ("municipal", "sibling", 201),
    ],
)
def test_execution_is_reported_by_those_who_write_for_the_owner(role, plan, status, api, plans):
    item = getattr(plans, plan).items.first()
    response = api(role).post(_reports_url(item), {"status": "in_progress"}, format="json")
    assert response.status_code == status


def test_an_archived_plan_takes_no_reports(api, plans):
    Roadmap.objects.filter(pk=plans.sibling.pk).update(status="archived")
    item = plans.sibling.items.first()
    response = api("municipal").post(_reports_url(item), {"status": "done"}, format="json")
    assert response.status_code == 403
    assert "архив" in response.json()["detail"]


# Query counts: a list costs the same whatever its page size.


def _many(plans, world, n=60):
    section = plans.school.sections.get()
    party = make_party(plans.school, "ОО")
    for _ in range(n):
        item = make_item(section)
        add_responsible(item, party)
        item.directions.set(Direction.objects.filter(code="znanie"))
        ExecutionReport.objects.create(item=plans.school.items.first(), status="in_progress")
        make_section(plans.school)
        make_roadmap(world.school)


LISTS = {
    "api:roadmap-list": lambda plans: [],
    "api:item-list": lambda plans: [],
    "api:roadmap-item-list": lambda plans: [plans.school.pk],
    "api:roadmap-section-list": lambda plans: [plans.school.pk],
    "api:item-report-list": lambda plans: [plans.school.items.first().pk],
    "api:direction-list": lambda plans: [],
}


@pytest.mark.parametrize("name", LISTS)
def test_list_queries_do_not_grow_with_the_page_size(
    name, api, plans, world, django_assert_max_num_queries
):
    _many(plans, world)
    client = api("municipal")
    url = reverse(name, args=LISTS[name](plans))
    with CaptureQueriesContext(connection) as small:
        assert client.get(url, {"page_size": 5}).status_code == 200
    with django_assert_max_num_queries(len(small)):
        response = client.get(url, {"page_size": 50})
    assert response.status_code == 200


def test_plan_detail_queries_do_not_grow_with_its_items(
    api, plans, world, django_assert_max_num_queries
):
    client = api("school")
    with CaptureQueriesContext(connection) as small:
        assert client.get(_plan_url(plans.school)).status_code == 200
    _many(plans, world)
    with django_assert_max_num_queries(len(small)):
        assert client.get(_plan_url(plans.school)).status_code == 200


# The plan's documents through the API


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 401),
        ("operator", 200),
        ("municipal", 200),
        ("school", 200),
        ("viewer", 200),
        ("outsider", 404),
        ("superuser", 200),
    ],
)
def test_a_plans_pdf_downloads_for_those_who_see_the_plan(role, status, api, plans):
    response = api(role).get(reverse("api:roadmap-pdf", args=[plans.school.pk]))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response.getvalue().startswith(b"%PDF")
        assert f"roadmap-{plans.school.pk}-v1.pdf" in response["Content-Disposition"]


def test_a_plans_xlsx_holds_its_items_and_is_refused_outside_the_scope(api, plans):
    from io import BytesIO

    from openpyxl import load_workbook

    response = api("school").get(
        reverse("api:roadmap-xlsx", args=[plans.school.pk]), HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.getvalue())).active
    text = "\n".join(str(cell) for row in sheet.iter_rows(values_only=True) for cell in row)
    for item in plans.school.items.all():
        assert item.title in text
    assert api("school").get(reverse("api:roadmap-xlsx", args=[plans.sibling.pk])).status_code == (
        404
    )


def test_items_across_plans_come_plan_by_plan_in_a_stable_order(api, plans):
    rows = _results(api("operator").get(reverse("api:item-list")))
    keys = [(row["roadmap"], row["id"]) for row in rows]
    assert keys == sorted(keys)
    assert len({row["roadmap"] for row in rows}) == 5


def test_a_plan_outside_the_scope_is_a_404_that_speaks_russian(api, plans):
    response = api("school").get(_plan_url(plans.sibling))
    assert response.status_code == 404
    assert response.json()["detail"] == "Не найдено или недоступно."
    items = reverse("api:roadmap-item-list", args=[plans.foreign.pk])
    assert api("school").get(items).json()["detail"] == "Не найдено или недоступно."


# Importing a plan's document through the API

FIXTURES = Path(__file__).parent / "fixtures" / "roadmaps"


def _upload(name):
    return SimpleUploadedFile(name, (FIXTURES / name).read_bytes())


def test_a_coordinator_imports_a_plans_document_whole(api, world):
    expected = parse_document(FIXTURES / "spb-kirovsky-2024.docx", filename="x.docx")
    response = api("municipal").post(
        reverse("api:roadmap-import"),
        {"file": _upload("spb-kirovsky-2024.docx"), "owner": world.omsu.pk},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    roadmap = Roadmap.objects.get(pk=response.json()["id"])
    assert roadmap.owner == world.omsu
    assert roadmap.status == "draft"
    assert roadmap.items.count() == len(list(expected.all_items())) == 20
    assert (roadmap.period_start, roadmap.period_end) == (
        datetime.date(2024, 1, 1),
        datetime.date(2024, 12, 31),
    )
    first = roadmap.items.order_by("section__position", "position").first()
    assert (first.deadline_start, first.deadline_end) == (
        datetime.date(2024, 2, 1),
        datetime.date(2024, 3, 31),
    )
    assert roadmap.events.filter(action="imported").exists()


def test_a_dry_run_shows_the_plan_and_saves_nothing(api, world):
    response = api("municipal").post(
        reverse("api:roadmap-import"),
        {"file": _upload("school-plan-2023-2024.xlsx"), "owner": world.school.pk, "dry_run": True},
        format="multipart",
    )
    assert response.status_code == 200, response.content
    preview = response.json()
    expected = parse_document(FIXTURES / "school-plan-2023-2024.xlsx", filename="x.xlsx")
    assert preview["item_count"] == len(list(expected.all_items())) > 0
    assert preview["period_start"] == str(expected.deadline_period().start)
    assert not Roadmap.objects.exists()


@pytest.mark.parametrize(
    ("role", "owner", "status"),
    [
        ("viewer", "omsu", 403),
        ("school", "omsu", 400),  # not among the organizations it sees
        ("school", "sibling_school", 400),
        ("outsider", "school", 400),
        ("anonymous", "omsu", 401),
    ],
)
def test_importing_for_someone_else_is_refused_and_saves_nothing(role, owner, status, api, world):
    response = api(role).post(
        reverse("api:roadmap-import"),
        {"file": _upload("spb-kirovsky-2024.txt"), "owner": getattr(world, owner).pk},
        format="multipart",
    )
    assert response.status_code == status, response.content
    assert not Roadmap.objects.exists()


def test_a_document_that_cannot_be_read_is_a_russian_error_and_saves_nothing(api, world):
    client = api("municipal")
    response = client.post(
        reverse("api:roadmap-import"),
        {"file": _upload("encrypted.docx"), "owner": world.omsu.pk},
        format="multipart",
    )
    assert response.status_code == 400
    assert re.search("[а-яё]", response.json()["file"][0], re.I)
    response = client.post(
        reverse("api:roadmap-import"),
        {"file": SimpleUploadedFile("plan.rtf", b"{\\rtf1}"), "owner": world.omsu.pk},
        format="multipart",
    )
    assert response.status_code == 400
    assert "Поддерживаются" in response.json()["file"][0]
    response = client.post(
        reverse("api:roadmap-import"),
        {"file": SimpleUploadedFile("plan.pdf", b"%PDF-1.4"), "owner": world.omsu.pk},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["file"][0] == "Файл повреждён или не является документом PDF."
    assert not Roadmap.objects.exists()


def test_items_and_sections_move_as_with_the_editors_arrows(api, plans):
    client = api("school")
    first, second = plans.school.items.order_by("position", "pk")
    url = reverse("api:roadmap-item-move", args=[plans.school.pk, first.pk])
    response = client.post(url, {"direction": "down"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["moved"] is True
    first.refresh_from_db(), second.refresh_from_db()
    assert list(plans.school.items.order_by("position", "pk")) == [second, first]
    assert (second.number, first.number) == ("1.1", "1.2")
    again = client.post(url, {"direction": "down"}, format="json")
    assert again.json()["moved"] is False
    section = make_section(plans.school, title="Второй раздел")
    up = client.post(
        reverse("api:roadmap-section-move", args=[plans.school.pk, section.pk]),
        {"direction": "up"},
        format="json",
    )
    assert up.status_code == 200, up.content
    assert plans.school.sections.order_by("position").first() == section


@pytest.mark.parametrize(
    ("role", "plan", "status"),
    [("viewer", "school", 403), ("school", "sibling", 404), ("operator", "regional", 403)],
)
def test_moving_needs_the_right_to_edit_the_plan(role, plan, status, api, plans):
    roadmap = getattr(plans, plan)
    item = roadmap.items.order_by("position").first()
    before = list(roadmap.items.order_by("position").values_list("pk", flat=True))
    response = api(role).post(
        reverse("api:roadmap-item-move", args=[roadmap.pk, item.pk]),
        {"direction": "down"},
        format="json",
    )
    assert response.status_code == status
    assert list(roadmap.items.order_by("position").values_list("pk", flat=True)) == before


def test_a_move_needs_a_direction(api, plans):
    item = plans.school.items.first()
    response = api("school").post(
        reverse("api:roadmap-item-move", args=[plans.school.pk, item.pk]),
        {"direction": "left"},
        format="json",
    )
    assert response.status_code == 400
    assert "direction" in response.json()


def test_two_versions_compare_field_by_field(api, plans):
    client = api("municipal")
    new = client.post(_plan_url(plans.sibling, "api:roadmap-revise")).json()
    first = min(
        (item for section in new["sections"] for item in section["items"]),
        key=lambda item: item["id"],
    )
    edit = client.patch(
        reverse("api:roadmap-item-detail", args=[new["id"], first["id"]]),
        {"title": "Новое наименование мероприятия", "lock_version": first["lock_version"]},
        format="json",
    )
    assert edit.status_code == 200, edit.content
    response = client.get(reverse("api:roadmap-compare", args=[new["id"]]))
    assert response.status_code == 200, response.content
    diff = response.json()
    assert (diff["old"]["id"], diff["new"]["id"]) == (plans.sibling.pk, new["id"])
    assert (diff["items_changed"], diff["items_added"], diff["items_removed"]) == (1, 0, 0)
    [changed] = diff["items"]
    [title] = [f for f in changed["fields"] if f["name"] == "title"]
    assert title["old"] == first["title"]
    assert title["new"] == "Новое наименование мероприятия"
    # Versions of another plan, or a plan out of sight, are not versions of this one.
    other = client.get(reverse("api:roadmap-compare", args=[new["id"]]), {"old": plans.school.pk})
    assert other.status_code == 404
    assert api("school").get(reverse("api:roadmap-compare", args=[new["id"]])).status_code == 404


def test_a_municipality_builds_its_plan_on_the_regional_one(api, plans, world):
    response = api("municipal").post(
        reverse("api:roadmap-from-template"),
        {
            "source": plans.regional.pk,
            "owner": world.omsu.pk,
            "title": "План Гатчинского района на 2025 год",
            "period": "2025",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    roadmap = Roadmap.objects.get(pk=response.json()["id"])
    assert (roadmap.owner, roadmap.status, roadmap.implements) == (
        world.omsu,
        "draft",
        plans.regional,
    )
    copies = list(roadmap.items.order_by("position"))
    assert len(copies) == plans.regional.items.count() == 2
    assert {item.source_item.roadmap_id for item in copies} == {plans.regional.pk}


@pytest.mark.parametrize(
    ("role", "source", "owner", "status"),
    [
        ("viewer", "regional", "omsu", 403),
        ("municipal", "sibling", "school", 400),  # a school's plan is nobody's template
        ("school", "regional", "omsu", 400),  # the office is not the school's to write for
        ("municipal", "municipal", "omsu", 400),  # a draft, and not above the office
    ],
)
def test_a_plan_on_a_template_is_refused_when_the_rules_say_no(
    role, source, owner, status, api, plans, world
):
    before = Roadmap.objects.count()
    response = api(role).post(
        reverse("api:roadmap-from-template"),
        {
            "source": getattr(plans, source).pk,
            "owner": getattr(world, owner).pk,
            "title": "План",
            "period": "2025",
        },
        format="json",
    )
    assert response.status_code == status, response.content
    assert Roadmap.objects.count() == before
