"""One write path for plans (roadmaps/editing.py): no lost updates whatever changed an item or a
section, and the page and the API writing the same rows."""

import datetime

import pytest
from django.urls import reverse

from roadmaps.execution import add_report
from roadmaps.models import Direction, Item, Party, Roadmap, RoadmapEvent, Section
from tests.factories import add_responsible, make_item, make_section, make_small_plan

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def plan(world):
    """A municipal draft: section «1.» with items 1.1. and 1.2., section «2.» with item 2.1."""
    roadmap = make_small_plan(world.omsu)
    first = roadmap.sections.get()
    make_item(first, number="1.2.", title="Семинар для заместителей директоров", position=1)
    second = make_section(roadmap, number="2.", title="Методическое сопровождение", position=1)
    make_item(second, number="2.1.", title="Вебинар для учителей")
    return roadmap


@pytest.fixture
def editor(world, client_for):
    return client_for(world.municipal)


def _item(plan, number):
    return plan.items.get(number=number)


def _section(plan, number):
    return plan.sections.get(number=number)


def item_data(item, **overrides):
    data = {
        "number": item.number,
        "title": item.title,
        "deadline_text": item.deadline_text,
        "result": item.result,
        "status": item.status,
        "responsible": [link.party.name for link in item.itemresponsible_set.all()],
        "lock_version": item.lock_version,
    }
    data.update(overrides)
    return data


def section_data(section, **overrides):
    data = {"number": section.number, "title": section.title, "lock_version": section.lock_version}
    data.update(overrides)
    return data


def _post_stale_item(client, item, stale, **overrides):
    return client.post(
        reverse("roadmaps:item-edit", args=[item.pk]), {**stale, **overrides}, **HTMX
    )


def _post_stale_section(client, section, stale, **overrides):
    return client.post(
        reverse("roadmaps:section-edit", args=[section.pk]), {**stale, **overrides}, **HTMX
    )


def _item_url(item):
    return reverse("api:roadmap-item-detail", args=[item.roadmap_id, item.pk])


def _section_url(section):
    return reverse("api:roadmap-section-detail", args=[section.roadmap_id, section.pk])


def _assert_conflict(response, *values):
    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="conflict"' in page and "Пока вы редактировали" in page
    for value in values:
        assert value in page


def _assert_api_conflict(response):
    assert response.status_code == 409, response.content
    assert "изменил другой пользователь" in response.json()["detail"]


# An item form opened before another change is stale: the page shows the conflict, the API 409


def test_a_stale_item_form_after_an_execution_report_shows_the_conflict_and_keeps_the_status(
    plan, world, editor
):
    item = _item(plan, "1.1.")
    stale = item_data(item)
    reported = editor.post(
        reverse("roadmaps:item-report", args=[item.pk]),
        {"status": "done", "date": "2024-03-28", "comment": "Совещание проведено"},
    )
    assert reported.status_code == 302
    response = _post_stale_item(editor, item, stale, title="Совещание (уточнено)")
    _assert_conflict(response, "выполнено", "не начато", "Совещание (уточнено)")
    item.refresh_from_db()
    assert (item.status, item.title) == ("done", "Совещание с координаторами проекта")


def test_a_stale_api_patch_after_an_execution_report_is_a_conflict(plan, world, api):
    item = _item(plan, "1.1.")
    loaded = item.lock_version
    add_report(item, author=world.municipal, status="done", date=datetime.date(2024, 3, 28))
    response = api("municipal").patch(
        _item_url(item), {"title": "Другое", "lock_version": loaded}, format="json"
    )
    _assert_api_conflict(response)
    item.refresh_from_db()
    assert (item.status, item.title) == ("done", "Совещание с координаторами проекта")


def test_a_stale_item_form_after_a_move_shows_the_conflict_and_numbers_stay_distinct(plan, editor):
    item = _item(plan, "1.1.")
    stale = item_data(item)
    editor.post(reverse("roadmaps:item-move", args=[item.pk]), {"direction": "down"})
    item.refresh_from_db()
    assert item.number == "1.2."
    response = _post_stale_item(editor, item, stale, title="Совещание (уточнено)")
    _assert_conflict(response, "1.2.", "1.1.")
    numbers = sorted(plan.sections.get(number="1.").items.values_list("number", flat=True))
    assert numbers == ["1.1.", "1.2."]


def test_a_stale_api_patch_after_a_move_is_a_conflict(plan, api):
    item = _item(plan, "1.1.")
    loaded = item.lock_version
    client = api("municipal")
    moved = client.post(
        reverse("api:roadmap-item-move", args=[plan.pk, item.pk]),
        {"direction": "down"},
        format="json",
    )
    assert moved.json()["moved"] is True
    response = client.patch(
        _item_url(item), {"number": "1.1.", "lock_version": loaded}, format="json"
    )
    _assert_api_conflict(response)
    item.refresh_from_db()
    assert item.number == "1.2."


def test_a_stale_item_form_after_its_section_moved_shows_the_conflict(plan, editor):
    item = _item(plan, "2.1.")
    stale = item_data(item)
    section = _section(plan, "2.")
    editor.post(reverse("roadmaps:section-move", args=[section.pk]), {"direction": "up"})
    item.refresh_from_db()
    assert item.number == "1.1."
    response = _post_stale_item(editor, item, stale)
    _assert_conflict(response, "1.1.", "2.1.")
    item.refresh_from_db()
    assert item.number == "1.1."


def test_a_stale_item_form_after_its_section_was_renumbered_shows_the_conflict(plan, editor):
    item = _item(plan, "2.1.")
    stale = item_data(item)
    section = _section(plan, "2.")
    editor.post(
        reverse("roadmaps:section-edit", args=[section.pk]), section_data(section, number="5.")
    )
    response = _post_stale_item(editor, item, stale)
    _assert_conflict(response, "5.1.", "2.1.")
    item.refresh_from_db()
    assert item.number == "5.1."


def test_a_stale_section_form_after_an_earlier_section_was_deleted_shows_the_conflict(plan, editor):
    second = _section(plan, "2.")
    stale = section_data(second)
    editor.post(reverse("roadmaps:section-delete", args=[_section(plan, "1.").pk]))
    second.refresh_from_db()
    assert second.number == "1."
    response = _post_stale_section(editor, second, stale, title="Методическая работа")
    _assert_conflict(response, "Методическое сопровождение", "Методическая работа")
    second.refresh_from_db()
    assert (second.number, second.title) == ("1.", "Методическое сопровождение")


def test_a_stale_api_patch_after_a_section_move_is_a_conflict(plan, api):
    item = _item(plan, "2.1.")
    section = _section(plan, "2.")
    loaded_item, loaded_section = item.lock_version, section.lock_version
    client = api("municipal")
    client.post(
        reverse("api:roadmap-section-move", args=[plan.pk, section.pk]),
        {"direction": "up"},
        format="json",
    )
    _assert_api_conflict(
        client.patch(_item_url(item), {"title": "x", "lock_version": loaded_item}, format="json")
    )
    _assert_api_conflict(
        client.patch(
            _section_url(section), {"title": "x", "lock_version": loaded_section}, format="json"
        )
    )
    item.refresh_from_db()
    section.refresh_from_db()
    assert (item.title, section.title) == ("Вебинар для учителей", "Методическое сопровождение")


def test_a_stale_item_form_after_a_party_rename_shows_the_conflict_and_makes_no_duplicate(
    plan, editor
):
    item = _item(plan, "1.1.")
    stale = item_data(item)
    party = plan.parties.get(name="ИМЦ")
    editor.post(
        reverse("roadmaps:party-edit", args=[party.pk]),
        {
            "name": "ИМЦ Лужского района",
            "full_name": party.full_name,
            "kind": party.kind,
            "in_glossary": "on",
        },
    )
    response = _post_stale_item(editor, item, stale)
    _assert_conflict(response, "ИМЦ Лужского района")
    assert list(plan.parties.values_list("name", flat=True)) == ["ИМЦ Лужского района"]
    item.refresh_from_db()
    assert item.responsible_text == "ИМЦ Лужского района"


def test_a_stale_api_patch_after_a_party_rename_is_a_conflict(plan, api):
    item = _item(plan, "1.1.")
    loaded = item.lock_version
    party = plan.parties.get(name="ИМЦ")
    client = api("municipal")
    renamed = client.patch(
        reverse("api:roadmap-party-detail", args=[plan.pk, party.pk]),
        {"name": "ИМЦ Лужского района"},
        format="json",
    )
    assert renamed.status_code == 200, renamed.content
    response = client.patch(
        _item_url(item), {"responsible": ["ИМЦ"], "lock_version": loaded}, format="json"
    )
    _assert_api_conflict(response)
    assert list(plan.parties.values_list("name", flat=True)) == ["ИМЦ Лужского района"]


def test_two_edits_of_a_section_the_second_stale_one_shows_the_conflict(plan, world, client_for):
    section = _section(plan, "1.")
    stale = section_data(section)
    client_for(world.operator).post(
        reverse("roadmaps:section-edit", args=[section.pk]),
        section_data(section, title="Вариант оператора"),
    )
    editor = client_for(world.municipal)
    response = _post_stale_section(editor, section, stale, title="Вариант координатора")
    _assert_conflict(response, "Вариант оператора", "Вариант координатора")
    page = response.content.decode()
    assert "operator сохранил(а) этот раздел" in page
    assert 'name="lock_version" value="1"' in page
    section.refresh_from_db()
    assert section.title == "Вариант оператора"

    # Saving again from the conflict screen applies the user's values.
    again = _post_stale_section(
        editor, section, stale, title="Вариант координатора", lock_version=1
    )
    assert again.status_code == 200 and 'class="conflict"' not in again.content.decode()
    section.refresh_from_db()
    assert section.title == "Вариант координатора"


def test_two_api_edits_of_a_section_the_second_stale_one_is_a_conflict(plan, api):
    section = _section(plan, "1.")
    client = api("municipal")
    read = client.get(_section_url(section)).json()
    assert read["lock_version"] == 0
    first = client.patch(_section_url(section), {"title": "Первая", "lock_version": 0})
    assert first.status_code == 200 and first.json()["lock_version"] == 1
    _assert_api_conflict(
        client.patch(_section_url(section), {"title": "Вторая", "lock_version": 0}, format="json")
    )
    section.refresh_from_db()
    assert section.title == "Первая"


def test_a_section_form_without_lock_version_is_refused(plan, editor):
    section = _section(plan, "1.")
    response = editor.post(
        reverse("roadmaps:section-edit", args=[section.pk]), {"number": "1.", "title": "Новое"}
    )
    assert response.status_code == 200
    section.refresh_from_db()
    assert section.title == "Организационные мероприятия"


# Execution reports and versions


def test_a_report_on_a_draft_version_leaves_the_item_of_the_approved_version_alone(world):
    approved = make_small_plan(world.omsu, status="approved")
    draft = approved.revise(by=world.municipal)
    in_force, copy = approved.items.get(), draft.items.get()
    add_report(copy, author=world.municipal, status="done", date=datetime.date(2024, 3, 28))
    in_force.refresh_from_db()
    copy.refresh_from_db()
    assert (in_force.status, copy.status) == ("not_started", "done")
    assert copy.lock_version == 1

    # A later report on the version in force still carries to the draft…
    add_report(
        in_force, author=world.municipal, status="in_progress", date=datetime.date(2024, 3, 29)
    )
    in_force.refresh_from_db()
    copy.refresh_from_db()
    assert (in_force.status, copy.status) == ("in_progress", "in_progress")
    # …and the draft's report never reaches the version in force, even when newer.
    add_report(copy, author=world.municipal, status="cancelled", date=datetime.date(2024, 3, 30))
    in_force.refresh_from_db()
    assert in_force.status == "in_progress"


# Responsible parties through the API as on the page


def test_api_patch_with_one_party_in_two_cases_keeps_one_party(plan, api):
    item = _item(plan, "1.2.")
    response = api("municipal").patch(
        _item_url(item), {"responsible": ["ИМЦ", "имц"]}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["responsible"] == ["ИМЦ"]
    assert list(plan.parties.values_list("name", flat=True)) == ["ИМЦ"]
    assert list(item.itemresponsible_set.values_list("party__name", flat=True)) == ["ИМЦ"]


def test_api_and_page_write_the_same_history_reason_for_parties_and_directions(world, editor, api):
    direction = Direction.objects.order_by("position").first()
    page_plan, api_plan = make_small_plan(world.omsu), make_small_plan(world.omsu)
    page_item, api_item = page_plan.items.get(), api_plan.items.get()
    editor.post(
        reverse("roadmaps:item-edit", args=[page_item.pk]),
        item_data(page_item, responsible=["ИМЦ", "ОО"], directions=[direction.pk]),
    )
    response = api("municipal").patch(
        _item_url(api_item),
        {"responsible": ["ИМЦ", "ОО"], "directions": [direction.code]},
        format="json",
    )
    assert response.status_code == 200, response.content
    page_reason = page_item.history.first().history_change_reason
    assert page_reason == f"Ответственные: ИМЦ → ИМЦ, ОО; Направления: — → {direction.name}"
    assert api_item.history.first().history_change_reason == page_reason
    assert api_item.history.first().history_user == world.municipal


def test_a_history_reason_longer_than_a_hundred_characters_is_kept_whole(plan, editor):
    """Many parties make a long reason; PostgreSQL once refused it (varchar(100)) with a 500."""
    item = _item(plan, "1.2.")
    parties = [f"Общеобразовательная организация № {n}" for n in range(1, 6)]
    response = editor.post(
        reverse("roadmaps:item-edit", args=[item.pk]), item_data(item, responsible=parties)
    )
    assert response.status_code == 302
    reason = item.history.first().history_change_reason
    assert len(reason) > 100
    assert reason == "Ответственные: — → " + ", ".join(parties)


def test_api_refuses_what_the_items_form_refuses(plan, api):
    item = _item(plan, "1.1.")
    response = api("municipal").patch(_item_url(item), {"title": "   "}, format="json")
    assert response.status_code == 400
    item.refresh_from_db()
    assert item.title == "Совещание с координаторами проекта"


# The page and the API write the same rows


def _twins(world):
    return make_small_plan(world.omsu), make_small_plan(world.omsu)


ITEM_COLUMNS = [
    "number",
    "title",
    "deadline_text",
    "deadline_kind",
    "deadline_start",
    "deadline_end",
    "responsible_text",
    "result",
    "status",
    "position",
    "lock_version",
]


def _item_row(item):
    item = Item.objects.get(pk=item.pk)
    record = item.history.first()
    return (
        [getattr(item, name) for name in ITEM_COLUMNS],
        list(item.itemresponsible_set.values_list("party__name", flat=True)),
        sorted(item.directions.values_list("code", flat=True)),
        record.history_type,
        record.history_change_reason,
        record.history_user_id,
    )


def _section_row(section):
    section = Section.objects.get(pk=section.pk)
    record = section.history.first()
    return (
        section.parent_id is None,
        section.number,
        section.title,
        section.position,
        section.lock_version,
        record.history_type,
        record.history_user_id,
    )


def test_adding_an_item_on_the_page_and_through_the_api_writes_the_same_row(world, editor, api):
    page_plan, api_plan = _twins(world)
    direction = Direction.objects.order_by("position").first()
    values = {
        "title": "Методический день",
        "deadline_text": "Март",
        "result": "Проведён",
        "responsible": ["ИМЦ", "Школа № 1", "школа № 1"],
    }
    editor.post(
        reverse("roadmaps:item-add", args=[page_plan.sections.get().pk]),
        {**values, "number": "", "status": "not_started", "directions": [direction.pk]},
    )
    response = api("municipal").post(
        reverse("api:roadmap-item-list", args=[api_plan.pk]),
        {**values, "section": api_plan.sections.get().pk, "directions": [direction.code]},
        format="json",
    )
    assert response.status_code == 201, response.content
    page_item = page_plan.items.get(title="Методический день")
    api_item = api_plan.items.get(title="Методический день")
    assert _item_row(page_item) == _item_row(api_item)
    assert page_item.number == "1.2."
    assert _item_row(api_item)[1] == ["ИМЦ", "Школа № 1"]


def test_editing_an_item_on_the_page_and_through_the_api_writes_the_same_row(world, editor, api):
    page_plan, api_plan = _twins(world)
    page_item, api_item = page_plan.items.get(), api_plan.items.get()
    editor.post(
        reverse("roadmaps:item-edit", args=[page_item.pk]),
        item_data(page_item, title="Совещание", deadline_text="до 1 июня", responsible=["ОО"]),
    )
    response = api("municipal").put(
        _item_url(api_item),
        {
            "number": api_item.number,
            "title": "Совещание",
            "deadline_text": "до 1 июня",
            "result": "",
            "responsible": ["ОО"],
            "directions": [],
            "lock_version": 0,
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert _item_row(page_item) == _item_row(api_item)
    assert _item_row(api_item)[4] == "Ответственные: ИМЦ → ОО"


@pytest.mark.parametrize("direction", ["up", "down"])
def test_moving_an_item_on_the_page_and_through_the_api_writes_the_same_rows(
    world, editor, api, direction
):
    page_plan, api_plan = _twins(world)
    for roadmap in (page_plan, api_plan):
        make_item(roadmap.sections.get(), number="1.2.", title="Второе", position=1)
    page_item = page_plan.items.get(title="Второе")
    api_item = api_plan.items.get(title="Второе")
    editor.post(reverse("roadmaps:item-move", args=[page_item.pk]), {"direction": direction})
    api("municipal").post(
        reverse("api:roadmap-item-move", args=[api_plan.pk, api_item.pk]),
        {"direction": direction},
        format="json",
    )
    page_rows = [_item_row(item)[0] for item in page_plan.items.order_by("position", "pk")]
    api_rows = [_item_row(item)[0] for item in api_plan.items.order_by("position", "pk")]
    assert page_rows == api_rows


def test_deleting_an_item_on_the_page_and_through_the_api_writes_the_same_rows(world, editor, api):
    page_plan, api_plan = _twins(world)
    for roadmap in (page_plan, api_plan):
        make_item(roadmap.sections.get(), number="1.2.", title="Второе", position=1)
    editor.post(reverse("roadmaps:item-delete", args=[page_plan.items.get(number="1.1.").pk]))
    api("municipal").delete(_item_url(api_plan.items.get(number="1.1.")))
    assert [_item_row(i)[0] for i in page_plan.items.order_by("position", "pk")] == [
        _item_row(i)[0] for i in api_plan.items.order_by("position", "pk")
    ]
    assert page_plan.items.get().number == "1.1."


def test_adding_a_section_on_the_page_and_through_the_api_writes_the_same_row(world, editor, api):
    page_plan, api_plan = _twins(world)
    editor.post(
        reverse("roadmaps:section-add", args=[page_plan.pk]), {"number": "", "title": "Новый"}
    )
    response = api("municipal").post(
        reverse("api:roadmap-section-list", args=[api_plan.pk]), {"title": "Новый"}, format="json"
    )
    assert response.status_code == 201, response.content
    page_section = page_plan.sections.get(title="Новый")
    api_section = api_plan.sections.get(title="Новый")
    assert _section_row(page_section) == _section_row(api_section)
    assert page_section.number == "2."


def test_renumbering_a_section_on_the_page_and_through_the_api_writes_the_same_rows(
    world, editor, api
):
    page_plan, api_plan = _twins(world)
    page_section, api_section = page_plan.sections.get(), api_plan.sections.get()
    editor.post(
        reverse("roadmaps:section-edit", args=[page_section.pk]),
        section_data(page_section, number="3.", title="Организация"),
    )
    response = api("municipal").patch(
        _section_url(api_section), {"number": "3.", "title": "Организация"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["lock_version"] == Section.objects.get(pk=api_section.pk).lock_version
    assert _section_row(page_section) == _section_row(api_section)
    assert _item_row(page_plan.items.get()) == _item_row(api_plan.items.get())
    assert api_plan.items.get().number == "3.1."


def test_moving_and_deleting_sections_on_the_page_and_through_the_api_write_the_same_rows(
    world, editor, api
):
    page_plan, api_plan = _twins(world)
    for roadmap in (page_plan, api_plan):
        second = make_section(roadmap, number="2.", title="Второй", position=1)
        make_item(second, number="2.1.", title="Пункт второго")
        make_section(roadmap, number="3.", title="Третий", position=2)
    client = api("municipal")
    editor.post(
        reverse("roadmaps:section-move", args=[page_plan.sections.get(number="2.").pk]),
        {"direction": "up"},
    )
    client.post(
        reverse(
            "api:roadmap-section-move", args=[api_plan.pk, api_plan.sections.get(number="2.").pk]
        ),
        {"direction": "up"},
        format="json",
    )
    editor.post(reverse("roadmaps:section-delete", args=[page_plan.sections.get(number="2.").pk]))
    client.delete(_section_url(api_plan.sections.get(number="2.")))

    def rows(roadmap):
        return (
            [_section_row(s)[:5] for s in roadmap.sections.order_by("position")],
            [_item_row(i)[0] for i in roadmap.items.order_by("position")],
        )

    assert rows(page_plan) == rows(api_plan)
    assert [s.number for s in page_plan.sections.order_by("position")] == ["1.", "2."]


def test_creating_a_plan_on_the_page_and_through_the_api_writes_the_same_rows(world, editor, api):
    editor.post(
        reverse("roadmaps:roadmap-create"),
        {"owner": world.omsu.pk, "title": "  План на 2025 год ", "period": "2025"},
    )
    response = api("municipal").post(
        reverse("api:roadmap-list"),
        {
            "owner": world.omsu.pk,
            "title": "  План на 2025 год ",
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    page_plan, api_plan = Roadmap.objects.filter(title="План на 2025 год").order_by("pk")

    def row(roadmap):
        event = roadmap.events.get()
        return (
            roadmap.owner_id,
            roadmap.title,
            roadmap.period,
            roadmap.status,
            roadmap.created_by_id,
            roadmap.history.get().history_user_id,
            (event.action, event.user_id, event.comment),
        )

    assert row(page_plan) == row(api_plan)
    assert page_plan.events.get().action == RoadmapEvent.Action.CREATED


def test_changing_the_period_on_the_page_and_through_the_api_writes_the_same_rows(
    world, editor, api
):
    page_plan, api_plan = _twins(world)
    for roadmap in (page_plan, api_plan):
        Item.objects.filter(roadmap=roadmap).update(deadline_text="Май")
    editor.post(
        reverse("roadmaps:roadmap-edit", args=[page_plan.pk]),
        {"title": "Новое название", "period": "2025", "lock_version": 0},
    )
    response = api("municipal").patch(
        reverse("api:roadmap-detail", args=[api_plan.pk]),
        {"title": "Новое название", "period_start": "2025-01-01", "period_end": "2025-12-31"},
        format="json",
    )
    assert response.status_code == 200, response.content

    def row(roadmap):
        roadmap.refresh_from_db()
        return (roadmap.title, roadmap.period, roadmap.lock_version, roadmap.updated_by_id)

    assert row(page_plan) == row(api_plan)
    assert _item_row(page_plan.items.get()) == _item_row(api_plan.items.get())
    item = api_plan.items.get()
    assert item.deadline_end == datetime.date(2025, 5, 31)
    assert item.history.first().history_change_reason == "Период плана изменён на «2025 год»"


def test_api_refuses_a_plan_title_the_page_refuses(world, api):
    response = api("municipal").post(
        reverse("api:roadmap-list"),
        {
            "owner": world.omsu.pk,
            "title": "x" * 1001,
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
        },
        format="json",
    )
    assert response.status_code == 400
    assert not Roadmap.objects.exists()


# A party added on the fly is the same party on the page and through the API


def test_a_responsible_name_in_another_case_links_the_existing_party(plan, editor):
    item = _item(plan, "1.2.")
    add_responsible(item, plan.parties.get(name="ИМЦ"))
    editor.post(
        reverse("roadmaps:item-edit", args=[item.pk]),
        item_data(item, responsible=["имц", "ИМЦ"]),
    )
    assert Party.objects.filter(roadmap=plan).count() == 1
    assert list(item.itemresponsible_set.values_list("party__name", flat=True)) == ["ИМЦ"]
