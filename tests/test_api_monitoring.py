"""The monitoring of execution in the API: /api/v1/monitoring/ (the page's figures),
/api/v1/monitoring/plans/ (its list of plans) and /api/v1/monitoring/pdf/ (its справка).

The world is the one of tests/test_monitoring.py, counted by hand, the date frozen at 15 May 2024:

    region (institute):  done, overdue since 30.04, in progress until 31.12, cancelled
    municipality (omsu): done, in progress overdue since 14.05
    school:              done, not started overdue since 31.03, no end date
    sibling school:      two not started until 31.12; and a draft with five overdue items
    Luga school:         done
    foreign school:      one overdue item, seen by the outsider only

Every number the API gives is also compared with what the page shows for the same filters.
"""

import datetime
import io
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from roadmaps.models import Roadmap
from tests.factories import (
    make_api_client,
    make_roadmap,
    make_school,
    make_user,
)
from tests.test_monitoring import add_items, d, hand_counted_plans

ROLES = ("anonymous", "operator", "municipal", "school", "viewer", "outsider", "superuser")
APPROVED = Roadmap.Status.APPROVED
FORBIDDEN = "Мониторинг доступен участникам проекта."
COUNT_KEYS = (
    "item_count",
    "done_count",
    "in_progress_count",
    "not_started_count",
    "cancelled_count",
    "overdue_count",
)
SUMMARY = "api:monitoring-list"
PLANS = "api:monitoring-plan-list"
PDF = "api:monitoring-pdf"
ENDPOINTS = (SUMMARY, PLANS, PDF)
CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(
        datetime.datetime(2024, 5, 15, 12, 0, tzinfo=datetime.UTC), tick=False
    ):
        yield


@pytest.fixture
def plans(world):
    return hand_counted_plans(world)


@pytest.fixture
def users(world, superuser):
    return {
        "operator": world.operator,
        "municipal": world.municipal,
        "school": world.school_user,
        "viewer": world.viewer,
        "outsider": world.outsider,
        "superuser": superuser,
    }


def get(client, name, **params):
    return client.get(reverse(name), params)


def counts(row):
    return tuple(row[key] for key in ("plan_count", "item_count", "done_count", "overdue_count"))


def page_figures(client, params):
    """What the monitoring page shows for `params`: totals, municipalities, plans in order."""
    response = client.get(reverse("roadmaps:monitoring"), params)
    assert response.status_code == 200
    context = response.context
    totals = {key: context["totals"][key] for key in ("plan_count", *COUNT_KEYS)}
    municipalities = [
        (
            row["municipality_id"],
            row["municipality_name"],
            row["plan_count"],
            *(row[key] for key in COUNT_KEYS),
        )
        for row in context["municipalities"]
    ]
    plans = [
        (plan.pk, *(getattr(plan, key) for key in COUNT_KEYS)) for plan in context["plan_page"]
    ]
    return totals, municipalities, plans


def api_figures(client, params):
    response = get(client, SUMMARY, **params)
    assert response.status_code == 200, response.content
    body = response.json()
    totals = {key: body["totals"][key] for key in ("plan_count", *COUNT_KEYS)}
    municipalities = [
        (row["id"], row["name"], row["plan_count"], *(row[key] for key in COUNT_KEYS))
        for row in body["municipalities"]
    ]
    response = get(client, PLANS, **params)
    assert response.status_code == 200, response.content
    plans = [(row["id"], *(row[key] for key in COUNT_KEYS)) for row in response.json()["results"]]
    return totals, municipalities, plans


def pdf_text(data: bytes) -> str:
    pages = PdfReader(io.BytesIO(data)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


# Who may read it


@pytest.mark.parametrize("name", ENDPOINTS)
def test_anonymous_gets_401_everywhere(db, name):
    response = make_api_client().get(reverse(name))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("name", ENDPOINTS)
def test_user_without_a_role_gets_403_with_the_pages_reason(world, plans, name):
    response = make_api_client(make_user("nobody")).get(reverse(name))
    assert response.status_code == 403
    assert response.json() == {"detail": FORBIDDEN}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", None),
        ("operator", (5, 12, 4, 3)),
        ("viewer", (5, 12, 4, 3)),
        ("municipal", (3, 7, 2, 2)),
        ("school", (1, 3, 1, 1)),
        ("outsider", (1, 1, 0, 1)),
        ("superuser", (6, 13, 4, 4)),
    ],
)
def test_each_role_gets_the_totals_of_the_plans_it_answers_for(api, plans, role, expected):
    response = get(api(role), SUMMARY)
    if expected is None:
        assert response.status_code == 401
        return
    assert response.status_code == 200
    assert counts(response.json()["totals"]) == expected


@pytest.mark.parametrize("role", [role for role in ROLES if role != "anonymous"])
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"status": ""},
        {"status": "draft"},
        {"level": "school", "status": "approved"},
        {"level": "region"},
        {"level": "municipality", "year": "2024"},
        {"status": "approved", "year": "2023"},
    ],
)
def test_numbers_are_those_of_the_page_for_every_role_and_filter(
    api, users, client_for, plans, role, params
):
    page = page_figures(client_for(users[role]), params)
    assert api_figures(api(role), params) == page


def test_municipality_filter_gives_the_pages_numbers(api, world, client_for, plans):
    params = {"municipality": world.municipality.pk}
    page = page_figures(client_for(world.operator), params)
    figures = api_figures(api("operator"), params)
    assert figures == page
    assert {plan[0] for plan in figures[2]} == {
        plans[name].pk for name in ("omsu", "school", "sibling")
    }


# The summary


def test_summary_for_the_operator_counted_by_hand(api, world, plans):
    body = get(api("operator"), SUMMARY).json()
    assert body["today"] == "2024-05-15"
    assert body["filters"] == {
        "level": "",
        "municipality": None,
        "status": "approved",
        "year": None,
    }
    assert body["totals"] == {
        "plan_count": 5,
        "item_count": 12,
        "done_count": 4,
        "in_progress_count": 2,
        "not_started_count": 5,
        "cancelled_count": 1,
        "overdue_count": 3,
        "done_percent": 33,
    }
    # The regional plan is in the totals, not in a municipality.
    assert [(row["id"], row["name"], *counts(row)) for row in body["municipalities"]] == [
        (world.municipality.pk, "Гатчинский муниципальный округ", 3, 7, 2, 2),
        (world.other_municipality.pk, "Лужский муниципальный район", 1, 1, 1, 0),
    ]
    assert body["municipalities"][0]["done_percent"] == 29


def test_summary_echoes_the_filters_it_counted_by(api, world, plans):
    params = {"level": "school", "municipality": world.municipality.pk, "status": "", "year": 2024}
    body = get(api("operator"), SUMMARY, **params).json()
    assert body["filters"] == {
        "level": "school",
        "municipality": world.municipality.pk,
        "status": "",
        "year": 2024,
    }
    # Any status: the sibling school's draft joins its approved plan.
    assert counts(body["totals"]) == (3, 10, 1, 6)


def test_an_empty_status_counts_plans_in_any_status(api, plans):
    body = get(api("operator"), SUMMARY, status="").json()
    assert counts(body["totals"]) == (6, 17, 4, 8)


def test_summary_moves_when_an_item_is_done(api, plans):
    client = api("municipal")
    assert get(client, SUMMARY).json()["totals"]["overdue_count"] == 2
    plans["school"].items.filter(status="not_started", deadline_end=d(3, 31)).update(status="done")
    totals = get(client, SUMMARY).json()["totals"]
    assert (totals["done_count"], totals["overdue_count"]) == (3, 1)


def test_school_coordinator_does_not_see_the_plans_it_only_implements(api, world, plans):
    body = get(api("school"), SUMMARY).json()
    assert body["municipalities"] == [
        {
            "id": world.municipality.pk,
            "name": "Гатчинский муниципальный округ",
            "plan_count": 1,
            "item_count": 3,
            "done_count": 1,
            "in_progress_count": 0,
            "not_started_count": 2,
            "cancelled_count": 0,
            "overdue_count": 1,
            "done_percent": 33,
        }
    ]


# The list of plans


def test_plan_rows_carry_owner_municipality_period_status_and_progress(api, world, plans):
    rows = get(api("school"), PLANS).json()["results"]
    plan = plans["school"]
    assert rows == [
        {
            "id": plan.pk,
            "title": plan.title,
            "owner": world.school.pk,
            "owner_name": "МБОУ «Гатчинская СОШ № 1»",
            "municipality": world.municipality.pk,
            "municipality_name": "Гатчинский муниципальный округ",
            "level": "school",
            "status": "approved",
            "period_start": "2024-01-01",
            "period_end": "2024-12-31",
            "period_label": "2024 год",
            "version": 1,
            "item_count": 3,
            "done_count": 1,
            "in_progress_count": 0,
            "not_started_count": 2,
            "cancelled_count": 0,
            "overdue_count": 1,
            "done_percent": 33,
        }
    ]


def test_regional_plan_has_no_municipality(api, plans):
    rows = get(api("operator"), PLANS, level="region").json()["results"]
    assert [(row["id"], row["municipality"], row["municipality_name"]) for row in rows] == [
        (plans["region"].pk, None, None)
    ]


def test_outsider_lists_only_the_plans_of_its_own_school(api, plans):
    response = get(api("outsider"), PLANS)
    assert [row["id"] for row in response.json()["results"]] == [plans["foreign"].pk]


def test_superuser_lists_the_approved_plans_of_every_region(api, plans):
    response = get(api("superuser"), PLANS)
    assert {row["id"] for row in response.json()["results"]} == {
        plans[name].pk for name in ("region", "omsu", "school", "sibling", "luga", "foreign")
    }


def test_plans_come_in_pages_in_the_pages_order(api, world, client_for, plans):
    expected = [plan[0] for plan in page_figures(client_for(world.operator), {})[2]]
    client = api("operator")
    first = get(client, PLANS, page_size=2).json()
    assert first["count"] == 5
    assert first["previous"] is None
    seen = [row["id"] for row in first["results"]]
    url = first["next"]
    while url:
        body = client.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert seen == expected
    assert get(client, PLANS, page=9).status_code == 404


def test_plan_list_queries_do_not_grow_with_the_number_of_plans(
    api, world, plans, django_assert_max_num_queries
):
    client = api("operator")
    get(client, PLANS)
    with CaptureQueriesContext(connection) as small:
        assert get(client, PLANS).status_code == 200
    for _ in range(30):
        roadmap = make_roadmap(make_school(world.other_municipality), status=APPROVED)
        add_items(roadmap, ("not_started", d(4, 1)), ("done", d(3, 1)))
    with django_assert_max_num_queries(len(small)):
        response = get(client, PLANS, page_size=100)
    assert response.json()["count"] == 35
    assert len(response.json()["results"]) == 35


def test_summary_queries_do_not_grow_with_the_number_of_plans(
    api, world, plans, django_assert_max_num_queries
):
    client = api("operator")
    get(client, SUMMARY)
    with CaptureQueriesContext(connection) as small:
        assert get(client, SUMMARY).status_code == 200
    for _ in range(30):
        roadmap = make_roadmap(make_school(world.other_municipality), status=APPROVED)
        add_items(roadmap, ("not_started", d(4, 1)))
    with django_assert_max_num_queries(len(small)):
        response = get(client, SUMMARY)
    assert response.json()["totals"]["plan_count"] == 35


# Bad filters: 400 with the form's words, on every endpoint


@pytest.mark.parametrize("name", ENDPOINTS)
@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"year": "20x4"}, "year", "Укажите год цифрами, например 2024."),
        ({"year": "1999"}, "year", "Укажите год не раньше 2000."),
        ({"year": "2101"}, "year", "Укажите год не позже 2100."),
        ({"level": "city"}, "level", "city"),
        ({"status": "deleted"}, "status", "deleted"),
        ({"municipality": "abc"}, "municipality", ""),
    ],
)
def test_a_bad_filter_is_a_400_with_the_forms_message(api, plans, name, params, field, words):
    response = get(api("operator"), name, **params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    errors = response.json()
    assert list(errors) == [field]
    assert CYRILLIC.search(errors[field][0])
    assert words in errors[field][0]


@pytest.mark.parametrize("name", ENDPOINTS)
def test_a_municipality_outside_the_scope_is_refused_like_a_missing_one(api, world, plans, name):
    foreign = world.foreign_school.municipality_id
    outside = get(api("operator"), name, municipality=foreign)
    missing = get(api("operator"), name, municipality=foreign + 1000)
    assert outside.status_code == missing.status_code == 400
    assert outside.json()["municipality"] == [
        message.replace(str(foreign + 1000), str(foreign))
        for message in missing.json()["municipality"]
    ]
    # The outsider cannot name a municipality of region 47 either.
    response = get(api("outsider"), name, municipality=world.municipality.pk)
    assert response.status_code == 400


def test_the_page_falls_back_where_the_api_refuses(api, world, client_for, plans):
    # The page shows the error and counts its default plans; the API says what is wrong.
    page = client_for(world.operator).get(reverse("roadmaps:monitoring"), {"year": "20x4"})
    assert page.status_code == 200
    assert page.context["totals"]["plan_count"] == 5
    assert get(api("operator"), SUMMARY, year="20x4").status_code == 400


# The справка in PDF


def test_pdf_is_the_pages_spravka_for_the_same_filters(api, world, client_for, plans):
    params = {"municipality": world.other_municipality.pk, "status": "approved"}
    response = get(api("operator"), PDF, **params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="monitoring-2024-05-15')
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert "Информационно-аналитическая справка о ходе реализации дорожных карт" in text
    assert "Лужский муниципальный район · по состоянию на 15.05.2024" in text
    assert "в муниципальном образовании утверждена 1 дорожная карта" in text
    page = client_for(world.operator).get(reverse("reports:monitoring-pdf"), params)
    assert text == pdf_text(page.content)


def test_pdf_is_given_whatever_the_client_accepts(api, plans):
    response = api("municipal").get(reverse(PDF), {"status": ""}, HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert "Гатчинский муниципальный округ · по состоянию на 15.05.2024" in text
    # Any status: the sibling school's draft is counted with the three approved plans.
    assert "в муниципальном образовании учтены 4 дорожные карты" in text
    assert "Лужск" not in text


def test_outsiders_pdf_covers_only_its_school(api, plans):
    text = pdf_text(get(api("outsider"), PDF).content)
    assert "в организации утверждена 1 дорожная карта" in text
    assert "Гатчин" not in text
    assert "ЛОИРО" not in text


# The schema


def test_operations_are_in_the_monitoring_section_and_point_to_the_overdue_items(db):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path in ("/api/v1/monitoring/", "/api/v1/monitoring/plans/", "/api/v1/monitoring/pdf/"):
        operation = schema["paths"][path]["get"]
        assert operation["tags"] == ["monitoring"]
        parameters = {parameter["name"] for parameter in operation["parameters"]}
        assert {"level", "municipality", "status", "year"} <= parameters
    summary = schema["paths"]["/api/v1/monitoring/"]["get"]
    assert (
        "/api/v1/items/?overdue=true&in_force=true&own=true&roadmap_status=approved"
        in summary["description"]
    )
    # One object, not a page of them.
    body = summary["responses"]["200"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/Monitoring"}
    plans = schema["paths"]["/api/v1/monitoring/plans/"]["get"]
    assert {"page", "page_size"} <= {parameter["name"] for parameter in plans["parameters"]}


@pytest.mark.parametrize("role", ["operator", "municipal", "superuser"])
def test_the_pages_overdue_list_is_the_items_filtered_as_the_filter_says(
    api, world, client_for, plans, users, role
):
    # A new draft version of the school's plan: monitoring still counts the approved one.
    make_roadmap(world.school, lineage=plans["school"].lineage, version=2)
    response = client_for(users[role]).get(reverse("roadmaps:monitoring"))
    on_page = {item.pk for item in response.context["overdue_page"]}
    items = api(role).get(
        reverse("api:item-list"),
        {
            "overdue": "true",
            "in_force": "true",
            "own": "true",
            "roadmap_status": "approved",
            "page_size": 200,
        },
    )
    assert items.status_code == 200, items.content
    assert {row["id"] for row in items.json()["results"]} == on_page
    assert on_page  # the fixture has overdue items in every role's plans
    everything = api(role).get(reverse("api:item-list"), {"overdue": "true", "page_size": 200})
    assert {row["id"] for row in everything.json()["results"]} > on_page  # the draft's too
