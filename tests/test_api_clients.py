"""The API as another system meets it: a schema that OpenAPI tools accept, and a client
generated from it with openapi-python-client (portal/api_client.yaml, as README says) that
imports and works against a running portal, token in hand."""

import datetime
import importlib
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer

from roadmaps.models import Item, Roadmap
from tests.factories import make_item, make_roadmap, make_section, make_token

PACKAGE = "shkola_portal_api_client"
CONFIG = Path(__file__).resolve().parent.parent / "portal" / "api_client.yaml"


def _schema() -> dict:
    """The schema /api/schema/ serves, as JSON (what a generator downloads)."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(schema))


@pytest.fixture(scope="session")
def client_package(tmp_path_factory):
    """The client generated once for the session, in a temporary folder on sys.path.
    The generator runs ruff on its output: the project's own, from the virtualenv, offline."""
    folder = tmp_path_factory.mktemp("client")
    (folder / "schema.json").write_text(json.dumps(_schema(), ensure_ascii=False))
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(
        [
            str(bin_dir / "openapi-python-client"),
            "generate",
            "--path",
            "schema.json",
            "--meta",
            "none",
            "--config",
            str(CONFIG),
        ],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    sys.path.insert(0, str(folder))
    try:
        yield folder / PACKAGE, output
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def test_schema_passes_the_openapi_spec_validator():
    from openapi_spec_validator import validate

    # Raises with the path of the first problem: a default that breaks its own minLength, a
    # reference to nothing, a wrong type anywhere.
    validate(_schema())


def test_generated_client_is_named_in_ascii_and_generated_without_warnings(client_package):
    folder, output = client_package
    assert folder.is_dir(), output
    # Nothing the generator had to leave out (an unreadable response or body) and no warning.
    assert "Warning" not in output and "WARNING" not in output, output
    modules = {path.stem for path in (folder / "api").iterdir() if path.is_dir()}
    assert {"roadmaps", "items", "rounds", "submissions", "jobs"} <= modules
    names = [path.relative_to(folder).as_posix() for path in folder.rglob("*.py")]
    assert [name for name in names if not name.isascii()] == []


def test_every_file_the_api_sends_comes_out_of_the_client_as_bytes(client_package):
    folder, _ = client_package
    files = [
        (operation["tags"][0], operation["operationId"])
        for methods in _schema()["paths"].values()
        for operation in methods.values()
        if any(
            body["schema"].get("format") == "binary"
            for body in operation["responses"].get("200", {}).get("content", {}).values()
        )
    ]
    assert len(files) >= 9
    for tag, operation_id in files:
        source = (folder / "api" / tag.replace("-", "_") / f"{operation_id}.py").read_text()
        assert "response_200 = File(payload=BytesIO(response.content))" in source, operation_id


def test_every_generated_module_imports(client_package):
    package = importlib.import_module(PACKAGE)
    modules = [info.name for info in pkgutil.walk_packages(package.__path__, f"{PACKAGE}.")]
    assert len(modules) > 150
    failures = []
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception as error:  # every failure listed, not only the first
            failures.append(f"{name}: {error!r}")
    assert failures == []


def _module(name):
    return importlib.import_module(f"{PACKAGE}.{name}")


@pytest.mark.django_db(transaction=True)
def test_a_generated_client_plans_submits_approves_and_downloads_through_the_api(
    client_package, live_server, world
):
    client_module = _module("client")
    models = _module("models")
    roadmaps = "api.roadmaps.roadmaps_"

    # An approved plan of the school with an overdue item, to be found by the client.
    today = timezone.localdate()
    approved = make_roadmap(world.school, status=Roadmap.Status.APPROVED)
    late = make_item(
        make_section(approved),
        deadline_end=today - datetime.timedelta(days=30),
        deadline_start=today - datetime.timedelta(days=60),
        status=Item.Status.IN_PROGRESS,
    )

    def connect(user):
        return client_module.AuthenticatedClient(
            base_url=live_server.url,
            token=make_token(user).key,
            prefix="Token",
            raise_on_unexpected_status=True,
        )

    school, reviewer, viewer = (
        connect(world.school_user),
        connect(world.municipal),
        connect(world.viewer),
    )

    page = _module(roadmaps + "list").sync(client=school)
    assert approved.pk in [plan.id for plan in page.results]
    plan = _module(roadmaps + "retrieve").sync(approved.pk, client=school)
    assert (plan.id, plan.status.value) == (approved.pk, "approved")

    overdue = _module("api.items.items_list").sync(client=school, overdue=True)
    assert [item.id for item in overdue.results] == [late.pk]

    draft = _module(roadmaps + "create").sync(
        client=school,
        body=models.RoadmapCreateRequest(
            owner=world.school.pk,
            title="План мероприятий МБОУ «Гатчинская СОШ № 1» на 2026 год",
            period_start=datetime.date(2026, 1, 1),
            period_end=datetime.date(2026, 12, 31),
        ),
    )
    assert draft.status.value == "draft"
    section = _module(roadmaps + "sections_create").sync(
        draft.id,
        client=school,
        body=models.SectionCreateRequest(title="Организационные мероприятия"),
    )
    item = _module(roadmaps + "items_create").sync(
        draft.id,
        client=school,
        body=models.ItemCreateRequest(
            section=section.id,
            title="Совещание с координаторами проекта",
            deadline_text="Сентябрь 2026 г.",
        ),
    )
    assert item.title == "Совещание с координаторами проекта"

    # A refusal comes back typed, with its Russian reason.
    refused = _module(roadmaps + "submit_create").sync_detailed(draft.id, client=viewer)
    assert refused.status_code == 403
    assert refused.parsed == models.Error(
        detail="У вас есть доступ к этому плану только для чтения."
    )

    submitted = _module(roadmaps + "submit_create").sync(draft.id, client=school)
    assert submitted.status.value == "review"
    approved_now = _module(roadmaps + "approve_create").sync(
        draft.id,
        client=reviewer,
        body=models.ApproveRequest(
            kind="приказ",
            number="15-о",
            date=today,
            name="Иванова А.А.",
            position="председатель комитета",
        ),
    )
    assert (approved_now.status.value, approved_now.approval_number) == ("approved", "15-о")
    assert Roadmap.objects.get(pk=draft.id).status == Roadmap.Status.APPROVED

    pdf = _module(roadmaps + "pdf_retrieve").sync(draft.id, client=school)
    assert pdf.payload.read().startswith(b"%PDF")


def test_the_client_and_the_server_agree_on_the_url_prefix():
    # The generated client joins base_url and the schema's paths: those must be the live ones.
    assert reverse("api:roadmap-list") in _schema()["paths"]
