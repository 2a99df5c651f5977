"""Several nodes share one cache through REDIS_URL: a real redis-server started by the test, the
settings read from the environment as a deployment would, sessions in the cache backed by the
database, and /readyz telling the proxy when the cache is gone."""

import os
import shutil
import socket
import subprocess
import sys
import time

import pytest
from django.core.cache import caches
from django.test import override_settings

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path):
    if not os.path.exists(REDIS_SERVER):
        if os.environ.get("REQUIRE_BROWSER"):  # CI: every service the suite needs is installed
            pytest.fail("redis-server is missing: apt-get install redis-server")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = _free_port()
    process = subprocess.Popen(
        [
            REDIS_SERVER,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


def _settings_of(env_update: dict) -> subprocess.CompletedProcess:
    env = {name: value for name, value in os.environ.items() if name != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(env_update)
    code = (
        "from django.conf import settings;"
        "print(settings.CACHES['default']['BACKEND']);"
        "print(settings.SESSION_ENGINE)"
    )
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_without_redis_url_each_process_keeps_a_memory_cache_and_database_sessions():
    result = _settings_of({"REDIS_URL": ""})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.cache.backends.locmem.LocMemCache",
        "django.contrib.sessions.backends.db",
    ]


def test_redis_url_shares_the_cache_and_keeps_sessions_in_it_backed_by_the_database():
    result = _settings_of({"REDIS_URL": "redis://127.0.0.1:6379/0"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.cache.backends.redis.RedisCache",
        "django.contrib.sessions.backends.cached_db",
    ]


def test_a_redis_url_of_another_scheme_stops_the_start_with_a_clear_error():
    result = _settings_of({"REDIS_URL": "http://127.0.0.1:6379"})
    assert result.returncode != 0
    assert "REDIS_URL must start with redis://" in result.stderr


@pytest.mark.django_db
def test_two_nodes_see_one_cache_and_readyz_reports_when_it_goes(redis_url, client):
    redis_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "portal",
        }
    }
    with override_settings(CACHES=redis_cache):
        caches["default"].set("seen-by", "node 1")
        # A second node is a second connection to the same server.
        from django.core.cache.backends.redis import RedisCache

        other_node = RedisCache(redis_url, {"KEY_PREFIX": "portal"})
        assert other_node.get("seen-by") == "node 1"
        assert client.get("/readyz").content == b"ready\n"
    subprocess.run(
        ["redis-cli", "-u", redis_url, "shutdown", "nosave"], check=False, capture_output=True
    )
    with override_settings(CACHES=redis_cache):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert b"cache: unreachable" in response.content
