"""The database settings read from the environment."""

import json
import os
import subprocess
import sys

PRINT_DATABASE = (
    "import json; from portal import settings; "
    "print(json.dumps(settings.DATABASES['default'], default=str))"
)


def _run(**env):
    environment = {**os.environ, **env}
    for name in (
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        *(name for name, value in env.items() if value is None),
    ):
        environment.pop(name, None)
    return subprocess.run(
        [sys.executable, "-c", PRINT_DATABASE],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def _database(**env):
    result = _run(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


PG = "postgres://portal:secret@127.0.0.1:5432/portal"


def test_postgresql_plans_for_ssd_page_reads_by_default():
    database = _database(DATABASE_URL=PG, DATABASE_RANDOM_PAGE_COST=None)
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database["OPTIONS"]["options"].split() == ["-c", "random_page_cost=1.1"]


def test_the_page_cost_can_be_changed_or_left_to_the_server():
    assert _database(DATABASE_URL=PG, DATABASE_RANDOM_PAGE_COST="2")["OPTIONS"][
        "options"
    ].split() == ["-c", "random_page_cost=2"]
    left = _database(DATABASE_URL=PG, DATABASE_RANDOM_PAGE_COST="")
    assert "options" not in left.get("OPTIONS", {})


def test_sqlite_gets_no_postgresql_options():
    database = _database(DATABASE_URL="sqlite:///tmp/x.sqlite3")
    assert "options" not in database["OPTIONS"]
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_a_page_cost_that_is_not_a_positive_number_stops_the_start():
    for value in ("fast", "0", "-1"):
        result = _run(DATABASE_URL=PG, DATABASE_RANDOM_PAGE_COST=value)
        assert result.returncode != 0
        assert "DATABASE_RANDOM_PAGE_COST must be a positive number" in result.stderr
