"""Ways in and what the forms propose: the user's own organization as a new plan's owner, the
import button and its file types, a plan from a template pre-filled from its source, buttons
only where the action is allowed."""

import re

import pytest
from django.urls import reverse

from orgs.models import Membership
from roadmaps import editing
from roadmaps.importers import ACCEPTED
from roadmaps.models import Roadmap
from tests.factories import (
    make_item,
    make_member,
    make_party,
    make_roadmap,
    make_section,
    make_small_plan,
)

APPROVED = Roadmap.Status.APPROVED


def selected_option(html: str, name: str) -> str | None:
    """The value of the selected option of the select `name` ("" for the empty choice)."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select {name}"
    chosen = re.search(r'<option value="([^"]*)"[^>]*\sselected>', select[1])
    return chosen[1] if chosen else None


def first_option(html: str, name: str) -> str:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    return re.search(r'<option value="([^"]*)"', select[1])[1]


def owner_shown(client, url) -> str:
    """The owner a browser would submit: the selected option, or the first one."""
    html = client.get(url).content.decode()
    return selected_option(html, "owner") or first_option(html, "owner")


# The owner a new plan gets


@pytest.mark.parametrize("url_name", ["roadmaps:roadmap-create", "roadmaps:import"])
def test_the_operator_creates_and_imports_for_the_institute_not_the_committee(
    world, client_for, url_name
):
    # The committee (КОиПО) comes first in the list; the operator works at the institute.
    client = client_for(world.operator)
    response = client.get(reverse(url_name))
    owners = list(response.context["form"].fields["owner"].queryset)
    assert owners.index(world.ministry) < owners.index(world.institute)
    assert selected_option(response.content.decode(), "owner") == str(world.institute.pk)


@pytest.mark.parametrize("url_name", ["roadmaps:roadmap-create", "roadmaps:import"])
def test_coordinators_are_offered_their_own_body_first(world, client_for, url_name):
    assert owner_shown(client_for(world.municipal), reverse(url_name)) == str(world.omsu.pk)
    assert owner_shown(client_for(world.school_user), reverse(url_name)) == str(world.school.pk)


def test_a_user_of_two_bodies_is_offered_the_first_they_joined(world, client_for):
    user = make_member(world.institute, Membership.Role.REGIONAL_OPERATOR, "twice")
    Membership.objects.create(
        user=user, organization=world.ministry, role=Membership.Role.REGIONAL_OPERATOR
    )
    assert owner_shown(client_for(user), reverse("roadmaps:roadmap-create")) == str(
        world.institute.pk
    )


def test_a_superuser_chooses_the_owner_consciously(superuser, world, client_for):
    html = client_for(superuser).get(reverse("roadmaps:roadmap-create")).content.decode()
    assert selected_option(html, "owner") == first_option(html, "owner") == ""
    assert "— выберите организацию —" in html
    response = client_for(superuser).post(
        reverse("roadmaps:roadmap-create"),
        {"owner": "", "title": "Без владельца", "period": "2025"},
    )
    assert response.status_code == 200
    assert "Обязательное поле." in response.content.decode()
    assert "Без владельца" in response.content.decode()
    assert not Roadmap.objects.filter(title="Без владельца").exists()


def test_the_proposed_owner_is_only_a_proposal(world, client_for):
    client_for(world.operator).post(
        reverse("roadmaps:roadmap-create"),
        {"owner": world.ministry.pk, "title": "План комитета", "period": "2025"},
    )
    assert Roadmap.objects.get(title="План комитета").owner == world.ministry


# «Загрузить план»


def test_the_list_has_an_import_button_for_those_who_may_create(world, client_for):
    html = client_for(world.municipal).get(reverse("roadmaps:roadmap-list")).content.decode()
    assert re.search(
        rf'<a class="button" href="{reverse("roadmaps:import")}">Загрузить план</a>', html
    )
    assert "Создать план</a>" in html


def test_a_viewer_sees_neither_create_nor_import_on_the_list(world, client_for):
    html = client_for(world.viewer).get(reverse("roadmaps:roadmap-list")).content.decode()
    assert "Загрузить план" not in html
    assert "Создать план" not in html


def test_the_import_file_input_accepts_only_what_the_importer_reads(world, client_for):
    html = client_for(world.municipal).get(reverse("roadmaps:import")).content.decode()
    accept = re.search(r'<input type="file" name="file"[^>]*accept="([^"]*)"', html)[1]
    assert accept.split(",") == list(ACCEPTED)
    assert set(accept.split(",")) == {
        ".docx",
        ".xlsx",
        ".pdf",
        ".odt",
        ".ods",
        ".txt",
        ".md",
        ".tsv",
    }


# A plan from a template


@pytest.fixture
def regional(world):
    plan = make_small_plan(
        world.institute,
        status=APPROVED,
        title="План мероприятий («дорожная карта») Ленинградской области на 2024/2025 учебный год",
        period_start="2024-09-01",
        period_end="2025-08-31",
    )
    return plan


def test_a_plan_from_a_template_is_prefilled_from_its_source(world, regional, client_for):
    url = reverse("roadmaps:roadmap-from-template") + f"?source={regional.pk}"
    response = client_for(world.municipal).get(url)
    form = response.context["form"]
    assert form["title"].value() == regional.title
    assert form["period"].value() == "2024/2025"
    assert selected_option(response.content.decode(), "owner") == str(world.omsu.pk)


def test_a_school_builds_on_a_template_for_its_own_school(world, regional, client_for):
    url = reverse("roadmaps:roadmap-from-template") + f"?source={regional.pk}"
    html = client_for(world.school_user).get(url).content.decode()
    assert selected_option(html, "owner") == str(world.school.pk)


def test_the_operator_picks_the_body_a_template_plan_is_for(world, regional, client_for):
    # The institute's own plan is regional: no own body below it to propose.
    url = reverse("roadmaps:roadmap-from-template") + f"?source={regional.pk}"
    html = client_for(world.operator).get(url).content.decode()
    assert selected_option(html, "owner") == first_option(html, "owner") == ""


# Buttons only where the action is allowed


def plan_page(client, plan) -> str:
    return client.get(reverse("roadmaps:roadmap-detail", args=[plan.pk])).content.decode()


def test_a_viewer_is_not_offered_to_build_on_a_plan(world, regional, client_for):
    html = plan_page(client_for(world.viewer), regional)
    assert "Создать план на основе" not in html
    assert (
        client_for(world.viewer).get(reverse("roadmaps:roadmap-from-template")).status_code == 403
    )


@pytest.mark.parametrize("role", ["operator", "municipal", "school_user"])
def test_writers_below_an_approved_plan_are_offered_to_build_on_it(
    world, regional, client_for, role
):
    html = plan_page(client_for(getattr(world, role)), regional)
    assert f"?source={regional.pk}" in html


def test_nobody_is_offered_to_build_on_a_school_plan(world, client_for):
    school_plan = make_small_plan(world.school, status=APPROVED)
    for user in (world.school_user, world.municipal, world.operator):
        assert "Создать план на основе" not in plan_page(client_for(user), school_plan)


def test_a_district_plan_is_a_template_for_its_schools_only(world, client_for):
    district = make_small_plan(world.omsu, status=APPROVED)
    assert "Создать план на основе" in plan_page(client_for(world.school_user), district)
    # The district's own coordinator writes for its schools too: offered.
    assert "Создать план на основе" in plan_page(client_for(world.municipal), district)
    # A school of another district does not even see it.
    luga_user = make_member(world.other_school, Membership.Role.SCHOOL_COORDINATOR, "luga")
    url = reverse("roadmaps:roadmap-detail", args=[district.pk])
    assert client_for(luga_user).get(url).status_code == 404


def test_a_draft_is_not_offered_as_a_template(world, client_for):
    draft = make_small_plan(world.institute)
    assert "Создать план на основе" not in plan_page(client_for(world.operator), draft)


def test_the_glossary_links_only_organizations_the_user_may_open(world, client_for):
    plan = make_roadmap(world.institute, status=APPROVED)
    make_party(plan, "ЛОИРО", organization=world.institute)
    make_party(plan, "Гатчинская СОШ № 1", organization=world.school)
    url = reverse("roadmaps:glossary", args=[plan.pk])
    html = client_for(world.school_user).get(url).content.decode()
    institute_url = reverse("orgs:organization-detail", args=[world.institute.pk])
    assert institute_url not in html
    assert "ГАОУ ДПО «ЛОИРО»" in html  # named, not linked
    assert reverse("orgs:organization-detail", args=[world.school.pk]) in html
    assert client_for(world.school_user).get(institute_url).status_code == 404
    operator_html = client_for(world.operator).get(url).content.decode()
    assert institute_url in operator_html


# The number a new item is offered


def numbered_plan(owner):
    """A draft like an imported one: section 2 has an unnumbered item after «2.1», and a
    subsection «2.2» with its own items."""
    plan = make_roadmap(owner)
    second = make_section(plan, number="2", title="Методическое сопровождение")
    for number, title in (("", "Вводное совещание"), ("2.1", "Семинар"), ("", "Консультации")):
        make_item(second, number=number, title=title)
    sub = make_section(plan, number="2.2", title="Конкурсы", parent=second)
    make_item(sub, number="2.2.1", title="Конкурс педагогов")
    return plan, second, sub


def test_the_offered_number_is_free_after_unnumbered_items(world):
    _plan, second, sub = numbered_plan(world.omsu)
    # After «2.1» comes «2.2», but that is the subsection's number: «2.3».
    assert editing.next_item_number(second) == "2.3"
    assert editing.next_item_number(sub) == "2.2.2"


def test_an_empty_section_beside_its_subsections_offers_a_free_number(world):
    plan = make_roadmap(world.omsu)
    parent = make_section(plan, number="2.", title="Раздел")
    make_section(plan, number="2.1.", title="Подраздел", parent=parent)
    assert editing.next_item_number(parent) == "2.2"


def test_local_numbering_per_section_is_kept(world):
    plan = make_roadmap(world.omsu)
    first = make_section(plan, number="1", title="Первый")
    second = make_section(plan, number="2", title="Второй")
    for number in ("1", "2", "3"):
        make_item(first, number=number, title=f"Первый {number}")
    make_item(second, number="1", title="Второй 1")
    # «2» is the second section's number and the first section's item «2»: in this plan's
    # style each section counts its own items, so «2» is free here.
    assert editing.next_item_number(second) == "2"
    assert editing.next_item_number(first) == "4"


def test_the_add_form_proposes_the_free_number_and_focuses_the_title(world, client_for):
    _plan, second, _ = numbered_plan(world.omsu)
    response = client_for(world.municipal).get(reverse("roadmaps:item-add", args=[second.pk]))
    form = response.context["form"]
    assert form["number"].value() == "2.3"
    html = response.content.decode()
    title = re.search(r"<textarea[^>]*name=\"title\"[^>]*>", html)[0]
    assert "autofocus" in title
    assert "autofocus" not in re.search(r'<input[^>]*name="number"[^>]*>', html)[0]


def test_saving_a_number_the_plan_has_is_refused_keeping_what_was_typed(world, client_for):
    plan, second, _ = numbered_plan(world.omsu)
    before = plan.items.count()
    response = client_for(world.municipal).post(
        reverse("roadmaps:item-add", args=[second.pk]),
        {"number": "2.1", "title": "Круглый стол", "deadline_text": "май", "status": "not_started"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Номер «2.1» в плане уже есть. Свободный номер — «2.3»." in html
    assert "Круглый стол" in html
    assert plan.items.count() == before


def test_a_subsection_number_is_refused_for_an_item(world, client_for):
    plan, second, _ = numbered_plan(world.omsu)
    response = client_for(world.municipal).post(
        reverse("roadmaps:item-add", args=[second.pk]),
        {"number": "2.2.", "title": "Круглый стол", "deadline_text": "", "status": "not_started"},
    )
    assert "Номер «2.2.» в плане уже есть." in response.content.decode()
    assert not plan.items.filter(title="Круглый стол").exists()


def test_an_imported_repeated_number_does_not_block_editing_the_item(world, client_for):
    _plan, second, _ = numbered_plan(world.omsu)
    twin = make_item(second, number="2.1", title="Повтор из документа")
    response = client_for(world.municipal).post(
        reverse("roadmaps:item-edit", args=[twin.pk]),
        {
            "number": "2.1",
            "title": "Повтор из документа, исправленный",
            "deadline_text": "",
            "status": "not_started",
            "lock_version": twin.lock_version,
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    twin.refresh_from_db()
    assert twin.title == "Повтор из документа, исправленный"


def test_the_api_refuses_a_taken_number_in_the_same_words(world, api):
    plan, second, _ = numbered_plan(world.omsu)
    response = api("municipal").post(
        reverse("api:roadmap-item-list", args=[plan.pk]),
        {"section": second.pk, "number": "2.1", "title": "Круглый стол", "deadline_text": ""},
        format="json",
    )
    assert response.status_code == 400
    assert "Номер «2.1» в плане уже есть. Свободный номер — «2.3»." in str(response.json())
    created = api("municipal").post(
        reverse("api:roadmap-item-list", args=[plan.pk]),
        {"section": second.pk, "title": "Круглый стол", "deadline_text": ""},
        format="json",
    )
    assert created.status_code == 201
    assert created.json()["number"] == "2.3"


# Monitoring opens on something useful


def monitoring(client, **params):
    return client.get(reverse("roadmaps:monitoring"), params)


def test_monitoring_shows_a_districts_plans_in_any_status_while_none_is_approved(world, client_for):
    draft = make_small_plan(world.omsu, title="План Гатчинского МО (черновик)")
    on_review = make_small_plan(world.school, status="review", title="План СОШ № 1")
    response = monitoring(client_for(world.municipal))
    assert {plan.pk for plan in response.context["plan_page"]} == {draft.pk, on_review.pk}
    html = response.content.decode()
    assert "Утверждённых планов в вашей области пока нет" in html
    assert response.context["form"]["status"].value() == ""


def test_monitoring_opens_on_approved_plans_once_there_are_some(world, client_for):
    make_small_plan(world.omsu, title="Черновик")
    approved = make_small_plan(world.school, status=APPROVED)
    response = monitoring(client_for(world.municipal))
    assert [plan.pk for plan in response.context["plan_page"]] == [approved.pk]
    assert "Утверждённых планов в вашей области пока нет" not in response.content.decode()
    # «любой статус» chosen by hand shows all of them.
    assert len(monitoring(client_for(world.municipal), status="").context["plan_page"]) == 2


def test_empty_monitoring_says_why_and_offers_the_ways_in(world, client_for):
    html = monitoring(client_for(world.municipal)).content.decode()
    assert "В вашей области пока нет ни одного плана" in html
    assert reverse("roadmaps:roadmap-create") in html
    assert reverse("roadmaps:import") in html
    viewer_html = monitoring(client_for(world.viewer)).content.decode()
    assert "В вашей области пока нет ни одного плана" in viewer_html
    assert reverse("roadmaps:import") not in viewer_html


def test_no_approved_plans_under_a_filter_offers_any_status(world, client_for):
    make_small_plan(world.omsu)
    html = monitoring(client_for(world.municipal), status="approved").content.decode()
    assert "Утверждённых планов, подходящих под отбор, нет." in html
    assert "Показать планы в любом статусе" in html


def test_the_api_opens_on_the_same_plans_as_the_page(world, api):
    make_small_plan(world.omsu)
    body = api("municipal").get(reverse("api:monitoring-list")).json()
    assert body["filters"]["status"] == ""
    assert body["totals"]["plan_count"] == 1
