"""The API is described: an OpenAPI 3 schema without warnings, every operation in Russian,
documentation pages that work offline under the site's CSP, and a fuzzer that finds no server
error anywhere in the schema and no answer the schema does not describe."""

import datetime
import re
from collections import Counter

import pytest
import yaml
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import reverse
from rest_framework.test import APIClient

from jobs.models import Job
from notifications.models import Notification
from portal.api_urls import router
from roadmaps.models import RoadmapEvent
from tests.factories import (
    make_item,
    make_methodology,
    make_party,
    make_report,
    make_roadmap,
    make_round,
    make_section,
    make_submission,
    make_token,
    make_user,
)

CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
OPERATIONS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def schema(django_db_blocker, tmp_path_factory):
    path = tmp_path_factory.mktemp("schema") / "schema.yaml"
    with django_db_blocker.unblock():
        # --fail-on-warn: any drf-spectacular warning (an unresolved type, a clashing enum
        # name) fails here; --validate checks the result against the OpenAPI 3 specification.
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    return yaml.safe_load(path.read_text())


def _operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if method in OPERATIONS:
                yield path, method, operation


def test_schema_is_valid_openapi_3_without_warnings(schema):
    assert schema["openapi"].startswith("3.")
    # An ASCII title a client generator makes a package name of; the Russian name follows.
    assert schema["info"]["title"] == "Shkola Portal API"
    assert schema["info"]["description"].startswith("API портала «Школа Минпросвещения России»")
    assert re.fullmatch(r"1\.\d+\.\d+", schema["info"]["version"])


def test_every_operation_is_described_in_russian(schema):
    undescribed = [
        f"{method.upper()} {path}"
        for path, method, operation in _operations(schema)
        if not (
            CYRILLIC.search(operation.get("summary", ""))
            and CYRILLIC.search(operation.get("description", ""))
        )
    ]
    assert not undescribed


def test_every_parameter_is_described_in_russian(schema):
    undescribed = [
        f"{method.upper()} {path} {parameter['name']}"
        for path, method, operation in _operations(schema)
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query" and not CYRILLIC.search(parameter.get("description", ""))
    ]
    assert not undescribed


def test_every_operation_belongs_to_a_described_section(schema):
    sections = {tag["name"] for tag in schema["tags"]}
    assert all(tag["description"] for tag in schema["tags"])
    # ASCII names make the generated client's modules (`api.roadmaps`); ReDoc shows the Russian.
    assert all(re.fullmatch(r"[a-z][a-z-]*", name) for name in sections)
    assert all(CYRILLIC.search(tag["x-displayName"]) for tag in schema["tags"])
    stray = {
        tag
        for _path, _method, operation in _operations(schema)
        for tag in operation["tags"]
        if tag not in sections
    }
    assert not stray, "add these to SPECTACULAR_SETTINGS['TAGS']"


def test_operation_ids_are_unique_ascii_identifiers(schema):
    ids = [operation["operationId"] for _path, _method, operation in _operations(schema)]
    assert len(ids) == len(set(ids))
    assert [i for i in ids if not re.fullmatch(r"[a-z][a-z0-9_]*", i)] == []


def test_bodies_are_json_and_multipart_only_where_a_file_is_uploaded(schema):
    """One media type per request body (generated clients cannot offer a choice of bodies);
    multipart/form-data only where a field is a file."""
    components = schema["components"]["schemas"]
    for path, method, operation in _operations(schema):
        content = operation.get("requestBody", {}).get("content", {})
        if not content:
            continue
        [(media_type, body)] = content.items()
        name = body["schema"]["$ref"].rsplit("/", 1)[-1]
        has_file = any(
            "binary" in (field.get("format"), field.get("items", {}).get("format"))
            for field in components[name]["properties"].values()
        )
        expected = "multipart/form-data" if has_file else "application/json"
        assert media_type == expected, f"{method.upper()} {path}"


def test_every_refusal_has_a_documented_body(schema):
    for path, method, operation in _operations(schema):
        responses = operation["responses"]
        assert "401" in responses, f"{method.upper()} {path}"
        for code, response in responses.items():
            if code.startswith("4"):
                body = response["content"]["application/json"]["schema"]["$ref"]
                expected = "ValidationError" if code == "400" else "Error"
                assert body == f"#/components/schemas/{expected}", f"{method} {path} {code}"
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["detail"]


def test_files_are_binary_in_their_own_media_types(schema):
    files = {
        (path, media_type)
        for path, method, operation in _operations(schema)
        for media_type, body in operation["responses"].get("200", {}).get("content", {}).items()
        if body["schema"] == {"type": "string", "format": "binary"}
    }
    assert {media_type for _path, media_type in files} >= {
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    assert len({path for path, _media_type in files}) >= 9


def test_every_registered_route_is_in_the_schema(schema):
    documented = set(schema["paths"])
    for prefix, _viewset, basename in router.registry:
        path = "/api/v1/" + re.sub(r"<int:(\w+)>", r"{\1}", prefix) + "/"
        assert path in documented, f"{basename}: {path}"


def test_token_and_session_are_the_documented_ways_in(schema):
    schemes = schema["components"]["securitySchemes"]
    assert schemes["tokenAuth"]["name"] == "Authorization"
    assert "Token" in schemes["tokenAuth"]["description"]
    assert "cookieAuth" in schemes


def test_schema_is_served_to_authenticated_users_only(world, client_for):
    assert APIClient().get(reverse("api:schema")).status_code == 401
    response = client_for(world.viewer).get(reverse("api:schema"))
    assert response.status_code == 200
    assert b"/api/v1/roadmaps/" in response.content


@pytest.mark.parametrize("name", ["api:docs", "api:redoc"])
def test_documentation_pages_ask_an_anonymous_visitor_to_log_in(name, client, db):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def _directives(policy):
    """A Content-Security-Policy header as {directive: [sources]}: the header's order of
    directives is not fixed, so tests compare directives, not substrings."""
    directives = (part.split() for part in policy.split(";") if part.strip())
    return {name: sources for name, *sources in directives}


def _inline_scripts(html):
    return [s for s in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S) if s[1].strip()]


def test_swagger_ui_page_is_served_from_our_own_static_files_without_inline_script(
    world, client_for
):
    client = client_for(world.operator)
    response = client.get(reverse("api:docs"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "https://" not in page
    assert not _inline_scripts(page)
    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    init = client.get(reverse("api:docs"), {"script": ""})
    assert init["Content-Type"].startswith("application/javascript")
    assert reverse("api:schema") in init.content.decode()


def test_redoc_page_needs_no_internet_and_no_inline_script(world, client_for):
    response = client_for(world.operator).get(reverse("api:redoc"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js" in page
    assert "https://" not in page
    assert not _inline_scripts(page)


def test_other_pages_keep_the_strict_style_policy(world, client_for):
    policy = client_for(world.operator).get(reverse("api:token"))["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy


# In the browser: the documentation renders under the real CSP, reached from the nav.


def _watch_console(page):
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_operator_finds_the_api_docs_from_the_nav_and_sees_the_operations(world, login):
    page = login(world.operator)
    problems = _watch_console(page)
    page.get_by_role("navigation").get_by_role("link", name="API").click()
    assert page.get_by_role("heading", name="API-токен").is_visible()
    page.get_by_role("link", name="Документация API (Swagger UI)").click()
    page.wait_for_url(f"{page.base_url}{reverse('api:docs')}")
    roadmaps = page.locator(".opblock-summary-path", has_text="/api/v1/roadmaps/{id}/submit/")
    roadmaps.first.wait_for()
    assert page.locator(".opblock").count() > 30
    assert page.get_by_text("Направить на согласование").first.is_visible()
    assert not problems


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_redoc_renders_the_sections_of_the_api(world, login):
    page = login(world.viewer)
    problems = _watch_console(page)
    page.goto(f"{page.base_url}{reverse('api:redoc')}")
    menu = page.locator(".menu-content")
    menu.get_by_text("Дорожные карты", exact=True).first.wait_for(timeout=30000)
    # A section shows its Russian x-displayName (an operation may be called the same).
    assert menu.get_by_title("Раунды самодиагностики").is_visible()
    assert menu.get_by_title("Членства (администрирование)").is_visible()
    # ReDoc's own «by Redocly» logo is an image from its site: the CSP blocks it, as it should.
    assert [p for p in problems if "cdn.redoc.ly" not in p] == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_new_token_is_shown_on_the_page_once(world, login):
    page = login(world.school_user)
    page.goto(f"{page.base_url}{reverse('api:token')}")
    page.get_by_role("button", name="Создать токен").click()
    key = page.get_by_label("Новый API-токен").input_value()
    assert len(key) == 40
    page.goto(f"{page.base_url}{reverse('api:token')}")
    assert key not in page.content()
    assert page.get_by_role("button", name="Отозвать токен").is_visible()


# What the schema promises of a field, kept where the stored value alone would not.


def test_a_cyrillic_evidence_link_goes_out_as_a_uri_and_a_missing_one_as_null(world, api):
    item = make_item(make_section(make_roadmap(world.school)))
    url = reverse("api:item-report-list", args=[item.pk])
    client = api("school")
    link = "https://школа.рф/новости/семинар?год=2024#итоги"
    sent = client.post(url, {"status": "done", "date": "2024-03-01", "evidence_url": link})
    assert sent.status_code == 201, sent.content
    # What the page stored and shows is what was typed; the API gives the same address as a URI.
    assert item.reports.get().evidence_url == link
    assert sent.json()["evidence_url"] == (
        "https://xn--80atdl2c.xn--p1ai/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8/"
        "%D1%81%D0%B5%D0%BC%D0%B8%D0%BD%D0%B0%D1%80?%D0%B3%D0%BE%D0%B4=2024"
        "#%D0%B8%D1%82%D0%BE%D0%B3%D0%B8"
    )
    for empty in (None, ""):
        # A comment: a report that changes nothing and says nothing is refused.
        response = client.post(
            url,
            {"status": "done", "date": "2024-03-02", "comment": "Итоги", "evidence_url": empty},
            format="json",
        )
        assert response.status_code == 201, response.content
        assert response.json()["evidence_url"] is None
    assert sorted(item.reports.values_list("evidence_url", flat=True)) == ["", "", link]
    refused = client.post(url, {"status": "done", "evidence_url": "школа рф"}, format="json")
    assert refused.status_code == 400
    assert item.reports.count() == 3


@pytest.mark.parametrize(
    ("link", "uri"),
    [
        ("https://school1.gtn.ru/news/120", "https://school1.gtn.ru/news/120"),
        ("https://Школа.РФ:8080/a|b{c}^d", "https://xn--80atdl2c.xn--p1ai:8080/a%7Cb%7Bc%7D%5Ed"),
        ("https://example.com/[x]?q=a b", "https://example.com/%5Bx%5D?q=a%20b"),
        ("https://example.com/50%-off/%D1%86", "https://example.com/50%25-off/%D1%86"),
        ("http://[::1]:8000/", "http://[::1]:8000/"),
    ],
)
def test_links_are_given_out_as_uris_that_the_schema_format_accepts(link, uri):
    import jsonschema_rs

    from portal.api import as_uri

    assert as_uri(link) == uri
    validator = jsonschema_rs.validator_for({"format": "uri"}, validate_formats=True)
    assert validator.is_valid(uri)
    assert not validator.is_valid(link) or link == uri


# Fuzzing: schemathesis generates requests from the schema for every operation, as each role of
# the cast, and checks every answer: no server error, and a body that is what the schema
# documents for its status (types, nullable fields, formats such as `uri` and `date-time`) in
# a documented media type, with a status the operation documents.


@pytest.fixture
def wsgi_requests_keep_the_test_transaction():
    """Django's test client does this for its own requests: a request_started or
    request_finished signal would otherwise close the connection that holds the test's data."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _real_ids(world, user):
    """Objects the fuzzer may hit by id: a throwaway draft plan of the school, its section,
    item and party, the school itself, a notification of the user, a self-diagnosis round of the
    school with its methodology
    and the school's questionnaire, a finished job of the user and a queued one; other ids come
    from the generator and mostly miss. What the schema calls nullable is there as null: a
    report and a plan's event whose user was deleted, a report without a link (and one with a
    Cyrillic link, which goes out as a URI), a job without a file. Keys are paths, or path
    prefixes (every action under a plan or a round), or parameter names."""
    roadmap = make_roadmap(world.school)
    section = make_section(roadmap)
    item = make_item(section, deadline_text="Февраль-март")
    party = make_party(roadmap, "ИМЦ")
    gone = make_user("gone")
    RoadmapEvent.objects.create(roadmap=roadmap, action=RoadmapEvent.Action.CREATED, user=gone)
    make_report(item, author=gone, evidence_url="https://школа.рф/новости/семинар?год=2024")
    make_report(item, author=world.school_user)
    gone.delete()
    job = Job.objects.create(
        user=user, kind=Job.Kind.PLAN_PDF, title="PDF плана", params={"roadmap": roadmap.pk}
    )
    done = Job.objects.create(
        user=user, kind=Job.Kind.PLAN_PDF, title="PDF плана", status="done", progress=100
    )
    done.result.save("plan.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    done.result_name = "plan.pdf"
    done.save()
    notification = Notification.objects.create(
        recipient=user,
        kind=Notification.Kind.PLAN_SUBMITTED,
        text="План направлен вам на согласование.",
        link=f"/roadmaps/{roadmap.pk}/",
        obj=roadmap,
    )
    methodology = make_methodology()
    round_ = make_round(world.region, [world.school, world.sibling_school], methodology)
    submission = make_submission(round_, world.school, {"Z1": "yes"})
    make_submission(round_, world.sibling_school, {"Z1": "no"}, status="submitted")
    # Two earlier rounds the school has sent: a plan from deficits and the dynamics to read.
    for year in (2023, 2024):
        earlier = make_round(
            world.region,
            [world.school],
            methodology,
            opens_on=datetime.date(year, 3, 1),
            closes_on=datetime.date(year, 4, 30),
        )
        sent = make_submission(earlier, world.school, {"Z1": "no"}, status="submitted")
    return {
        "/api/v1/roadmaps/{id}/": {"id": roadmap.pk},
        "/api/v1/roadmaps/{roadmap_pk}/sections/{id}/": {
            "roadmap_pk": roadmap.pk,
            "id": section.pk,
        },
        "/api/v1/roadmaps/{roadmap_pk}/items/{id}/": {"roadmap_pk": roadmap.pk, "id": item.pk},
        "/api/v1/roadmaps/{roadmap_pk}/parties/{id}/": {"roadmap_pk": roadmap.pk, "id": party.pk},
        "roadmap_pk": {"roadmap_pk": roadmap.pk},
        "item_pk": {"item_pk": item.pk},
        "/api/v1/items/{id}/": {"id": item.pk},
        "/api/v1/organizations/{id}/": {"id": world.school.pk},
        "/api/v1/municipalities/{id}/": {"id": world.municipality.pk},
        "/api/v1/regions/{id}/": {"id": world.region.pk},
        "/api/v1/methodologies/{id}/": {"id": methodology.pk},
        "/api/v1/rounds/{id}/": {"id": round_.pk},
        "/api/v1/submissions/{id}/": {"id": submission.pk},
        "/api/v1/submissions/{id}/plan-from-deficits/": {"id": sent.pk},
        "/api/v1/jobs/{id}/": {"id": job.pk},
        "/api/v1/jobs/{id}/download/": {"id": done.pk},
        "/api/v1/notifications/{id}/": {"id": notification.pk},
    }


def _aim(case, real_ids):
    """Point the case at a real object where the path names one."""
    known = real_ids.get(case.path)
    if known is None:
        prefixes = [key for key in real_ids if key.startswith("/") and case.path.startswith(key)]
        if prefixes:
            known = real_ids[max(prefixes, key=len)]
    if known is None:
        for name in ("item_pk", "roadmap_pk"):
            if name in case.path_parameters:
                known = real_ids[name]
    if known:
        case.path_parameters = {**case.path_parameters, **known}


def _fuzz(operation, auth, real_ids, statuses, examples):
    """Generated requests to one operation (the same ones on every run); raises on the first
    failed check, after Hypothesis has shrunk it to the simplest request that shows it."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    checks = [
        not_a_server_error,
        status_code_conformance,
        response_schema_conformance,
        content_type_conformance,
    ]

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(), aim=st.booleans())
    def run(case, aim):
        if aim:
            _aim(case, real_ids)
        response = case.call(headers=auth)
        statuses[(operation.label, response.status_code)] += 1
        case.validate_response(response, checks=checks, headers=auth)

    run()


# Lists a role may not read at all: memberships are the administrators'; the outsider's region
# has no two rounds with results to compare (409).
CLOSED_LISTS = {
    "superuser": set(),
    "operator": {"GET /api/v1/memberships/"},
    "municipal": {"GET /api/v1/memberships/"},
    "school": {"GET /api/v1/memberships/"},
    "viewer": {"GET /api/v1/memberships/"},
    "outsider": {"GET /api/v1/memberships/", "GET /api/v1/dynamics/"},
}


@pytest.mark.slow
# The administrator reaches every operation; the others meet their scopes and refusals.
@pytest.mark.parametrize(
    ("role", "examples"),
    [
        ("superuser", 6),
        ("operator", 3),
        ("municipal", 3),
        ("school", 3),
        ("viewer", 3),
        ("outsider", 3),
    ],
)
def test_fuzzed_requests_get_answers_the_schema_documents(
    role, examples, schema, world, superuser, wsgi_requests_keep_the_test_transaction
):
    import schemathesis

    from portal.wsgi import application

    user = {
        "superuser": superuser,
        "operator": world.operator,
        "municipal": world.municipal,
        "school": world.school_user,
        "viewer": world.viewer,
        "outsider": world.outsider,
    }[role]
    auth = {"Authorization": f"Token {make_token(user).key}"}
    real_ids = _real_ids(world, user)
    # The schema made once for the module: the one /api/schema/ serves.
    api = schemathesis.openapi.from_dict(schema)
    api.app, api.location = application, reverse("api:schema")
    # DELETE would only remove the throwaway objects the other operations need; the
    # delete rules have their own tests.
    operations = [result.ok() for result in api.exclude(method="DELETE").get_all_operations()]
    assert len(operations) > 30

    failures, statuses = [], Counter()
    for operation in operations:
        try:
            _fuzz(operation, auth, real_ids, statuses, examples)
        # Every operation runs; the failures are listed together. Schemathesis reports
        # several failures of one request as a group, which is no Exception.
        except (Exception, BaseExceptionGroup) as error:
            failures.append(f"{operation.label}: {error}")
    assert not failures, "\n\n".join(failures)
    # The fuzzer got in and reached the data: no request was refused as unauthenticated, and
    # the administrator's operations mostly answered successfully at least once.
    assert not [label for (label, code) in statuses if code == 401]
    succeeded = {label for (label, code) in statuses if 200 <= code < 300}
    if role == "superuser":
        assert len(succeeded) >= len(operations) // 2, sorted(succeeded)
    # Every top-level list answered the role at least once, but those it may not read at all.
    lists = {op.label for op in operations if op.method.upper() == "GET" and "{" not in op.path}
    assert len(lists) > 10
    assert sorted(lists - CLOSED_LISTS[role] - succeeded) == []


def test_an_address_the_api_does_not_know_is_a_json_404_and_a_page_stays_html(api, client):
    for url in ("/api/v1/roadmaps/-1/", "/api/v1/no-such-list/"):
        response = api("operator").get(url)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"detail": "Нет такого адреса в API."}
    page = client.get("/roadmaps/no-such-page/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")
