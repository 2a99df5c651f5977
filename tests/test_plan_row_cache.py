"""The read-only plan table's rows come from the cache, keyed by what they show: a report, a
renamed party, a new day or another user's rights change the key, never a stale row."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from roadmaps import glossary
from roadmaps.models import Roadmap
from tests.factories import (
    add_responsible,
    make_item,
    make_member,
    make_party,
    make_report,
    make_roadmap,
    make_section,
)

TODAY = datetime.datetime(2024, 3, 20, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _today_and_an_empty_cache():
    cache.clear()
    with time_machine.travel(TODAY, tick=False):
        yield
    cache.clear()


@pytest.fixture
def plan(world):
    roadmap = make_roadmap(world.school, status=Roadmap.Status.APPROVED)
    section = make_section(roadmap)
    party = make_party(roadmap, "Заместитель директора по УВР")
    item = make_item(
        section,
        title="Неделя функциональной грамотности",
        deadline_text="до 25 марта",
        deadline_kind="dates",
        deadline_start=datetime.date(2024, 3, 1),
        deadline_end=datetime.date(2024, 3, 25),
    )
    add_responsible(item, party)
    return roadmap, item, party


def _page(client, roadmap):
    response = client.get(reverse("roadmaps:roadmap-detail", args=[roadmap.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _table(html):
    start = html.index('<table class="data-table plan-table"')
    return html[start : html.index("</table>", start)]


def _row(html, item):
    start = html.index(f'<tr id="item-{item.pk}"')
    return html[start : html.index("</tr>", start)]


def test_the_second_view_comes_from_the_cache_and_is_the_same_page(world, plan, client_for):
    roadmap, item, _ = plan
    client = client_for(world.school_user)
    first = _table(_page(client, roadmap))
    assert any(key.startswith(":1:plan-row:") for key in cache._cache)  # locmem's own store
    assert _table(_page(client, roadmap)) == first
    assert "Неделя функциональной грамотности" in _row(first, item)


def test_a_report_shows_at_once(world, plan, client_for):
    roadmap, item, _ = plan
    client = client_for(world.school_user)
    assert "не начато" in _row(_page(client, roadmap), item)
    make_report(item, status="done", date=datetime.date(2024, 3, 18), author=world.school_user)
    row = _row(_page(client, roadmap), item)
    assert "выполнено" in row
    assert "не начато" not in row


def test_a_renamed_party_shows_at_once(world, plan, client_for):
    roadmap, item, party = plan
    client = client_for(world.school_user)
    assert "Заместитель директора по УВР" in _row(_page(client, roadmap), item)
    old_name, party.name = party.name, "Директор школы"
    glossary.save_party(party, old_name=old_name, user=world.school_user)
    row = _row(_page(client, roadmap), item)
    assert "Директор школы" in row
    assert "Заместитель директора по УВР" not in row


def test_the_next_day_an_item_becomes_overdue(world, plan, client_for):
    roadmap, item, _ = plan
    client = client_for(world.school_user)
    assert "просрочено" not in _row(_page(client, roadmap), item)
    with time_machine.travel(TODAY + datetime.timedelta(days=6), tick=False):
        assert "просрочено" in _row(_page(client, roadmap), item)


def test_who_may_report_and_who_only_reads_get_their_own_rows(world, plan, client_for):
    roadmap, item, _ = plan
    viewer = make_member(world.school, "viewer")
    assert "Отчёт<span" in _row(_page(client_for(world.school_user), roadmap), item)
    assert "Отчёты<span" in _row(_page(client_for(viewer), roadmap), item)
    assert "Отчёт<span" in _row(_page(client_for(world.school_user), roadmap), item)


def test_plan_page_queries_do_not_grow_with_items_and_warm_skips_the_tables_reads(
    world, plan, client_for, django_assert_max_num_queries
):
    roadmap, item, party = plan
    client = client_for(world.school_user)
    with django_assert_max_num_queries(40) as cold:
        _page(client, roadmap)
    with django_assert_max_num_queries(40) as warm:
        _page(client, roadmap)
    # Sections, items and the three prefetches (responsible, directions, occurrences).
    assert len(warm.captured_queries) <= len(cold.captured_queries) - 5
    for _ in range(30):
        add_responsible(make_item(item.section), party)
    cache.clear()
    with django_assert_max_num_queries(len(cold.captured_queries)):
        _page(client, roadmap)
    with django_assert_max_num_queries(len(warm.captured_queries)):
        _page(client, roadmap)


def test_a_direction_linked_or_renamed_in_the_admin_shows_at_once(world, plan, client_for):
    from roadmaps.models import Direction

    roadmap, item, _ = plan
    client = client_for(world.school_user)
    direction = Direction.objects.create(
        name="Проверка направлений", code="znanie-test", group="direction"
    )
    _page(client, roadmap)
    item.directions.add(direction)
    assert "Проверка направлений" in _row(_page(client, roadmap), item)
    direction.name = "Проверка направлений, новое имя"
    direction.save()
    assert "Проверка направлений, новое имя" in _row(_page(client, roadmap), item)


def test_an_editor_of_a_draft_gets_no_cached_table(world, client_for):
    roadmap = make_roadmap(world.school)
    item = make_item(make_section(roadmap), title="Первое")
    client = client_for(world.school_user)
    _page(client, roadmap)
    item.title = "Второе"
    item.save()
    assert "Второе" in _row(_page(client, roadmap), item)
    assert not any(key.startswith(":1:plan-table:") for key in cache._cache)


def test_an_editors_rows_are_cached_with_the_requests_csrf_token(world, client_for):
    from roadmaps.row_cache import CSRF_MARKER

    roadmap = make_roadmap(world.school)
    item = make_item(make_section(roadmap), title="Первое")
    client = client_for(world.school_user)
    first = _row(_page(client, roadmap), item)
    assert any(key.startswith(":1:plan-row:") for key in cache._cache)
    assert CSRF_MARKER not in first
    assert 'name="csrfmiddlewaretoken" value="' in first
    # The cached row posts with a token the server accepts: move the item down and back.
    token = first.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    enforcing = client_for(world.school_user)
    enforcing.handler.enforce_csrf_checks = True
    enforcing.cookies = client.cookies
    response = enforcing.post(
        reverse("roadmaps:item-move", args=[item.pk]),
        {"direction": "down", "csrfmiddlewaretoken": token},
    )
    assert response.status_code in (200, 302)
    second = _row(_page(client, roadmap), item)
    assert CSRF_MARKER not in second and "Изменить" in second


def test_an_editors_own_edit_shows_at_once_in_the_cached_rows(world, client_for):
    roadmap = make_roadmap(world.school)
    item = make_item(make_section(roadmap), title="Первое")
    client = client_for(world.school_user)
    assert "Первое" in _row(_page(client, roadmap), item)
    response = client.post(
        reverse("roadmaps:item-edit", args=[item.pk]),
        {
            "number": item.number,
            "title": "Второе",
            "deadline_text": "",
            "responsible": "",
            "result": "",
            "status": item.status,
            "lock_version": item.lock_version,
        },
    )
    assert response.status_code in (200, 302), response.content[:500]
    item.refresh_from_db()
    assert item.title == "Второе"
    assert "Второе" in _row(_page(client, roadmap), item)
