"""Every URL of the portal, as every role, with the status each must get.

Add a row to ROUTES with each new URL: test_every_url_is_in_the_privacy_table fails until you do.
Statuses: 200 ok, 302 to the login page (anonymous), 403 read-only or no such role,
404 out of scope.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

ROLES = ("anonymous", "operator", "municipal", "school", "viewer", "outsider", "superuser")


@dataclass
class Route:
    url: Callable  # world -> path
    expect: dict[str, int]
    method: str = "get"
    data: Callable = field(default=lambda world: {})


def everyone(status=200, **overrides):
    statuses = dict.fromkeys(ROLES, status)
    statuses["anonymous"] = 302
    statuses.update(overrides)
    return statuses


ROUTES: dict[str, list[Route]] = {
    "home": [Route(lambda w: reverse("home"), everyone())],
    "login": [
        Route(lambda w: reverse("login"), everyone(anonymous=200, **dict.fromkeys(ROLES[1:], 302)))
    ],
    "password_change": [Route(lambda w: reverse("password_change"), everyone())],
    "password_change_done": [Route(lambda w: reverse("password_change_done"), everyone())],
    "orgs:municipality-detail": [
        # The operator's region: everyone there but the school sees the district.
        Route(
            lambda w: reverse("orgs:municipality-detail", args=[w.municipality.pk]),
            everyone(outsider=404),
        ),
        Route(
            lambda w: reverse("orgs:municipality-detail", args=[w.other_municipality.pk]),
            everyone(municipal=404, school=404, outsider=404),
        ),
    ],
    "orgs:organization-detail": [
        Route(
            lambda w: reverse("orgs:organization-detail", args=[w.school.pk]),
            everyone(outsider=404),
        ),
        Route(
            lambda w: reverse("orgs:organization-detail", args=[w.sibling_school.pk]),
            everyone(school=404, outsider=404),
        ),
        Route(
            lambda w: reverse("orgs:organization-detail", args=[w.foreign_school.pk]),
            everyone(404, outsider=200, superuser=200),
        ),
    ],
    "orgs:directory-import": [
        Route(
            lambda w: reverse("orgs:directory-import"),
            everyone(403, operator=200, superuser=200),
        )
    ],
    "orgs:directory-import-confirm": [
        Route(
            lambda w: reverse("orgs:directory-import-confirm"),
            everyone(405),
        ),
        Route(
            lambda w: reverse("orgs:directory-import-confirm"),
            everyone(404, operator=302, superuser=302),
            method="post",
            data=lambda w: {"region": w.region.pk, "token": "0" * 32},
        ),
    ],
}

# URL names served by Django itself or by the API, which has its own matrix.
NOT_IN_TABLE_PREFIXES = ("admin:", "api:", "logout")


def _url_names(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_url_is_in_the_privacy_table():
    names = {
        name
        for name in _url_names(get_resolver().url_patterns)
        if not name.startswith(NOT_IN_TABLE_PREFIXES)
    }
    missing = sorted(names - ROUTES.keys())
    assert not missing, f"add these URLs to tests/test_privacy.py ROUTES: {missing}"


CASES = [
    pytest.param(name, index, role, id=f"{name}[{index}]-{role}")
    for name, routes in ROUTES.items()
    for index in range(len(routes))
    for role in ROLES
]


@pytest.mark.parametrize(("name", "index", "role"), CASES)
def test_role_gets_expected_status(name, index, role, world, superuser, client):
    route = ROUTES[name][index]
    user = {
        "operator": world.operator,
        "municipal": world.municipal,
        "school": world.school_user,
        "viewer": world.viewer,
        "outsider": world.outsider,
        "superuser": superuser,
    }.get(role)
    if user is not None:
        client.force_login(user)
    response = getattr(client, route.method)(route.url(world), route.data(world))
    expected = route.expect[role]
    assert response.status_code == expected, (
        f"{role} {route.method.upper()} {route.url(world)}: "
        f"{response.status_code}, expected {expected}"
    )
    if role == "anonymous" and expected == 302:
        assert response["Location"].startswith(reverse("login"))
