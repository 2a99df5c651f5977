"""The `parse_deadline` command: its JSON-lines contract."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

pytestmark = []


def run(*args, stdin=None) -> list[dict]:
    out = StringIO()
    call_command("parse_deadline", *args, stdin=stdin, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_command_prints_one_json_object_per_phrase_argument():
    rows = run("--period", "2024", "Февраль-март", "2 раза в год")
    assert rows == [
        {
            "text": "Февраль-март",
            "kind": "dates",
            "start": "2024-02-01",
            "end": "2024-03-31",
            "occurrences": 1,
            "note": "",
            "warnings": [],
        },
        {
            "text": "2 раза в год",
            "kind": "recurring",
            "start": "2024-01-01",
            "end": "2024-12-31",
            "occurrences": 2,
            "note": "",
            "warnings": [],
        },
    ]


def test_command_reads_standard_input_and_skips_blank_lines():
    stdin = StringIO("Январь 2024 г.\n\n   \n2023-2024 уч.г. (по отдельному графику)\n")
    rows = run("--period", "2023/2024", stdin=stdin)
    assert [(row["kind"], row["start"], row["end"], row["note"]) for row in rows] == [
        ("dates", "2024-01-01", "2024-01-31", ""),
        ("continuous", "2023-09-01", "2024-08-31", "по отдельному графику"),
    ]


def test_command_accepts_a_period_given_as_two_dates():
    [row] = run("--period", "2023-09-01..2024-08-31", "январь")
    assert (row["start"], row["end"]) == ("2024-01-01", "2024-01-31")


def test_command_prints_russian_text_unescaped():
    out = StringIO()
    call_command("parse_deadline", "--period", "2024", "по запросу", stdout=out)
    assert '"text": "по запросу"' in out.getvalue()


def test_command_defaults_to_the_current_calendar_year():
    [row] = run("в течение года")
    year = date.today().year
    assert (row["start"], row["end"]) == (f"{year}-01-01", f"{year}-12-31")


def test_command_rejects_a_bad_period_with_a_russian_message():
    with pytest.raises(CommandError, match="Не удалось распознать период"):
        run("--period", "прошлый год", "март")
