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
