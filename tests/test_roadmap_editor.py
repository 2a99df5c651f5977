"""Editing a plan in place: items, sections, parties, deadlines as typed, optimistic locking,
the history of changes, and frozen plans refusing every edit."""

import datetime

import pytest
from django.urls import reverse

from roadmaps.models import Direction, Item, Party, Roadmap, Section
from tests.factories import (
    make_item,
    make_organization,
    make_party,
    make_roadmap,
    make_section,
    make_small_plan,
)

HTMX = {"HTTP_HX_REQUEST": "true"}


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


@pytest.fixture
def plan(world):
    return make_small_plan(world.omsu)


@pytest.fixture
def item(plan):
    return plan.items.get()


@pytest.fixture
def editor(world, client_for):
    return client_for(world.municipal)


# Items


def test_saving_an_item_through_htmx_answers_with_its_row_and_parses_the_deadline(item, editor):
    response = editor.post(
        reverse("roadmaps:item-edit", args=[item.pk]),
        item_data(item, deadline_text="Февраль-март", title="Совещание координаторов"),
        **HTMX,
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith(f'<tr id="item-{item.pk}"')
    assert "Февраль-март" in page and "01.02.2024–31.03.2024" in page
    item.refresh_from_db()
    assert item.title == "Совещание координаторов"
    assert (item.deadline_kind, item.deadline_start, item.deadline_end) == (
        "dates",
        datetime.date(2024, 2, 1),
        datetime.date(2024, 3, 31),
    )
    assert item.lock_version == 1


def test_saving_an_item_without_htmx_goes_back_to_the_plan(item, editor):
    response = editor.post(
        reverse("roadmaps:item-edit", args=[item.pk]), item_data(item, deadline_text="Май")
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#item-{item.pk}")


def test_item_edit_form_opens_as_a_row_with_the_current_values(item, editor):
    response = editor.get(reverse("roadmaps:item-edit", args=[item.pk]), **HTMX)
    page = response.content.decode()
    assert page.lstrip().startswith(f'<tr id="item-{item.pk}" class="edit-row"')
    assert f'value="{item.deadline_text}"' in page
    assert 'name="lock_version" value="0"' in page
    assert 'value="ИМЦ"' in page
    assert 'hx-trigger="input changed delay:300ms"' in page


def test_empty_title_is_refused_in_russian_and_the_typed_values_stay(item, editor):
    response = editor.post(
        reverse("roadmaps:item-edit", args=[item.pk]),
        item_data(item, title="  ", deadline_text="до 15 октября 2024", result="Приказ"),
        **HTMX,
    )
    page = response.content.decode()
    assert "Напишите, что это за мероприятие." in page
    assert 'value="до 15 октября 2024"' in page
    assert "Приказ" in page
    item.refresh_from_db()
    assert item.deadline_text == "в течение года"


def test_a_new_responsible_name_creates_a_party_and_the_order_is_kept(plan, item, editor):
    editor.post(
        reverse("roadmaps:item-edit", args=[item.pk]),
        item_data(item, responsible=["Руководители ОО", "ИМЦ", ""]),
        **HTMX,
    )
    created = Party.objects.get(roadmap=plan, name="Руководители ОО")
    links = list(
        item.itemresponsible_set.order_by("position").values_list("party__name", flat=True)
    )
    assert links == ["Руководители ОО", "ИМЦ"]
    assert created.organization is None
    item.refresh_from_db()
    assert item.responsible_text == "Руководители ОО, ИМЦ"


def test_a_directory_organization_typed_as_responsible_is_linked_to_it(world, item, editor):
    editor.post(
        reverse("roadmaps:item-edit", args=[item.pk]),
        item_data(item, responsible=["МБОУ «Гатчинская СОШ № 1»"]),
        **HTMX,
    )
    party = Party.objects.get(name="МБОУ «Гатчинская СОШ № 1»")
    assert party.organization == world.school
    assert party.full_name == world.school.name


def test_the_editor_offers_the_plans_parties_and_the_directory(world, item, editor):
    page = editor.get(reverse("roadmaps:item-edit", args=[item.pk]), **HTMX).content.decode()
    assert '<option value="ИМЦ">' in page
    assert '<option value="МБОУ «Гатчинская СОШ № 2»">' in page
    assert "Лужская" not in page  # another municipality's school


def test_directions_are_saved_and_shown_as_tags(item, editor):
    knowledge, health = Direction.objects.filter(code__in=["znanie", "zdorovie"])
    response = editor.post(
        reverse("roadmaps:item-edit", args=[item.pk]),
        item_data(item, directions=[knowledge.pk, health.pk]),
        **HTMX,
    )
    assert set(item.directions.all()) == {knowledge, health}
    assert '<span class="tag">Знание</span>' in response.content.decode()


def test_adding_an_item_numbers_it_after_the_last_one(plan, editor):
    section = plan.sections.get()
    form = editor.get(reverse("roadmaps:item-add", args=[section.pk]), **HTMX).content.decode()
    assert 'value="1.2."' in form
    response = editor.post(
        reverse("roadmaps:item-add", args=[section.pk]),
        {
            "number": "1.2.",
            "title": "Семинар для заместителей директоров",
            "deadline_text": "2 квартал",
            "status": "not_started",
            "responsible": ["ИМЦ"],
        },
        **HTMX,
    )
    new = section.items.get(number="1.2.")
    assert response.content.decode().lstrip().startswith(f'<tr id="item-{new.pk}"')
    assert (new.deadline_start, new.deadline_end) == (
        datetime.date(2024, 4, 1),
        datetime.date(2024, 6, 30),
    )
    assert new.roadmap == plan
    assert list(new.responsible.values_list("name", flat=True)) == ["ИМЦ"]


def _numbers(section):
    return list(section.items.order_by("position").values_list("number", "title"))


def test_moving_an_item_up_trades_places_and_numbers_with_the_one_above(plan, editor):
    section = plan.sections.get()
    second = make_item(section, number="1.2.", title="Второе")
    make_item(section, number="1.3.", title="Третье")
    response = editor.post(
        reverse("roadmaps:item-move", args=[second.pk]), {"direction": "up"}, **HTMX
    )
    assert response.content.decode().lstrip().startswith(f'<tbody id="block-{section.pk}"')
    assert _numbers(section) == [
        ("1.1.", "Второе"),
        ("1.2.", "Совещание с координаторами проекта"),
        ("1.3.", "Третье"),
    ]


def test_the_first_item_stays_first_when_moved_up(plan, item, editor):
    editor.post(reverse("roadmaps:item-move", args=[item.pk]), {"direction": "up"}, **HTMX)
    item.refresh_from_db()
    assert item.number == "1.1."


def test_deleting_an_item_moves_the_following_ones_up_a_number(plan, item, editor):
    section = plan.sections.get()
    make_item(section, number="1.2.", title="Второе")
    make_item(section, number="1.3.", title="Третье")
    response = editor.post(reverse("roadmaps:item-delete", args=[item.pk]), **HTMX)
    assert response.status_code == 200
    assert not Item.objects.filter(pk=item.pk).exists()
    assert _numbers(section) == [("1.1.", "Второе"), ("1.2.", "Третье")]


def test_delete_buttons_ask_for_confirmation(plan, editor):
    page = editor.get(reverse("roadmaps:roadmap-detail", args=[plan.pk])).content.decode()
    assert 'data-confirm="Удалить мероприятие 1.1. «Совещание с координаторами проекта»?"' in page
    assert 'data-confirm="Удалить раздел «1. Организационные мероприятия»' in page


# Sections


def test_adding_a_section_redraws_the_table_with_it(plan, editor):
    form = editor.get(reverse("roadmaps:section-add", args=[plan.pk]), **HTMX).content.decode()
    assert 'value="2."' in form
    response = editor.post(
        reverse("roadmaps:section-add", args=[plan.pk]),
        {"number": "2.", "title": "Информационное сопровождение"},
        **HTMX,
    )
    assert response["HX-Retarget"] == "#plan-table"
    assert "Информационное сопровождение" in response.content.decode()
    assert list(plan.sections.values_list("number", "position")) == [("1.", 0), ("2.", 1)]


def test_a_subsection_is_numbered_inside_its_section_and_kept_in_document_order(plan, editor):
    first = plan.sections.get()
    make_section(plan, number="2.", title="Второй раздел", position=5)
    form = editor.get(
        reverse("roadmaps:section-add", args=[plan.pk]) + f"?parent={first.pk}", **HTMX
    ).content.decode()
    assert 'value="1.1"' in form
    editor.post(
        reverse("roadmaps:section-add", args=[plan.pk]),
        {"number": "1.1", "title": "Подраздел", "parent": first.pk},
        **HTMX,
    )
    assert list(plan.sections.order_by("position").values_list("number", flat=True)) == [
        "1.",
        "1.1",
        "2.",
    ]


def test_moving_a_section_down_renumbers_it_and_its_items(plan, editor):
    first = plan.sections.get()
    second = make_section(plan, number="2.", title="Второй раздел", position=2)
    make_item(second, number="2.1.", title="Пункт второго раздела")
    editor.post(reverse("roadmaps:section-move", args=[first.pk]), {"direction": "down"}, **HTMX)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.number, second.number) == ("2.", "1.")
    assert second.position < first.position
    assert second.items.get().number == "1.1."
    assert first.items.get().number == "2.1."


def test_renumbering_a_section_carries_the_number_into_its_items(plan, editor):
    section = plan.sections.get()
    item = make_item(section, number="1.2.", title="Пункт")
    response = editor.post(
        reverse("roadmaps:section-edit", args=[section.pk]),
        {
            "number": "3.",
            "title": "Организационные мероприятия",
            "lock_version": section.lock_version,
        },
        **HTMX,
    )
    assert response["HX-Retarget"] == f"#block-{section.pk}"
    item.refresh_from_db()
    assert item.number == "3.2."


def test_renaming_a_section_answers_with_its_row(plan, editor):
    section = plan.sections.get()
    response = editor.post(
        reverse("roadmaps:section-edit", args=[section.pk]),
        {"number": "1.", "title": "Управление проектом", "lock_version": section.lock_version},
        **HTMX,
    )
    assert response.content.decode().lstrip().startswith(f'<tr id="section-{section.pk}"')
    section.refresh_from_db()
    assert section.title == "Управление проектом"


def test_deleting_a_section_takes_its_items_and_renumbers_the_next_sections(plan, editor):
    first = plan.sections.get()
    second = make_section(plan, number="2.", title="Второй", position=2)
    make_item(second, number="2.1.", title="Пункт")
    editor.post(reverse("roadmaps:section-delete", args=[first.pk]), **HTMX)
    assert not Item.objects.filter(section_id=first.pk).exists()
    second.refresh_from_db()
    assert second.number == "1."
    assert second.items.get().number == "1.1."


# Deadlines as typed


def test_the_deadline_preview_shows_the_dates_a_phrase_means(plan, editor):
    response = editor.get(
        reverse("roadmaps:deadline-preview", args=[plan.pk]), {"deadline_text": "Февраль-март"}
    )
    page = response.content.decode()
    assert "01.02.2024–31.03.2024" in page
    assert "<html" not in page


def test_the_deadline_preview_warns_about_a_date_outside_the_period(plan, editor):
    page = editor.get(
        reverse("roadmaps:deadline-preview", args=[plan.pk]), {"deadline_text": "март 2025"}
    ).content.decode()
    assert "выходит за пределы периода" in page


def test_the_deadline_preview_reads_an_academic_year(world, editor):
    plan = make_roadmap(
        world.omsu,
        period_start=datetime.date(2023, 9, 1),
        period_end=datetime.date(2024, 8, 31),
    )
    page = editor.get(
        reverse("roadmaps:deadline-preview", args=[plan.pk]), {"deadline_text": "Февраль-март"}
    ).content.decode()
    assert "01.02.2024–31.03.2024" in page


# Optimistic locking


def test_saving_over_someone_elses_change_is_refused_and_shows_both_versions(
    world, item, client_for
):
    stale = item_data(item)
    operator = client_for(world.operator)
    operator.post(
        reverse("roadmaps:item-edit", args=[item.pk]),
        item_data(item, deadline_text="Март", title="Вариант оператора"),
        **HTMX,
    )
    client = client_for(world.municipal)
    response = client.post(
        reverse("roadmaps:item-edit", args=[item.pk]),
        {**stale, "title": "Вариант координатора", "deadline_text": "Апрель"},
        **HTMX,
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Пока вы редактировали, operator сохранил(а) это мероприятие" in page
    assert "Вариант оператора" in page  # their value
    assert "Вариант координатора" in page  # the user's value, kept in the form
    assert 'value="Апрель"' in page
    assert 'name="lock_version" value="1"' in page
    item.refresh_from_db()
    assert (item.title, item.deadline_text, item.lock_version) == ("Вариант оператора", "Март", 1)


def test_saving_again_after_a_conflict_applies_the_users_values(world, item, client_for):
    stale = item_data(item)
    client_for(world.operator).post(
        reverse("roadmaps:item-edit", args=[item.pk]), item_data(item, title="Оператор"), **HTMX
    )
    client = client_for(world.municipal)
    mine = {**stale, "title": "Координатор"}
    client.post(reverse("roadmaps:item-edit", args=[item.pk]), mine, **HTMX)
    client.post(reverse("roadmaps:item-edit", args=[item.pk]), {**mine, "lock_version": 1}, **HTMX)
    item.refresh_from_db()
    assert (item.title, item.lock_version) == ("Координатор", 2)


def test_a_version_can_be_claimed_only_once(item):
    first, second = Item.objects.get(pk=item.pk), Item.objects.get(pk=item.pk)
    first.title, second.title = "Первый", "Второй"
    assert first.save_if_unchanged(0, ["title"]) is True
    assert second.save_if_unchanged(0, ["title"]) is False
    item.refresh_from_db()
    assert (item.title, item.lock_version) == ("Первый", 1)


def test_an_item_of_a_plan_sent_for_review_meanwhile_is_not_saved(world, item, editor):
    data = item_data(item, title="Поздняя правка")
    Roadmap.objects.filter(pk=item.roadmap_id).update(status="review")
    response = editor.post(reverse("roadmaps:item-edit", args=[item.pk]), data, **HTMX)
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.title != "Поздняя правка"


def test_stale_plan_header_edit_shows_the_conflict(world, plan, client_for):
    client_for(world.operator).post(
        reverse("roadmaps:roadmap-edit", args=[plan.pk]),
        {"title": "Название оператора", "period": "2024", "lock_version": 0},
    )
    response = client_for(world.municipal).post(
        reverse("roadmaps:roadmap-edit", args=[plan.pk]),
        {"title": "Название координатора", "period": "2024", "lock_version": 0},
    )
    page = response.content.decode()
    assert "Пока вы редактировали, operator сохранил(а) наименование и период плана" in page
    assert "Название координатора" in page
    plan.refresh_from_db()
    assert plan.title == "Название оператора"


def test_changing_the_period_reads_every_deadline_again(plan, item, editor):
    Item.objects.filter(pk=item.pk).update(deadline_text="Февраль-март")
    response = editor.post(
        reverse("roadmaps:roadmap-edit", args=[plan.pk]),
        {"title": plan.title, "period": "2024/2025", "lock_version": 0},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.deadline_start, item.deadline_end) == (
        datetime.date(2025, 2, 1),
        datetime.date(2025, 3, 31),
    )


# History


def test_an_item_edit_is_recorded_with_the_user_and_the_changed_fields(world, item, editor):
    editor.post(
        reverse("roadmaps:item-edit", args=[item.pk]),
        item_data(item, title="Новое название", responsible=["ИМЦ", "ОО"]),
        **HTMX,
    )
    latest = item.history.first()
    assert latest.history_user == world.municipal
    delta = latest.diff_against(latest.prev_record)
    assert "title" in delta.changed_fields
    assert latest.history_change_reason == "Ответственные: ИМЦ → ИМЦ, ОО"


def test_the_history_page_lists_changes_newest_first_with_old_and_new_values(plan, item, editor):
    editor.post(
        reverse("roadmaps:item-edit", args=[item.pk]),
        item_data(item, title="Название после правки"),
        **HTMX,
    )
    editor.post(
        reverse("roadmaps:section-edit", args=[plan.sections.get().pk]),
        {"number": "1.", "title": "Раздел после правки", "lock_version": 0},
    )
    page = editor.get(reverse("roadmaps:roadmap-history", args=[plan.pk])).content.decode()
    assert page.index("Раздел после правки") < page.index("Название после правки")
    assert (
        "<del>Совещание с координаторами проекта</del> → <ins>Название после правки</ins>" in page
    )
    assert "municipal" in page


def test_the_history_page_query_count_does_not_grow_with_changes(
    plan, item, editor, django_assert_max_num_queries
):
    url = reverse("roadmaps:roadmap-history", args=[plan.pk])
    for n in range(30):
        item.refresh_from_db()
        editor.post(
            reverse("roadmaps:item-edit", args=[item.pk]),
            item_data(item, title=f"Правка {n}"),
            **HTMX,
        )
        make_item(plan.sections.get(), title=f"Новое {n}")
    # 14, and the menu's «Ожидает действий» count (inbox/entries.py, one query).
    with django_assert_max_num_queries(15):
        response = editor.get(url)
    assert "Правка 29" in response.content.decode()
    with django_assert_max_num_queries(15):
        editor.get(url, {"page": 2})


# Parties and glossary


def test_renaming_a_party_updates_the_items_that_name_it(plan, item, editor):
    party = plan.parties.get()
    editor.post(
        reverse("roadmaps:party-edit", args=[party.pk]),
        {"name": "ИМЦ Гатчина", "full_name": party.full_name, "kind": "organization"},
    )
    item.refresh_from_db()
    assert item.responsible_text == "ИМЦ Гатчина"


def test_a_party_can_be_linked_to_a_directory_organization(world, plan, editor):
    party = plan.parties.get()
    response = editor.post(
        reverse("roadmaps:party-edit", args=[party.pk]),
        {
            "name": "ИМЦ",
            "full_name": party.full_name,
            "kind": "organization",
            "organization": world.omsu.pk,
            "in_glossary": "on",
        },
        **HTMX,
    )
    party.refresh_from_db()
    assert party.organization == world.omsu
    assert response.content.decode().lstrip().startswith(f'<tr id="party-{party.pk}"')


def test_a_party_cannot_be_linked_to_an_organization_outside_the_users_scope(world, plan, editor):
    party = plan.parties.get()
    response = editor.post(
        reverse("roadmaps:party-edit", args=[party.pk]),
        {"name": "ИМЦ", "kind": "organization", "organization": world.foreign_school.pk},
    )
    assert "Выберите корректный вариант" in response.content.decode()
    party.refresh_from_db()
    assert party.organization is None


def test_a_duplicate_abbreviation_is_refused(plan, editor):
    response = editor.post(
        reverse("roadmaps:party-add", args=[plan.pk]), {"name": "ИМЦ", "kind": "organization"}
    )
    assert "Обозначение «ИМЦ» уже есть в этом плане." in response.content.decode()
    assert plan.parties.count() == 1


def test_a_party_named_in_items_is_not_deleted(plan, editor):
    party = plan.parties.get()
    response = editor.post(reverse("roadmaps:party-delete", args=[party.pk]), follow=True)
    assert "указан ответственным в мероприятиях (1)" in response.content.decode()
    assert Party.objects.filter(pk=party.pk).exists()


def test_an_unused_party_is_deleted(plan, editor):
    party = make_party(plan, "ГИА")
    editor.post(reverse("roadmaps:party-delete", args=[party.pk]))
    assert not Party.objects.filter(pk=party.pk).exists()


# Frozen plans


def _editing_requests(plan):
    section = plan.sections.get()
    item = plan.items.get()
    party = plan.parties.get()
    return [
        ("get", reverse("roadmaps:roadmap-edit", args=[plan.pk])),
        ("get", reverse("roadmaps:section-add", args=[plan.pk])),
        ("post", reverse("roadmaps:section-add", args=[plan.pk])),
        ("get", reverse("roadmaps:section-edit", args=[section.pk])),
        ("post", reverse("roadmaps:section-edit", args=[section.pk])),
        ("post", reverse("roadmaps:section-move", args=[section.pk])),
        ("post", reverse("roadmaps:section-delete", args=[section.pk])),
        ("get", reverse("roadmaps:item-add", args=[section.pk])),
        ("post", reverse("roadmaps:item-add", args=[section.pk])),
        ("get", reverse("roadmaps:item-edit", args=[item.pk])),
        ("post", reverse("roadmaps:item-edit", args=[item.pk])),
        ("post", reverse("roadmaps:item-move", args=[item.pk])),
        ("post", reverse("roadmaps:item-delete", args=[item.pk])),
        ("post", reverse("roadmaps:party-add", args=[plan.pk])),
        ("get", reverse("roadmaps:party-edit", args=[party.pk])),
        ("post", reverse("roadmaps:party-edit", args=[party.pk])),
        ("post", reverse("roadmaps:party-delete", args=[party.pk])),
    ]


@pytest.mark.parametrize("status", ["review", "approved", "archived"])
def test_every_editing_endpoint_of_a_frozen_plan_answers_403_in_russian(world, client_for, status):
    plan = make_small_plan(world.omsu, status=status)
    client = client_for(world.municipal)
    before = (Section.objects.count(), Item.objects.count(), Party.objects.count())
    for method, url in _editing_requests(plan):
        response = getattr(client, method)(url, {"title": "x", "name": "x", "number": "9"})
        assert response.status_code == 403, f"{method.upper()} {url}"
        assert "только для чтения" in response.content.decode() or (
            "на согласовании" in response.content.decode()
        ), url
    assert (Section.objects.count(), Item.objects.count(), Party.objects.count()) == before


def test_an_approved_plan_shows_no_edit_controls(world, client_for):
    plan = make_small_plan(world.omsu, status="approved")
    page = (
        client_for(world.municipal)
        .get(reverse("roadmaps:roadmap-detail", args=[plan.pk]))
        .content.decode()
    )
    assert "Изменить" not in page
    assert "+ мероприятие" not in page
    assert "План утверждён и доступен только для чтения" in page
    assert "Актуализировать" in page


def test_the_viewer_sees_the_plan_without_edit_controls(world, plan, client_for):
    page = (
        client_for(world.viewer).get(reverse("roadmaps:roadmap-detail", args=[plan.pk]))
    ).content.decode()
    assert "Организационные мероприятия" in page
    assert "Изменить" not in page
    assert "Направить на согласование" not in page


def test_an_outsider_cannot_edit_an_item_of_another_region(world, item, client_for):
    response = client_for(world.outsider).post(
        reverse("roadmaps:item-edit", args=[item.pk]), item_data(item, title="Чужая правка")
    )
    assert response.status_code == 404


def test_a_school_plan_is_edited_by_its_coordinator_and_not_by_the_sibling_school(
    world, client_for
):
    plan = make_small_plan(world.school)
    item = plan.items.get()
    response = client_for(world.school_user).post(
        reverse("roadmaps:item-edit", args=[item.pk]), item_data(item, title="Школьная правка")
    )
    assert response.status_code == 302
    sibling = make_organization(
        region=world.region, municipality=world.municipality, kind="school", short_name="СОШ 3"
    )
    other_plan = make_small_plan(sibling)
    response = client_for(world.school_user).get(
        reverse("roadmaps:item-edit", args=[other_plan.items.get().pk])
    )
    assert response.status_code == 404


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_saves_of_one_version_let_only_the_first_through(world):
    """The second save waits for the first one's locks, then finds the version taken."""
    import threading
    import time

    from django.db import connection, connections, transaction

    if connection.vendor != "postgresql":
        pytest.skip("row locks are a PostgreSQL matter; SQLite has one writer at a time")
    item = make_small_plan(world.omsu).items.get()
    claimed = threading.Event()
    results = {}

    def first():
        try:
            with transaction.atomic():
                mine = Item.objects.get(pk=item.pk)
                mine.title = "Первый"
                results["first"] = mine.save_if_unchanged(0, ["title"])
                claimed.set()
                time.sleep(0.5)  # the second save is waiting on the locks meanwhile
        finally:
            connections.close_all()

    def second():
        try:
            claimed.wait(5)
            theirs = Item.objects.get(pk=item.pk)
            theirs.title = "Второй"
            results["second"] = theirs.save_if_unchanged(0, ["title"])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert results == {"first": True, "second": False}
    item.refresh_from_db()
    assert (item.title, item.lock_version) == ("Первый", 1)


def test_item_form_has_no_empty_directions_box_when_there_are_no_directions(world, client_for):
    plan = make_small_plan(world.omsu)
    item = plan.items.get()
    client = client_for(world.municipal)
    url = reverse("roadmaps:item-edit", args=[item.pk])
    Direction.objects.all().delete()
    assert "<legend>Направления</legend>" not in client.get(url).content.decode()
    Direction.objects.create(code="znanie", name="Знание", group=Direction.Group.values[0])
    page = client.get(url).content.decode()
    assert "<legend>Направления</legend>" in page and "Знание" in page
