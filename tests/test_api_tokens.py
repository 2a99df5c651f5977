"""The personal API token: the page that creates and revokes it, and authentication by it."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import make_roadmap, make_token


def _token_client(key):
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_token_page_asks_an_anonymous_visitor_to_log_in(client, db):
    response = client.get(reverse("api:token"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_token_page_offers_to_create_a_token_and_links_the_documentation(world, client_for):
    page = client_for(world.school_user).get(reverse("api:token")).content.decode()
    assert "<h1>API-токен</h1>" in page
    assert "У вас нет API-токена." in page
    assert reverse("api:docs") in page
    assert reverse("api:redoc") in page
    assert "Создать токен" in page


def test_nav_links_to_the_api_page(world, client_for):
    page = client_for(world.viewer).get(reverse("home")).content.decode()
    assert f'<a href="{reverse("api:token")}"' in page


def test_a_new_token_is_shown_once_with_instructions(world, client_for):
    client = client_for(world.school_user)
    response = client.post(reverse("api:token-create"))
    key = Token.objects.get(user=world.school_user).key
    page = response.content.decode()
    assert response.status_code == 200
    assert key in page
    assert "Скопируйте его сейчас" in page
    assert f"Authorization: Token {key}" in page
    assert "no-store" in response["Cache-Control"]

    again = client.get(reverse("api:token")).content.decode()
    assert key not in again
    assert "Токен создан" in again
    assert "Отозвать токен" in again


def test_a_new_token_replaces_the_old_one(world, client_for):
    old = make_token(world.school_user).key
    client_for(world.school_user).post(reverse("api:token-create"))
    new = Token.objects.get(user=world.school_user).key
    assert new != old
    assert _token_client(old).get(reverse("api:roadmap-list")).status_code == 401
    assert _token_client(new).get(reverse("api:roadmap-list")).status_code == 200


def test_token_authenticates_api_requests_in_the_users_scope(world):
    make_roadmap(world.school)
    make_roadmap(world.sibling_school)
    response = _token_client(make_token(world.school_user).key).get(reverse("api:roadmap-list"))
    assert response.status_code == 200
    assert [plan["owner"] for plan in response.json()["results"]] == [world.school.pk]


def test_a_token_writes_without_a_csrf_token(world):
    response = _token_client(make_token(world.school_user).key).post(
        reverse("api:roadmap-list"),
        {
            "owner": world.school.pk,
            "title": "План на 2025 год",
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
        },
        format="json",
    )
    assert response.status_code == 201


def test_a_session_write_without_a_csrf_token_is_refused(world):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.school_user)
    response = client.post(
        reverse("api:roadmap-list"),
        {"owner": world.school.pk, "title": "x", "period_start": "2025-01-01"},
        format="json",
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_a_revoked_token_is_refused(world, client_for):
    key = make_token(world.school_user).key
    response = client_for(world.school_user).post(reverse("api:token-revoke"), follow=True)
    assert "API-токен отозван" in response.content.decode()
    assert not Token.objects.filter(user=world.school_user).exists()
    refused = _token_client(key).get(reverse("api:roadmap-list"))
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"] == "Token"


def test_revoking_touches_only_ones_own_token(world, client_for):
    others = make_token(world.operator).key
    make_token(world.school_user)
    client_for(world.school_user).post(reverse("api:token-revoke"))
    assert _token_client(others).get(reverse("api:roadmap-list")).status_code == 200


@pytest.mark.parametrize("name", ["api:token-create", "api:token-revoke"])
def test_token_changes_reject_get(name, world, client_for):
    assert client_for(world.school_user).get(reverse(name)).status_code == 405
    assert not Token.objects.exists()


def test_an_unknown_token_is_refused(db):
    assert _token_client("0" * 40).get(reverse("api:roadmap-list")).status_code == 401


def test_the_token_of_a_deactivated_user_is_refused(world):
    key = make_token(world.school_user).key
    world.school_user.is_active = False
    world.school_user.save(update_fields=["is_active"])
    assert _token_client(key).get(reverse("api:roadmap-list")).status_code == 401
