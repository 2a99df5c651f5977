"""The directory through the API: what each role sees, and memberships for administrators."""

import pytest
from django.urls import reverse

from orgs.models import Membership, Organization
from tests.factories import make_school, make_user

ROLES = ("anonymous", "operator", "municipal", "school", "viewer", "outsider", "superuser")


def _count(response):
    assert response.status_code == 200, response.content
    return response.json()["count"]


LIST_COUNTS = {
    # Ленинградская область has 2 districts and 6 bodies and schools; Тюменская has 1 and 1.
    "api:region-list": {
        "operator": 1,
        "municipal": 1,
        "school": 1,
        "viewer": 1,
        "outsider": 1,
        "superuser": 89,
    },
    "api:municipality-list": {
        "operator": 2,
        "municipal": 1,
        "school": 1,
        "viewer": 2,
        "outsider": 1,
        "superuser": 3,
    },
    "api:organization-list": {
        "operator": 6,
        "municipal": 3,
        "school": 1,
        "viewer": 6,
        "outsider": 1,
        "superuser": 7,
    },
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", LIST_COUNTS)
def test_each_role_lists_only_its_scope_of_the_directory(name, role, api):
    response = api(role).get(reverse(name))
    if role == "anonymous":
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"
    else:
        assert _count(response) == LIST_COUNTS[name][role]


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 401),
        ("operator", 200),
        ("municipal", 200),
        ("school", 404),
        ("viewer", 200),
        ("outsider", 404),
        ("superuser", 200),
    ],
)
def test_sibling_school_is_visible_to_its_district_and_region_only(role, status, api, world):
    url = reverse("api:organization-detail", args=[world.sibling_school.pk])
    assert api(role).get(url).status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [("operator", 200), ("municipal", 404), ("school", 404), ("outsider", 404)],
)
def test_other_district_is_hidden_from_another_districts_coordinator(role, status, api, world):
    url = reverse("api:municipality-detail", args=[world.other_municipality.pk])
    assert api(role).get(url).status_code == status


def test_outsider_cannot_open_the_region_of_the_cast(api, world):
    url = reverse("api:region-detail", args=[world.region.pk])
    assert api("outsider").get(url).status_code == 404


def test_organizations_filter_by_kind_region_municipality_and_search(api, world):
    client = api("operator")
    url = reverse("api:organization-list")
    assert _count(client.get(url, {"kind": "school"})) == 3
    assert _count(client.get(url, {"municipality": world.municipality.pk})) == 3
    assert _count(client.get(url, {"region": world.region.pk})) == 6
    found = client.get(url, {"search": "Лужская"}).json()["results"]
    assert [org["id"] for org in found] == [world.other_school.pk]


def test_filtering_by_a_municipality_outside_the_scope_is_refused_not_confirmed(api, world):
    foreign = world.foreign_school.municipality
    response = api("operator").get(reverse("api:organization-list"), {"municipality": foreign.pk})
    assert response.status_code == 400
    missing = api("operator").get(reverse("api:organization-list"), {"municipality": 999999})
    assert missing.json() == response.json()


def test_organization_shows_its_level_and_education_levels(api, world):
    data = api("municipal").get(reverse("api:organization-detail", args=[world.school.pk])).json()
    assert data["level"] == "school"
    assert data["municipality"] == world.municipality.pk
    assert (data["teaches_noo"], data["teaches_ooo"], data["teaches_soo"]) == (True, True, True)


def test_municipalities_filter_by_region(api, world):
    response = api("superuser").get(
        reverse("api:municipality-list"), {"region": world.foreign_region.pk}
    )
    assert [m["name"] for m in response.json()["results"]] == ["Тобольский район"]


@pytest.mark.parametrize("role", ["operator", "municipal", "school", "viewer", "outsider"])
def test_only_administrators_read_memberships(role, api):
    response = api(role).get(reverse("api:membership-list"))
    assert response.status_code == 403
    assert "только администраторам" in response.json()["detail"]


def test_anonymous_request_for_memberships_must_authenticate(api):
    assert api("anonymous").get(reverse("api:membership-list")).status_code == 401


def test_administrator_lists_and_filters_memberships(api, world):
    client = api("superuser")
    assert _count(client.get(reverse("api:membership-list"))) == 5
    by_role = client.get(reverse("api:membership-list"), {"role": "viewer"}).json()["results"]
    assert [m["username"] for m in by_role] == ["viewer"]
    in_72 = client.get(reverse("api:membership-list"), {"region": world.foreign_region.pk})
    assert [m["username"] for m in in_72.json()["results"]] == ["outsider"]


def test_administrator_grants_changes_and_revokes_a_role(api, world):
    client = api("superuser")
    newcomer = make_user("newcomer")
    response = client.post(
        reverse("api:membership-list"),
        {
            "user": newcomer.pk,
            "organization": world.sibling_school.pk,
            "role": "school_coordinator",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    url = reverse("api:membership-detail", args=[response.json()["id"]])
    assert client.patch(url, {"role": "viewer"}, format="json").status_code == 200
    assert Membership.objects.get(user=newcomer).role == "viewer"
    assert client.delete(url).status_code == 204
    assert not Membership.objects.filter(user=newcomer).exists()


def test_role_must_match_the_organization_level(api, world):
    response = api("superuser").post(
        reverse("api:membership-list"),
        {"user": world.viewer.pk, "organization": world.school.pk, "role": "regional_operator"},
        format="json",
    )
    assert response.status_code == 400
    assert "уровня" in response.json()["role"][0]


def test_a_user_is_a_member_of_an_organization_once(api, world):
    response = api("superuser").post(
        reverse("api:membership-list"),
        {"user": world.school_user.pk, "organization": world.school.pk, "role": "viewer"},
        format="json",
    )
    assert response.status_code == 400


@pytest.mark.parametrize("role", ["operator", "viewer", "outsider"])
def test_only_administrators_grant_roles(role, api, world):
    response = api(role).post(
        reverse("api:membership-list"),
        {"user": world.viewer.pk, "organization": world.school.pk, "role": "viewer"},
        format="json",
    )
    assert response.status_code == 403


def test_directory_is_read_only_even_for_administrators(api, world):
    client = api("superuser")
    url = reverse("api:organization-detail", args=[world.school.pk])
    assert client.patch(url, {"short_name": "x"}, format="json").status_code == 405
    assert client.delete(url).status_code == 405
    assert Organization.objects.filter(pk=world.school.pk).exists()


@pytest.mark.parametrize(
    "name", ["api:region-list", "api:municipality-list", "api:organization-list"]
)
def test_directory_list_queries_do_not_grow_with_page_size(
    name, api, world, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(60):
        make_school(world.municipality)
    client = api("operator")
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse(name), {"page_size": 5}).status_code == 200
    with django_assert_max_num_queries(len(small)):
        assert client.get(reverse(name), {"page_size": 50}).status_code == 200


def test_administrator_membership_list_queries_do_not_grow_with_page_size(
    api, world, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(60):
        Membership.objects.create(
            user=make_user(f"member{n}"), organization=world.school, role="viewer"
        )
    client = api("superuser")
    url = reverse("api:membership-list")
    with CaptureQueriesContext(connection) as small:
        assert client.get(url, {"page_size": 5}).status_code == 200
    with django_assert_max_num_queries(len(small)):
        assert client.get(url, {"page_size": 50}).status_code == 200


def test_page_size_is_capped_at_two_hundred(api, world):
    for _ in range(205):
        make_school(world.municipality)
    response = api("operator").get(reverse("api:organization-list"), {"page_size": 1000})
    assert len(response.json()["results"]) == 200
