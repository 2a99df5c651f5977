"""The approval workflow along the hierarchy: draft → review → approved or returned; approved
plans are revised into new versions."""

import datetime

import pytest
from django.urls import reverse

from roadmaps.models import Direction, Item, Roadmap, RoadmapEvent, WorkflowError
from tests.factories import (
    add_responsible,
    make_item,
    make_party,
    make_sample_plan,
    make_section,
    make_small_plan,
)

APPROVAL = {
    "kind": "распоряжение",
    "number": "3.12-1331-р",
    "date": datetime.date(2024, 9, 26),
    "name": "Е.В. Иванова",
    "position": "Председатель комитета общего и профессионального образования",
}


def approval_form(**overrides):
    data = {**APPROVAL, "date": APPROVAL["date"].isoformat(), "issuer": ""}
    data.update(overrides)
    return data


@pytest.fixture
def plan(world):
    return make_small_plan(world.omsu)


def actions(roadmap):
    return list(roadmap.events.order_by("created", "pk").values_list("action", flat=True))


# The model


def test_submitting_a_draft_puts_it_on_review_and_records_who(world, plan):
    event = plan.submit(by=world.municipal)
    plan.refresh_from_db()
    assert plan.status == Roadmap.Status.REVIEW
    assert (event.action, event.user) == (RoadmapEvent.Action.SUBMITTED, world.municipal)
    assert plan.history.first().history_user == world.municipal


def test_a_plan_on_review_cannot_be_submitted_again(world, plan):
    plan.submit(by=world.municipal)
    with pytest.raises(WorkflowError, match="на согласовании"):
        plan.submit(by=world.municipal)


def test_the_state_is_read_from_the_database_not_from_a_stale_object(world, plan):
    stale = Roadmap.objects.get(pk=plan.pk)
    plan.submit(by=world.municipal)
    with pytest.raises(WorkflowError):
        stale.submit(by=world.municipal)
    assert actions(plan) == ["submitted"]


def test_returning_needs_a_comment(world, plan):
    plan.submit(by=world.municipal)
    with pytest.raises(WorkflowError, match="Напишите, что нужно исправить"):
        plan.return_for_revision(by=world.operator, comment="  ")
    plan.refresh_from_db()
    assert plan.status == Roadmap.Status.REVIEW


def test_a_draft_cannot_be_returned_or_approved(world, plan):
    with pytest.raises(WorkflowError, match="только план на согласовании"):
        plan.return_for_revision(by=world.operator, comment="Исправьте")
    with pytest.raises(WorkflowError, match="только план на согласовании"):
        plan.approve(by=world.operator, **APPROVAL)
    assert actions(plan) == []


def test_a_returned_plan_keeps_the_comment_and_can_be_submitted_again(world, plan):
    plan.submit(by=world.municipal)
    event = plan.return_for_revision(by=world.operator, comment="Уточните сроки раздела 1")
    assert event.comment == "Уточните сроки раздела 1"
    plan.refresh_from_db()
    assert plan.status == Roadmap.Status.RETURNED and plan.is_editable
    plan.submit(by=world.municipal)
    assert actions(plan) == ["submitted", "returned", "submitted"]


def test_approval_needs_the_document_and_the_signatory(world, plan):
    plan.submit(by=world.municipal)
    with pytest.raises(WorkflowError, match="номер, подписант"):
        plan.approve(by=world.operator, **{**APPROVAL, "number": "", "name": " "})
    plan.refresh_from_db()
    assert plan.status == Roadmap.Status.REVIEW


def test_approving_stores_the_document_and_freezes_the_plan(world, plan):
    plan.submit(by=world.municipal)
    event = plan.approve(by=world.operator, issuer="комитета образования", **APPROVAL)
    plan.refresh_from_db()
    assert plan.status == Roadmap.Status.APPROVED and not plan.is_editable
    assert plan.approval_caption == (
        "распоряжением комитета образования от 26.09.2024 № 3.12-1331-р"
    )
    assert (plan.approved_by_name, plan.approved_by_position) == (
        APPROVAL["name"],
        APPROVAL["position"],
    )
    assert event.comment == plan.approval_caption
    assert event.user == world.operator


def test_an_approved_plan_cannot_be_submitted(world, plan):
    plan.submit(by=world.municipal)
    plan.approve(by=world.operator, **APPROVAL)
    with pytest.raises(WorkflowError, match="утверждена"):
        plan.submit(by=world.municipal)


# Revision


def test_only_an_approved_plan_can_be_revised(world, plan):
    with pytest.raises(WorkflowError, match="только утверждённый план"):
        plan.revise(by=world.municipal)


def _approved(world, roadmap):
    roadmap.submit(by=world.municipal)
    roadmap.approve(by=world.operator, **APPROVAL)
    roadmap.refresh_from_db()
    return roadmap


def test_revising_makes_a_deep_copy_as_the_next_draft_version(world):
    plan = make_sample_plan(world.omsu, items=12)
    first = plan.items.order_by("section__position", "position").first()
    first.directions.set(Direction.objects.filter(code__in=["znanie", "klimat"]))
    Item.objects.filter(pk=first.pk).update(status="done")
    regional = make_sample_plan(world.institute, items=1)
    Item.objects.filter(pk=first.pk).update(source_item=regional.items.get())
    plan = _approved(world, plan)

    new = plan.revise(by=world.municipal)

    assert (new.version, new.lineage, new.previous_version, new.status) == (
        2,
        plan.lineage,
        plan,
        Roadmap.Status.DRAFT,
    )
    assert new.approval_number == ""
    plan.refresh_from_db()
    assert plan.status == Roadmap.Status.APPROVED  # in force until the new one is approved

    def shape(roadmap):
        return [
            (
                str(item.key),
                item.section.number,
                str(item.section.key),
                item.section.parent.number if item.section.parent else None,
                item.number,
                item.title,
                item.deadline_text,
                item.deadline_end,
                item.status,
                item.source_item_id,
                [link.party.name for link in item.itemresponsible_set.order_by("position")],
                sorted(item.directions.values_list("code", flat=True)),
            )
            for item in roadmap.items.order_by("section__position", "position")
        ]

    assert shape(new) == shape(plan)
    assert not set(new.items.values_list("pk", flat=True)) & set(
        plan.items.values_list("pk", flat=True)
    )
    assert list(new.parties.values_list("name", "full_name", "in_glossary")) == list(
        plan.parties.values_list("name", "full_name", "in_glossary")
    )
    assert actions(new) == ["revised"]
    assert actions(plan)[-1] == "revised"
    assert new.items.first().history.first().history_user == world.municipal


def test_a_plan_is_revised_only_once(world, plan):
    plan = _approved(world, plan)
    plan.revise(by=world.municipal)
    with pytest.raises(WorkflowError, match="уже создана \\(версия 2\\)"):
        plan.revise(by=world.municipal)


def test_approving_the_new_version_archives_the_old_one(world, plan):
    plan = _approved(world, plan)
    new = plan.revise(by=world.municipal)
    new.submit(by=world.municipal)
    new.approve(by=world.operator, **{**APPROVAL, "number": "3.12-2000-р"})
    plan.refresh_from_db()
    assert plan.status == Roadmap.Status.ARCHIVED
    assert actions(plan)[-1] == "archived"
    assert Roadmap.objects.filter(lineage=plan.lineage).approved().get() == new


def test_a_revision_keeps_subsections_under_their_copied_parent(world):
    plan = make_small_plan(world.omsu)
    parent = plan.sections.get()
    child = make_section(plan, number="1.1.", title="Подраздел", parent=parent, position=2)
    item = make_item(child, number="1.1.1.", title="Пункт подраздела")
    add_responsible(item, make_party(plan, "ОО"))
    plan = _approved(world, plan)
    new = plan.revise(by=world.municipal)
    copied = new.sections.get(key=child.key)
    assert copied.parent == new.sections.get(key=parent.key)
    assert copied.items.get().itemresponsible_set.get().party.roadmap == new


# Through the pages


def test_municipal_coordinator_sends_the_plan_to_the_region(world, plan, client_for):
    response = client_for(world.municipal).post(
        reverse("roadmaps:roadmap-submit", args=[plan.pk]), follow=True
    )
    assert "План направлен на согласование." in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == Roadmap.Status.REVIEW


def test_submitting_twice_shows_a_russian_message_instead_of_failing(world, plan, client_for):
    client = client_for(world.municipal)
    client.post(reverse("roadmaps:roadmap-submit", args=[plan.pk]))
    response = client.post(reverse("roadmaps:roadmap-submit", args=[plan.pk]), follow=True)
    assert "Направить на согласование можно черновик" in response.content.decode()


def test_municipal_coordinator_cannot_approve_their_own_plan(world, plan, client_for):
    plan.submit(by=world.municipal)
    client = client_for(world.municipal)
    response = client.post(reverse("roadmaps:roadmap-approve", args=[plan.pk]), approval_form())
    assert response.status_code == 403
    assert "уровень выше" in response.content.decode()
    page = client.get(reverse("roadmaps:roadmap-detail", args=[plan.pk])).content.decode()
    assert "Утвердить" not in page


def test_the_municipality_reviews_its_schools_plans(world, client_for):
    plan = make_small_plan(world.school)
    plan.submit(by=world.school_user)
    response = client_for(world.municipal).post(
        reverse("roadmaps:roadmap-approve", args=[plan.pk]), approval_form()
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == Roadmap.Status.APPROVED


def test_the_school_cannot_review_its_own_plan(world, client_for):
    plan = make_small_plan(world.school)
    plan.submit(by=world.school_user)
    response = client_for(world.school_user).get(
        reverse("roadmaps:roadmap-approve", args=[plan.pk])
    )
    assert response.status_code == 403


def test_operator_returns_the_plan_and_the_owner_sees_the_comment_at_the_top(
    world, plan, client_for
):
    plan.submit(by=world.municipal)
    client_for(world.operator).post(
        reverse("roadmaps:roadmap-return", args=[plan.pk]),
        {"comment": "Добавьте мероприятия по направлению «Здоровье»."},
    )
    page = (
        client_for(world.municipal)
        .get(reverse("roadmaps:roadmap-detail", args=[plan.pk]))
        .content.decode()
    )
    assert "План возвращён на доработку" in page
    assert page.index("Добавьте мероприятия по направлению «Здоровье».") < page.index("<h1>")
    assert "Изменить" in page  # editable again


def test_returning_without_a_comment_keeps_the_form_with_a_russian_error(world, plan, client_for):
    plan.submit(by=world.municipal)
    response = client_for(world.operator).post(
        reverse("roadmaps:roadmap-return", args=[plan.pk]), {"comment": ""}
    )
    assert "Обязательное поле." in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == Roadmap.Status.REVIEW


def test_the_approval_form_keeps_what_was_typed_when_the_date_is_wrong(world, plan, client_for):
    plan.submit(by=world.municipal)
    response = client_for(world.operator).post(
        reverse("roadmaps:roadmap-approve", args=[plan.pk]),
        approval_form(date="26.13.2024"),
    )
    page = response.content.decode()
    assert "Введите правильную дату." in page
    assert 'value="3.12-1331-р"' in page
    plan.refresh_from_db()
    assert plan.status == Roadmap.Status.REVIEW


def test_operator_approves_and_the_plan_shows_the_approval_block(world, plan, client_for):
    plan.submit(by=world.municipal)
    client = client_for(world.operator)
    response = client.post(
        reverse("roadmaps:roadmap-approve", args=[plan.pk]), approval_form(), follow=True
    )
    page = response.content.decode()
    assert "План утверждён." in page
    # The page words the grif as the PDF does (roadmaps/grif.py): «УТВЕРЖДЕН распоряжением …».
    assert "УТВЕРЖДЕН" in page
    assert "распоряжением" in page
    assert "от 26.09.2024 № 3.12-1331-р" in page
    assert "Е.В. Иванова" in page


def test_revise_through_the_page_opens_the_new_draft(world, plan, client_for):
    plan = _approved(world, plan)
    response = client_for(world.municipal).post(reverse("roadmaps:roadmap-revise", args=[plan.pk]))
    new = Roadmap.objects.get(previous_version=plan)
    assert response["Location"] == reverse("roadmaps:roadmap-detail", args=[new.pk])
    page = client_for(world.municipal).get(response["Location"]).content.decode()
    assert "Версия 2" in page and "Версия 1" in page
    assert "Сравнить версии" in page


def test_a_school_sees_the_approved_district_plan_but_not_its_new_draft(world, plan, client_for):
    plan = _approved(world, plan)
    new = plan.revise(by=world.municipal)
    client = client_for(world.school_user)
    assert client.get(reverse("roadmaps:roadmap-detail", args=[plan.pk])).status_code == 200
    assert client.get(reverse("roadmaps:roadmap-detail", args=[new.pk])).status_code == 404
    listing = client.get(reverse("roadmaps:roadmap-list")).content.decode()
    assert reverse("roadmaps:roadmap-detail", args=[plan.pk]) in listing
