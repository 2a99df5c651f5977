"""The probes a proxy and an orchestrator call: /healthz (process up) and /readyz (database and
cache reachable), without a login and without a session cookie."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_without_login_or_cookie(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"].startswith("text/plain")
    assert "no-cache" in response["Cache-Control"]
    assert not response.cookies


def test_readyz_checks_the_database_and_the_cache(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response.content == b"ready\n"


def test_readyz_is_503_when_the_database_is_unreachable(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise connection.Database.OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert b"database: unreachable" in response.content


def test_readyz_is_503_when_the_cache_is_unreachable(client, monkeypatch):
    from portal import health

    class Unreachable:
        def set(self, *args, **kwargs):
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(health, "cache", Unreachable())
    response = client.get("/readyz")
    assert response.status_code == 503
    assert b"cache: unreachable" in response.content


def test_probes_refuse_writes(client):
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_answer_plain_http_when_https_is_enforced(client, settings, path):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get(path).status_code == 200
    assert client.get("/accounts/login/").status_code == 301
