"""«Вставить строки» through the API: the same form (roadmaps/pasting.py) and the same writes
(roadmaps/editing.py) as the page; a preview with dry_run, all or nothing."""

import pytest
from django.urls import reverse

from roadmaps.layout import stored
from roadmaps.models import Item
from tests.factories import make_small_plan
from tests.test_paste_rows import TYUMEN_DATES, _as_html, _tyumen_rows


@pytest.fixture
def plan(world):
    return make_small_plan(world.omsu)


def _url(plan):
    return reverse("api:roadmap-paste-rows", args=[plan.pk])


def test_dry_run_shows_the_twenty_tyumen_rows_with_dates_and_saves_nothing(world, plan, api):
    section = plan.sections.get()
    response = api("municipal").post(
        _url(plan),
        {"text": _tyumen_rows(), "section": section.pk, "dry_run": True},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["item_count"] == 20 and body["section"] == section.pk
    assert [(row["deadline_start"], row["deadline_end"]) for row in body["items"]] == TYUMEN_DATES
    assert all(row["id"] is None for row in body["items"])
    assert body["items"][0]["deadline_text"] == "январь"
    # Nothing about a document's title or period: the block goes into a plan that has both.
    assert not [w for w in body["warnings"] if "Заголовок" in w or "Период плана" in w]
    assert Item.objects.filter(section=section).count() == 1


def test_applying_an_html_table_adds_the_twenty_items_through_the_editor(world, plan, api):
    section = plan.sections.get()
    response = api("municipal").post(
        _url(plan),
        {"text": "см. таблицу", "html": _as_html(_tyumen_rows()), "section": section.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    items = list(Item.objects.filter(section=section).order_by("position"))[1:]
    assert [row["id"] for row in body["items"]] == [item.pk for item in items]
    assert [(str(i.deadline_start), str(i.deadline_end)) for i in items] == TYUMEN_DATES
    assert [row["number"] for row in body["items"][:2]] == ["1.2.", "1.3."]
    # Written by editing.add_item: the history has a row per item, by the API's user.
    assert items[0].history.first().history_user == world.municipal


def test_a_block_without_a_header_follows_the_plans_columns(world, plan, api):
    plan.columns = stored([("title", "Мероприятие"), ("result", "Результат"), ("deadline", "Срок")])
    plan.save(update_fields=["columns"])
    response = api("municipal").post(
        _url(plan),
        {"text": "Совещание\tПротокол\tмарт", "section": plan.sections.get().pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    row = response.json()["items"][0]
    assert (row["title"], row["result"], row["deadline_start"]) == (
        "Совещание",
        "Протокол",
        "2024-03-01",
    )


def test_an_unreadable_block_is_refused_in_russian_and_changes_nothing(world, plan, api):
    section = plan.sections.get()
    response = api("municipal").post(
        _url(plan), {"text": "просто текст", "section": section.pk}, format="json"
    )
    assert response.status_code == 400
    assert "Не видно столбцов" in response.json()["text"][0]
    assert Item.objects.filter(section=section).count() == 1


def test_a_section_of_another_plan_is_refused(world, plan, api):
    other = make_small_plan(world.omsu)
    response = api("municipal").post(
        _url(plan),
        {"text": "1.\tСовещание\tмарт", "section": other.sections.get().pk},
        format="json",
    )
    assert response.status_code == 400
    assert "section" in response.json()
    assert Item.objects.filter(roadmap__in=[plan, other]).count() == 2


def test_one_failing_row_adds_none(world, plan, api, monkeypatch):
    from roadmaps import editing

    real, calls = editing.add_item, []

    def fail_on_third(section, values, *, user):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("boom")
        return real(section, values, user=user)

    monkeypatch.setattr(editing, "add_item", fail_on_third)
    client = api("municipal")
    client.raise_request_exception = False
    section = plan.sections.get()
    response = client.post(
        _url(plan), {"text": _tyumen_rows(5), "section": section.pk}, format="json"
    )
    assert response.status_code == 500
    assert Item.objects.filter(section=section).count() == 1


def test_an_approved_plan_refuses_with_the_reason(world, api):
    plan = make_small_plan(world.omsu, status="approved")
    response = api("municipal").post(
        _url(plan),
        {"text": "1.\tСовещание\tмарт", "section": plan.sections.get().pk},
        format="json",
    )
    assert response.status_code == 403
    assert response.json()["detail"]
    assert plan.items.count() == 1


def test_the_operation_is_in_the_schema(api):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/roadmaps/{id}/paste-rows/"]["post"]
    assert operation["summary"] == "Вставить строки"
    assert set(operation["responses"]) >= {"200", "201", "400", "403", "404"}
