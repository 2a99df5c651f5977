"""Input validation of issue 12 (section 3): control characters, limits on text, identifiers
and page numbers from query strings, absurd dates.

Every refusal is checked for its Russian message, a 4xx (or a form error) and an unchanged
database.
"""

import importlib
import pkgutil

import pytest
from django import forms
from django.apps import apps
from django.db import models
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers

from portal.validators import PrintableTextValidator, parse_id, printable_problem

PROJECT_APPS = ["orgs", "roadmaps", "selfdiag", "reports", "jobs"]


def _has_printable_check(field) -> bool:
    return any(isinstance(validator, PrintableTextValidator) for validator in field.validators)


def _import_project_modules():
    for app in [*PROJECT_APPS, "portal"]:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" not in module.name:
                importlib.import_module(module.name)


def _subclasses(cls):
    for subclass in cls.__subclasses__():
        yield subclass
        yield from _subclasses(subclass)


# Control characters: the validator and where it is attached ---------------------------------


@pytest.mark.parametrize(
    ("value", "multiline", "refused"),
    [
        ("План на 2025 год", False, False),
        ("План\x0bна 2025 год", False, True),
        ("\x01", True, True),
        ("строка\nстрока\tтаб\r\n", True, False),
        ("строка\nстрока", False, True),
        ("a\x7fb", True, True),
        ("a\x85b", True, True),  # C1: NEXT LINE
        ("a\ufffeb", True, True),
        ("«ёлка» № 5 — ½ ²", False, False),
    ],
)
def test_printable_validator_refuses_control_characters(value, multiline, refused):
    problem = printable_problem(value, multiline=multiline)
    assert (problem is not None) == refused
    if refused:
        assert problem.startswith("Уберите непечатаемые символы из текста")


def test_every_model_text_field_refuses_control_characters():
    """A new text field of a project app cannot forget the check: the walk finds it."""
    missing = []
    for app in PROJECT_APPS:
        for model in apps.get_app_config(app).get_models():
            for field in model._meta.get_fields():
                if not isinstance(field, models.CharField | models.TextField):
                    continue
                if field.choices:  # a fixed code from a list, checked against the list
                    continue
                if field.name.startswith("history_"):  # django-simple-history's own columns
                    continue
                if not _has_printable_check(field):
                    missing.append(f"{model.__name__}.{field.name}")
                elif isinstance(field, models.TextField) and field.max_length is None:
                    missing.append(f"{model.__name__}.{field.name} (no max_length)")
    assert missing == []


def test_multi_line_fields_are_the_text_fields_and_the_titles_typed_in_a_textarea():
    from roadmaps.models import Item, Party, Roadmap, Section

    def multiline(model, name):
        field = model._meta.get_field(name)
        return next(v for v in field.validators if isinstance(v, PrintableTextValidator)).multiline

    assert multiline(Item, "title") and multiline(Item, "result")
    assert multiline(Roadmap, "title") and multiline(Section, "title")
    assert not multiline(Roadmap, "approval_number") and not multiline(Party, "name")


def test_every_declared_form_text_field_refuses_control_characters():
    """Fields a ModelForm takes from its model are checked by the model's validators (the
    walk above); fields a form declares itself carry the validator."""
    _import_project_modules()
    missing = []
    for form in set(_subclasses(forms.BaseForm)):
        if form.__module__.split(".")[0] not in PROJECT_APPS:
            continue
        model_fields = set()
        if issubclass(form, forms.ModelForm) and form._meta.model is not None:
            model_fields = set(form._meta.fields or []) - set(form.declared_fields)
        for name, field in form.base_fields.items():
            declared = isinstance(field, forms.CharField) and name not in model_fields
            if declared and not _has_printable_check(field):
                missing.append(f"{form.__module__}.{form.__name__}.{name}")
    assert missing == []


def _request_serializers():
    """Every serializer the API reads a request body with, as the OpenAPI schema lists them."""
    generator = SchemaGenerator()
    schema = generator.get_schema(request=None, public=True)
    names = set()
    for operations in schema["paths"].values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "requestBody" not in operation:
                continue
            for content in operation["requestBody"]["content"].values():
                ref = content["schema"].get("$ref", "")
                names.add(ref.rsplit("/", 1)[-1])
    found = {}
    for (name, kind), component in generator.registry._components.items():
        if kind == "schemas" and name in names:
            found[name] = component.object
    return found


def test_every_api_request_text_field_refuses_control_characters():
    found = _request_serializers()
    assert {"ApproveRequest", "ItemRequest", "RoadmapCreateRequest"} <= set(found)
    missing = []
    for name, serializer in found.items():
        if isinstance(serializer, type):
            serializer = serializer()
        for field_name, field in serializer.fields.items():
            if field.read_only:
                continue
            if isinstance(field, serializers.ListField | serializers.DictField):
                checked = field.child
            else:
                checked = field
            if isinstance(checked, serializers.CharField) and not _has_printable_check(checked):
                missing.append(f"{name}.{field_name}")
    assert ", ".join(sorted(missing)) == ""


# Numbers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", 12),
        ("²", None),
        ("٣", None),
        ("99999999999999999999", None),
        ("9223372036854775807", 9223372036854775807),
        ("0", None),
        ("-1", None),
        (" 1", None),
        ("", None),
        (None, None),
        (7, 7),
    ],
)
def test_parse_id_takes_only_ascii_digits_in_range(value, expected):
    assert parse_id(value) == expected


ODD_IDS = ["²", "99999999999999999999"]


@pytest.fixture
def plan(world):
    from tests.factories import make_small_plan

    return make_small_plan(world.institute)


@pytest.fixture
def spring(world):
    from tests.factories import make_round

    return make_round(world.region, [world.school, world.sibling_school], name="Весна")


def _row_counts():
    from roadmaps.models import Item, Roadmap, RoadmapEvent, Section
    from selfdiag.models import Answer, Round, Submission

    return {
        model.__name__: model.objects.count()
        for model in (Roadmap, Section, Item, RoadmapEvent, Round, Submission, Answer)
    }


@pytest.mark.parametrize("value", ODD_IDS)
@pytest.mark.parametrize(
    ("page", "param"),
    [
        ("reports:deficit-map", "round"),
        ("reports:deficit-map", "municipality"),
        ("reports:dynamics", "before"),
        ("reports:dynamics", "after"),
        ("reports:calendar", "roadmap"),
    ],
)
def test_odd_identifier_in_a_page_query_is_a_404(
    world, client_for, spring, plan, page, param, value
):
    response = client_for(world.operator).get(reverse(page), {param: value})
    assert response.status_code == 404


@pytest.mark.parametrize("value", ODD_IDS)
def test_odd_parent_of_a_new_section_is_a_404_and_adds_nothing(world, client_for, plan, value):
    before = _row_counts()
    url = reverse("roadmaps:section-add", args=[plan.pk])
    client = client_for(world.operator)
    assert client.get(url, {"parent": value}).status_code == 404
    response = client.post(url, {"parent": value, "number": "2.", "title": "Раздел"})
    assert response.status_code == 404
    assert _row_counts() == before


@pytest.mark.parametrize("value", ODD_IDS)
def test_odd_municipality_filter_of_a_round_page_is_ignored(world, client_for, spring, value):
    url = reverse("selfdiag:round-detail", args=[spring.pk])
    response = client_for(world.operator).get(url, {"municipality": value})
    assert response.status_code == 200
    assert world.school.short_name in response.content.decode()


@pytest.mark.parametrize("value", ODD_IDS)
def test_odd_source_of_a_plan_from_template_opens_an_empty_form(world, client_for, value):
    response = client_for(world.municipal).get(
        reverse("roadmaps:roadmap-from-template"), {"source": value}
    )
    assert response.status_code == 200


@pytest.mark.parametrize("value", ODD_IDS)
def test_odd_municipality_of_a_deficit_map_file_is_a_404(world, client_for, spring, value):
    from jobs.models import Job

    response = client_for(world.operator).post(
        reverse("jobs:deficit-map-xlsx", args=[spring.pk]), {"municipality": value}
    )
    assert response.status_code == 404
    assert not Job.objects.exists()


@pytest.mark.parametrize("value", ODD_IDS)
def test_odd_old_version_to_compare_is_a_404(world, api, plan, value):
    response = api("operator").get(reverse("api:roadmap-compare", args=[plan.pk]), {"old": value})
    assert response.status_code == 404
    assert response.json()["detail"] == "Такой версии этой карты нет или она недоступна."


@pytest.mark.parametrize("value", ODD_IDS)
def test_odd_municipality_of_the_api_deficit_map_is_a_400(world, api, spring, value):
    response = api("operator").get(
        reverse("api:round-deficit-map", args=[spring.pk]), {"municipality": value}
    )
    assert response.status_code == 400
    assert response.json()["municipality"] == [
        "Укажите идентификатор муниципального образования числом."
    ]


@pytest.mark.parametrize("value", ODD_IDS)
@pytest.mark.parametrize("param", ["before", "after"])
def test_odd_round_of_the_api_dynamics_is_a_404(world, api, spring, param, value):
    response = api("operator").get(reverse("api:dynamics-list"), {param: value})
    assert response.status_code == 404


@pytest.mark.parametrize("value", ["9223372036854775807", "99999999999999999999", "²", "٣"])
@pytest.mark.parametrize("route", ["api:item-list", "api:roadmap-list"])
def test_huge_or_odd_api_page_number_is_a_404(world, api, plan, route, value):
    response = api("operator").get(reverse(route), {"page": value})
    assert response.status_code == 404
    assert response.json()["detail"] == "Нет такой страницы."


def test_last_page_of_a_counted_api_list_is_still_found(world, api, plan):
    response = api("operator").get(reverse("api:roadmap-list"), {"page": "last"})
    assert response.status_code == 200


@pytest.mark.parametrize("value", ["9223372036854775807", "²", "-1"])
def test_huge_or_odd_page_number_of_a_page_list_shows_a_page(world, client_for, plan, value):
    client = client_for(world.operator)
    assert client.get(reverse("roadmaps:roadmap-list"), {"page": value}).status_code == 200
    assert client.get(reverse("roadmaps:monitoring"), {"page": value}).status_code == 200


def test_school_id_with_a_superscript_digit_is_a_row_error_not_a_crash(world, client_for, spring):
    from selfdiag.models import Submission
    from tests.test_selfdiag_excel import _filled, upload

    client = client_for(world.operator)
    workbook = _filled(client, spring, world, {world.school.pk: {"Z1": "да", "ID": "1²"}})
    response = upload(client, spring, workbook)
    assert response.status_code == 200
    assert "Строка 3: ID школы «1²» — не число." in response.content.decode()
    assert not Submission.objects.exists()


def test_inn_with_a_superscript_digit_is_invalid_not_a_crash():
    from orgs.validators import inn_is_valid

    assert not inn_is_valid("781²000000")
    assert not inn_is_valid("٧٨١٠٠٠٠٠٠٠")
