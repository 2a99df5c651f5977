"""Pages of the items across plans (/api/v1/items/): read without counting every row."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from roadmaps.api.serializers import ItemAcrossPlansSerializer
from roadmaps.api.views import ItemViewSet
from roadmaps.models import Direction, Item
from tests.factories import add_responsible, make_item, make_party, make_roadmap, make_section

URL = "/api/v1/items/"


@pytest.fixture
def items(world):
    """Two plans of the operator's region, 7 items in all, in the API's order."""
    for owner, n in ((world.school, 4), (world.omsu, 3)):
        section = make_section(make_roadmap(owner))
        for _ in range(n):
            make_item(section)
    return list(
        Item.objects.filter(roadmap__owner__region=world.region)
        .order_by("roadmap_id", "id")
        .values_list("pk", flat=True)
    )


def _get(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_pages_cover_every_item_once_in_order(api, items):
    client = api("operator")
    seen, url, pages = [], URL + "?page_size=3", 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        data = response.json()
        assert "count" not in data
        seen += [row["id"] for row in data["results"]]
        url = data["next"]
        pages += 1
    assert seen == items
    assert pages == 3  # 3 + 3 + 1


def test_links_lead_back_and_forth(api, items):
    client = api("operator")
    first = _get(client, page_size=3)
    assert first["previous"] is None
    assert "page=2" in first["next"]
    second = _get(client, page_size=3, page=2)
    assert "page" not in second["previous"].split("?", 1)[1].replace("page_size", "")
    assert "page=3" in second["next"]
    last = _get(client, page_size=3, page=3)
    assert last["next"] is None
    assert "page=2" in last["previous"]


def test_a_full_last_page_has_no_next(api, items):
    data = _get(api("operator"), page_size=len(items))
    assert len(data["results"]) == len(items)
    assert data["next"] is None


def test_the_total_is_counted_only_when_asked(api, items, world):
    client = api("operator")
    with CaptureQueriesContext(connection) as plain:
        _get(client, page_size=3)
    assert not [q for q in plain.captured_queries if "COUNT(" in q["sql"].upper()]
    counted = _get(client, page_size=3, count="true")
    assert counted["count"] == len(items)
    filtered = _get(client, page_size=3, count="true", owner=world.school.pk)
    assert filtered["count"] == 4


def test_the_total_keeps_to_the_scope(api, items, world):
    foreign = make_section(make_roadmap(world.foreign_school))
    make_item(foreign)
    assert _get(api("operator"), count="true")["count"] == len(items)
    assert _get(api("superuser"), count="true")["count"] == Item.objects.count() == len(items) + 1


@pytest.mark.parametrize("page", ["0", "-1", "abc", "9"])
def test_a_page_that_does_not_exist_is_a_404_in_russian(api, items, page):
    response = api("operator").get(URL, {"page": page, "page_size": 3})
    assert response.status_code == 404
    assert response.json()["detail"] == "Нет такой страницы."


def test_an_empty_list_is_one_empty_page(api, world):
    data = _get(api("operator"))
    assert data == {"next": None, "previous": None, "results": []}


def test_the_schema_describes_the_count_switch(api):
    schema = api("operator").get(reverse("api:schema"), {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/items/"]["get"]
    switch = next(p for p in operation["parameters"] if p["name"] == "count")
    assert switch["schema"]["type"] == "boolean"
    assert switch["description"].startswith("true — посчитать")
    page = schema["components"]["schemas"]["PaginatedItemAcrossPlansList"]
    assert page["required"] == ["results"]
    # Other lists keep their total.
    plans = schema["components"]["schemas"]["PaginatedRoadmapList"]
    assert "count" in plans["required"]


@pytest.mark.parametrize(
    ("ordering", "tail"),
    [
        ("status", '"status" ASC, "roadmaps_item"."id" ASC'),
        ("-status", '"status" DESC, "roadmaps_item"."id" ASC'),
        ("-number,status", '"status" ASC, "roadmaps_item"."id" ASC'),
    ],
)
def test_a_chosen_order_ends_with_the_id(api, items, ordering, tail):
    # Every item has the same status: without the id last, rows equal in the chosen fields
    # could come in another order on the next request, and pages would repeat or skip them.
    client = api("operator")
    with CaptureQueriesContext(connection) as queries:
        data = _get(client, page_size=2, ordering=ordering)
    [page] = [q["sql"] for q in queries.captured_queries if "LIMIT 3" in q["sql"]]
    assert page.rstrip().removesuffix("LIMIT 3").rstrip().endswith(tail)
    seen, url = [row["id"] for row in data["results"]], data["next"]
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen += [row["id"] for row in response.json()["results"]]
        url = response.json()["next"]
    assert sorted(seen) == sorted(items)


def test_a_listed_item_reads_as_drfs_own_fields_would_write_it(world):
    """The list writes its rows out by hand for speed; each must equal what the serializer's
    declared fields give, for every field, on items unlike each other."""
    roadmap = make_roadmap(world.school)
    section = make_section(roadmap)
    plain = make_item(section)
    dated = make_item(
        section,
        deadline_text="ежеквартально, до 25 числа",
        deadline_kind="recurring",
        deadline_start=datetime.date(2024, 1, 1),
        deadline_end=datetime.date(2024, 3, 1),
        deadline_occurrences=4,
        deadline_note="каждый квартал",
        deadline_warnings=["Год не указан: взят год плана."],
        status="in_progress",
        source_item=plain,
    )
    undated = make_item(
        section, deadline_text="", deadline_kind="unknown", deadline_start=None, deadline_end=None
    )
    add_responsible(dated, make_party(roadmap, "ИМЦ"), make_party(roadmap, "ОО"))
    dated.directions.set(Direction.objects.filter(code__in=["znanie", "tvorchestvo"]))
    rows = ItemViewSet().scoped_queryset(world.operator).filter(roadmap=roadmap)
    serializer = ItemAcrossPlansSerializer()
    for item in rows:
        fast = serializer.to_representation(item)
        general = super(ItemAcrossPlansSerializer, serializer).to_representation(item)
        assert list(fast) == list(general) == list(serializer.fields)
        assert fast == dict(general)
    assert {undated.pk, dated.pk, plain.pk} == {item.pk for item in rows}
    assert dated.directions.count() == 2
