"""A request body bigger than any upload is refused by its Content-Length, before it is read."""

import io

import pytest
from django.conf import settings
from django.urls import reverse

from orgs import importers as directory
from roadmaps import import_forms
from roadmaps.execution import MAX_EVIDENCE_BYTES
from roadmaps.importers import MAX_BYTES as IMPORTER_MAX_BYTES
from roadmaps.models import Roadmap
from tests.factories import make_item, make_round, make_section, make_small_plan

HUGE = 150 * 1024 * 1024


class UnreadableBody(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = readinto = read


def post_huge(client, url):
    return client.post(
        url,
        data=b"",
        content_type="multipart/form-data; boundary=BoUnDaRy",
        CONTENT_LENGTH=str(HUGE),
        **{"wsgi.input": UnreadableBody()},
    )


@pytest.fixture
def upload_urls(world):
    plan = make_small_plan(world.school, status=Roadmap.Status.APPROVED)
    item = make_item(make_section(plan))
    round_ = make_round(world.region, [world.school])
    return {
        "plan import": reverse("roadmaps:import"),
        "evidence": reverse("roadmaps:item-report", args=[item.pk]),
        "directory": reverse("orgs:directory-import"),
        "round results": reverse("selfdiag:round-import", args=[round_.pk]),
    }


def test_every_upload_page_refuses_a_huge_body_unread_with_413(world, client_for, upload_urls):
    client = client_for(world.operator)
    for name, url in upload_urls.items():
        response = post_huge(client, url)

        assert response.status_code == 413, name
        page = response.content.decode()
        assert "Запрос слишком большой: загрузить можно файл не больше 20 МБ." in page, name


@pytest.mark.parametrize("name", ["api:roadmap-import", "api:organization-import"])
def test_api_uploads_refuse_a_huge_body_unread_with_413_and_a_detail(world, client_for, name):
    response = post_huge(client_for(world.operator), reverse(name))

    assert response.status_code == 413
    assert response.json() == {
        "detail": "Запрос слишком большой: загрузить можно файл не больше 20 МБ."
    }


def test_anonymous_huge_request_is_refused_without_reading_too(client, db):
    assert post_huge(client, reverse("login")).status_code == 413


def test_a_body_at_the_limit_goes_through_to_the_view(world, client_for):
    plan_file = io.BytesIO(b"x" * (settings.MAX_UPLOAD_BYTES + 1))
    plan_file.name = "plan.txt"

    response = client_for(world.operator).post(reverse("roadmaps:import"), {"file": plan_file})

    assert response.status_code == 200
    assert "Файл больше 20 МБ." in response.content.decode()


def test_the_limit_admits_every_upload_the_portal_takes():
    largest = max(
        import_forms.MAX_BYTES, IMPORTER_MAX_BYTES, MAX_EVIDENCE_BYTES, directory.MAX_BYTES
    )
    assert largest == settings.MAX_UPLOAD_BYTES
    assert largest < settings.MAX_REQUEST_BYTES
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= settings.MAX_REQUEST_BYTES
