"""The portal's authentication backend (portal/auth.py): the user of a signed-in request read by
a query compiled once, with Django's rules; sessions of the backend before it stay valid; a wrong
password is one failed login, checked once."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import BACKEND_SESSION_KEY, get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.urls import reverse

from portal.auth import ModelBackend
from portal.prepared import Columns

User = get_user_model()


def test_the_user_is_the_orms_to_the_last_field(world):
    world.operator.first_name, world.operator.email = "Анна", "anna@example.org"
    world.operator.save()
    got = ModelBackend().get_user(str(world.operator.pk))
    stored = User.objects.get(pk=world.operator.pk)
    for attname in Columns(User).attnames:
        assert getattr(got, attname) == getattr(stored, attname), attname
    assert ModelBackend().get_user(world.operator.pk + 1000) is None
    assert ModelBackend().get_user("не число") is None


def test_a_deactivated_user_is_signed_out_at_the_next_request(world, client_for):
    client = client_for(world.municipal)
    assert client.get(reverse("home")).status_code == 200
    assert client.session[BACKEND_SESSION_KEY] == "portal.auth.ModelBackend"
    User.objects.filter(pk=world.municipal.pk).update(is_active=False)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_session_of_the_former_backend_stays_signed_in(world, client):
    client.force_login(world.school_user, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert client.session[BACKEND_SESSION_KEY] == "django.contrib.auth.backends.ModelBackend"


def test_signing_in_uses_the_portal_backend(world, client):
    response = client.post(reverse("login"), {"username": "operator", "password": "pass-for-tests"})
    assert response.status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == "portal.auth.ModelBackend"


class CountedHasher(PBKDF2PasswordHasher):
    """PBKDF2 with one iteration, writing down each password it hashes."""

    iterations = 1
    hashed: list[str] = []

    def encode(self, password, salt, iterations=None):
        self.hashed.append(password)
        return super().encode(password, salt, iterations)


@pytest.fixture
def counted_hashing(settings):
    settings.PASSWORD_HASHERS = ["tests.test_auth_backend.CountedHasher"]
    CountedHasher.hashed.clear()
    return CountedHasher.hashed


def test_a_wrong_password_is_checked_once_and_counted_once(world, client, counted_hashing):
    world.operator.set_password("pass-for-tests")
    world.operator.save()
    counted_hashing.clear()
    response = client.post(reverse("login"), {"username": "operator", "password": "wrong"})
    assert response.status_code == 200
    assert "Пожалуйста, введите правильные имя пользователя и пароль" in response.content.decode()
    assert counted_hashing == ["wrong"]  # not a second time by the backend after ours
    assert AccessAttempt.objects.get(username="operator").failures_since_start == 1
