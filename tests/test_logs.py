"""Logs: calendar keys never written out, refused permissions on one line."""

import importlib.util
import logging
from pathlib import Path

import pytest
from django.urls import reverse

from portal.logs import MaskSecrets, OneLineForbidden, mask_secrets

ROOT = Path(__file__).resolve().parent.parent
KEY = "kX3_9fQ-7pLmZ0aBcDeFgHiJkLmNoPqR"


def record(msg, *args, exc_info=None, name="django.server"):
    return logging.LogRecord(name, logging.INFO, __file__, 1, msg, args or None, exc_info)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (f"GET /reports/calendar/{KEY}.ics HTTP/1.1", "GET /reports/calendar/***.ics HTTP/1.1"),
        (
            f"GET /reports/roadmaps/12/calendar/{KEY}.ics?x=1 HTTP/1.1",
            "GET /reports/roadmaps/12/calendar/***.ics?x=1 HTTP/1.1",
        ),
        ("POST /reports/calendar/reset/ HTTP/1.1", "POST /reports/calendar/reset/ HTTP/1.1"),
        ("GET /roadmaps/12/ HTTP/1.1", "GET /roadmaps/12/ HTTP/1.1"),
    ],
)
def test_calendar_keys_are_masked_and_other_addresses_kept(text, masked):
    assert mask_secrets(text) == masked


def test_a_runserver_access_record_loses_the_key_and_keeps_the_rest():
    line = record('"%s" %s %s', f"GET /reports/calendar/{KEY}.ics HTTP/1.1", "200", "5120")

    assert MaskSecrets().filter(line) is True

    assert line.getMessage() == '"GET /reports/calendar/***.ics HTTP/1.1" 200 5120'
    assert KEY not in line.getMessage()


def test_a_record_without_secrets_is_left_as_it_was():
    line = record("Not Found: %s", "/roadmaps/999/")

    MaskSecrets().filter(line)

    assert (line.msg, line.args) == ("Not Found: %s", ("/roadmaps/999/",))


def test_a_stale_calendar_link_is_logged_without_its_key(client, db, caplog):
    with caplog.at_level(logging.INFO):
        response = client.get(reverse("reports:calendar-feed", args=[KEY]))

    assert response.status_code == 404
    assert "Not Found: /reports/calendar/***.ics" in caplog.text
    assert KEY not in caplog.text
    assert all(KEY not in r.getMessage() for r in caplog.records)


def test_gunicorn_access_log_masks_the_key(tmp_path):
    from gunicorn.config import Config

    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "gunicorn.conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    config = Config()
    config.set("accesslog", str(tmp_path / "access.log"))
    logger = conf.logger_class(config)

    logger.access_log.info(
        "%(r)s %(s)s", {"r": f"GET /reports/calendar/{KEY}.ics HTTP/1.1", "s": 200}
    )
    for handler in logger.access_log.handlers:
        handler.flush()

    written = (tmp_path / "access.log").read_text()
    assert written == "GET /reports/calendar/***.ics HTTP/1.1 200\n"


def test_permission_denied_record_keeps_one_line_with_the_reason():
    from django.core.exceptions import PermissionDenied

    try:
        raise PermissionDenied("Только для чтения.")
    except PermissionDenied as error:
        line = record(
            "Forbidden (Permission denied): %s",
            "/orgs/import/",
            exc_info=(type(error), error, error.__traceback__),
            name="django.request",
        )

    OneLineForbidden().filter(line)

    assert line.exc_info is None
    assert line.getMessage() == "Forbidden (Permission denied): /orgs/import/ (Только для чтения.)"
    assert "Traceback" not in logging.Formatter().format(line)


def test_other_errors_keep_their_traceback():
    try:
        raise ValueError("сломалось")
    except ValueError as error:
        line = record("Internal Server Error: %s", "/x/", exc_info=(ValueError, error, None))

    OneLineForbidden().filter(line)

    assert line.exc_info is not None


def test_a_forbidden_page_logs_one_line_without_a_traceback(world, client_for, caplog):
    with caplog.at_level(logging.INFO):
        response = client_for(world.viewer).post(
            reverse("orgs:directory-import"), {"region": world.region.pk}
        )

    assert response.status_code == 403
    forbidden = [r for r in caplog.records if "Forbidden" in r.getMessage()]
    assert len(forbidden) == 1
    assert forbidden[0].exc_info is None
    assert "Traceback" not in caplog.text
    assert forbidden[0].getMessage().startswith("Forbidden (Permission denied): /orgs/import/")
