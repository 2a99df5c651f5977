"""Input validation of issue 12 (section 3): control characters, limits on text, identifiers
and page numbers from query strings, absurd dates.

Every refusal is checked for its Russian message, a 4xx (or a form error) and an unchanged
database.
"""

import importlib
import pkgutil
from pathlib import Path

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


# Control characters and maximum lengths at the doors --------------------------------------

CONTROL = "Уберите непечатаемые символы из текста"


def test_plan_create_page_refuses_a_title_with_a_vertical_tab(world, client_for):
    before = _row_counts()
    response = client_for(world.municipal).post(
        reverse("roadmaps:roadmap-create"),
        {"owner": world.omsu.pk, "title": "План\x0bна 2025 год", "period": "2025"},
    )
    assert response.status_code == 200
    assert CONTROL in response.context["form"].errors["title"][0]
    assert CONTROL in response.content.decode()
    assert _row_counts() == before


def test_item_add_page_refuses_a_title_with_a_control_character_and_a_megabyte(
    world, client_for, plan
):
    section = plan.sections.get()
    url = reverse("roadmaps:item-add", args=[section.pk])
    client = client_for(world.operator)
    before = _row_counts()
    fields = {"number": "1.2.", "deadline_text": "2 квартал", "status": "not_started"}
    bad = client.post(url, {**fields, "title": "Семинар\x01"})
    huge = client.post(url, {**fields, "title": "С" * 1_000_000})
    assert CONTROL in bad.context["form"].errors["title"][0]
    assert huge.context["form"].errors["title"] == [
        "Убедитесь, что это значение содержит не более 2000 символов (сейчас 1000000)."
    ]
    assert _row_counts() == before


def test_item_form_shows_the_limits_of_its_text_fields(world, client_for, plan):
    section = plan.sections.get()
    page = client_for(world.operator).get(reverse("roadmaps:item-add", args=[section.pk]))
    html = page.content.decode()
    assert 'name="title" cols="40" rows="3" maxlength="2000"' in html
    assert 'name="result" cols="40" rows="2" maxlength="2000"' in html


def test_api_refuses_a_plan_title_with_a_vertical_tab_and_writes_nothing(world, api):
    before = _row_counts()
    response = api("municipal").post(
        reverse("api:roadmap-list"),
        {
            "owner": world.omsu.pk,
            "title": "План\x0bна 2025 год",
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["title"][0].startswith(CONTROL)
    assert _row_counts() == before


def test_api_refuses_an_approval_number_with_a_control_character(world, api):
    from roadmaps.models import Roadmap
    from tests.factories import make_small_plan

    school_plan = make_small_plan(world.school, status="review")
    before = _row_counts()
    response = api("municipal").post(
        reverse("api:roadmap-approve", args=[school_plan.pk]),
        {
            "kind": "приказ",
            "number": "15\x01-о",
            "date": "2024-02-01",
            "name": "Иванова А.А.",
            "position": "председатель комитета",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["number"] == [f"{CONTROL}: символ U+0001 в позиции 3."]
    assert Roadmap.objects.get(pk=school_plan.pk).status == "review"
    assert _row_counts() == before


def test_api_refuses_an_item_title_of_a_megabyte_and_a_responsible_with_a_control_character(
    world, api
):
    from tests.factories import make_small_plan

    school_plan = make_small_plan(world.school)
    section = school_plan.sections.get()
    url = reverse("api:roadmap-item-list", args=[school_plan.pk])
    before = _row_counts()
    huge = api("school").post(url, {"section": section.pk, "title": "С" * 1_000_000}, format="json")
    bad = api("school").post(
        url, {"section": section.pk, "title": "Семинар", "responsible": ["ИМЦ\x02"]}, format="json"
    )
    assert huge.status_code == 400
    assert huge.json()["title"] == ["Убедитесь, что это значение содержит не более 2000 символов."]
    assert bad.status_code == 400
    assert CONTROL in str(bad.json()["responsible"])
    assert _row_counts() == before


def test_return_comment_is_limited_to_5000_characters(world, api):
    from tests.factories import make_small_plan

    school_plan = make_small_plan(world.school, status="review")
    before = _row_counts()
    response = api("municipal").post(
        reverse("api:roadmap-return", args=[school_plan.pk]), {"comment": "а" * 5001}, format="json"
    )
    assert response.status_code == 400
    assert _row_counts() == before


# Import ------------------------------------------------------------------------------------


def _parsed(**item_fields):
    from roadmaps.importers.structure import ParsedItem, ParsedRoadmap, ParsedSection

    item = ParsedItem(number="1.1", title="Семинар", **item_fields)
    section = ParsedSection(number="1", title="Организационные мероприятия", items=[item])
    return ParsedRoadmap(title="План на 2025 год", sections=[section])


def test_import_names_an_over_long_item_title_and_a_control_character():
    from roadmaps.importing import text_problems

    problems = text_problems(_parsed(result="итог\x0b", responsible_text="ИМЦ"))
    assert problems == [
        "Пункт 1.1, поле «ожидаемый результат»: Уберите непечатаемые символы из текста: "
        "символ U+000B в позиции 5."
    ]
    parsed = _parsed()
    parsed.sections[0].items[0].title = "С" * 2001
    assert text_problems(parsed) == [
        "Пункт 1.1, поле «мероприятие»: 2001 знак, допускается не больше 2000."
    ]


def test_import_of_a_document_with_an_over_long_item_saves_nothing(world):
    from roadmaps.importers import DocumentError
    from roadmaps.importing import save_parsed_roadmap

    parsed = _parsed()
    parsed.sections[0].items[0].title = "С" * 2001
    before = _row_counts()
    with pytest.raises(DocumentError, match=r"План не загружен: исправьте документ\. Пункт 1\.1"):
        save_parsed_roadmap(parsed, owner=world.omsu)
    assert _row_counts() == before


def test_import_page_refuses_a_text_file_with_a_control_character(world, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = (Path(__file__).parent / "fixtures/roadmaps/leningrad-oblast-2023-2024.txt").read_text()
    first_line_of_a_cell = next(line for line in text.splitlines() if "семинар" in line.lower())
    damaged = text.replace(first_line_of_a_cell, first_line_of_a_cell + "\x01", 1)
    upload = SimpleUploadedFile("plan.txt", damaged.encode(), content_type="text/plain")
    before = _row_counts()
    response = client_for(world.operator).post(
        reverse("roadmaps:import"), {"file": upload, "owner": world.institute.pk}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert errors[0].startswith("План не загружен: исправьте документ.")
    assert "U+0001" in errors[0]
    assert _row_counts() == before


def test_every_sample_plan_passes_the_import_checks():
    from roadmaps.importers import parse_document
    from roadmaps.importing import check_parsed

    folder = Path(__file__).parent / "fixtures" / "roadmaps"
    names = [p for p in folder.iterdir() if p.suffix in {".docx", ".xlsx", ".txt", ".md", ".tsv"}]
    names = [p for p in names if p.name != "encrypted.docx"]
    assert len(names) >= 8
    for path in names:
        parsed = parse_document(path)
        check_parsed(parsed, parsed.deadline_period())


# Dates --------------------------------------------------------------------------------------


def _approve_fields(date):
    return {
        "kind": "приказ",
        "number": "15-о",
        "date": date,
        "name": "Иванова А.А.",
        "position": "председатель комитета",
    }


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("2099-12-31", "Дата документа не может быть позже сегодняшнего дня"),
        ("1917-11-07", "Дата документа раньше 2018 года: проверьте год."),
    ],
)
def test_absurd_approval_date_is_refused_on_the_page_and_in_the_api(
    world, client_for, api, date, message
):
    from roadmaps.models import Roadmap
    from tests.factories import make_small_plan

    school_plan = make_small_plan(world.school, status="review")
    before = _row_counts()
    page = client_for(world.municipal).post(
        reverse("roadmaps:roadmap-approve", args=[school_plan.pk]), _approve_fields(date)
    )
    assert page.status_code == 200
    assert page.context["form"].errors["date"][0].startswith(message)
    response = api("municipal").post(
        reverse("api:roadmap-approve", args=[school_plan.pk]), _approve_fields(date), format="json"
    )
    assert response.status_code == 400
    assert response.json()["date"][0].startswith(message)
    assert Roadmap.objects.get(pk=school_plan.pk).status == "review"
    assert _row_counts() == before


def test_approval_dated_today_is_accepted(world, api):
    from django.utils import timezone

    from tests.factories import make_small_plan

    school_plan = make_small_plan(world.school, status="review")
    response = api("municipal").post(
        reverse("api:roadmap-approve", args=[school_plan.pk]),
        _approve_fields(timezone.localdate().isoformat()),
        format="json",
    )
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2017-01-01", "2017-12-31", "Период плана — в пределах 2018–2040 годов"),
        ("2025-01-01", "3000-12-31", "Период плана — в пределах 2018–2040 годов"),
        ("2025-01-01", "2030-12-31", "Период плана — не длиннее 3 лет."),
        ("2025-12-31", "2025-01-01", "Конец периода не может быть раньше его начала."),
    ],
)
def test_absurd_plan_period_is_refused_by_the_api(world, api, start, end, message):
    before = _row_counts()
    response = api("municipal").post(
        reverse("api:roadmap-list"),
        {"owner": world.omsu.pk, "title": "План", "period_start": start, "period_end": end},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["period_end"][0].startswith(message)
    assert _row_counts() == before


def test_three_academic_years_are_a_sane_period():
    import datetime

    from portal.validators import period_problem

    assert period_problem(datetime.date(2024, 9, 1), datetime.date(2027, 8, 31)) is None
    assert period_problem(datetime.date(2024, 1, 1), datetime.date(2026, 12, 31)) is None


def test_absurd_period_typed_on_the_import_page_is_refused():
    from roadmaps.import_forms import RoadmapImportConfirmForm
    from roadmaps.models import Organization

    form = RoadmapImportConfirmForm(
        {"token": "a" * 32, "owner": "", "title": "План", "period": "1900-01-01..3000-12-31"},
        owners=Organization.objects.none(),
    )
    assert form.errors["period"] == ["Период плана — в пределах 2018–2040 годов: проверьте год."]


@pytest.mark.parametrize(
    ("opens", "closes", "field", "message"),
    [
        ("1900-01-01", "3000-12-31", "opens_on", "Начало раунда — не раньше чем год назад"),
        ("2031-01-01", "2031-02-01", "opens_on", "Начало раунда — не позже следующего года"),
        ("{today}", "3000-12-31", "closes_on", "Раунд длится не больше года"),
        ("{today}", "{yesterday}", "closes_on", "Окончание раньше начала."),
    ],
)
def test_absurd_round_dates_are_refused_on_the_page_and_in_the_api(
    world, client_for, api, opens, closes, field, message
):
    import datetime

    from django.utils import timezone

    from tests.factories import make_methodology

    today = timezone.localdate()
    days = {"today": today, "yesterday": today - datetime.timedelta(days=1)}
    opens, closes = opens.format(**days), closes.format(**days)
    methodology = make_methodology()
    fields = {
        "region": world.region.pk,
        "name": "Самодиагностика",
        "opens_on": opens,
        "closes_on": closes,
        "methodology": methodology.pk,
    }
    before = _row_counts()
    page = client_for(world.operator).post(reverse("selfdiag:round-create"), fields)
    assert page.status_code == 200
    assert page.context["form"].errors[field][0].startswith(message)
    response = api("operator").post(reverse("api:round-list"), fields, format="json")
    assert response.status_code == 400
    assert response.json()[field][0].startswith(message)
    assert _row_counts() == before


def test_a_request_too_large_to_read_gets_a_russian_page(world, client_for, plan, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    section = plan.sections.get()
    before = _row_counts()
    response = client_for(world.operator).post(
        reverse("roadmaps:item-add", args=[section.pk]), {"title": "С" * 20_000}
    )
    assert response.status_code == 400
    assert "Запрос не принят" in response.content.decode()
    assert _row_counts() == before


def test_directory_row_with_a_control_character_is_a_row_error(world):
    from orgs.importers import parse_directory

    data = (
        "Муниципальное образование;Полное наименование;Уровни;ОВЗ\n"
        "Тосненский район;Средняя школа\x01 № 1;НОО ООО СОО;нет\n"
    ).encode()
    parsed = parse_directory(data, "schools.csv", world.region)
    assert parsed.errors == [
        "Строка 2: Полное наименование: уберите непечатаемые символы из текста: "
        "символ U+0001 в позиции 14."
    ]
    assert not parsed.ok


def test_methodology_text_with_a_control_character_is_refused():
    import copy

    from selfdiag.methodology import MethodologyError, parse_methodology
    from tests.factories import SMALL_METHODOLOGY

    data = copy.deepcopy(SMALL_METHODOLOGY)
    data["indicators"][0]["wording"] = "Есть\x0b ли"
    with pytest.raises(MethodologyError) as error:
        parse_methodology(data)
    assert "Уберите непечатаемые символы из текста" in str(error.value)


def test_import_refuses_an_approval_dated_in_the_future():
    import datetime

    from roadmaps.importers import DocumentError
    from roadmaps.importers.structure import Approval
    from roadmaps.importing import check_parsed

    parsed = _parsed()
    parsed.approval = Approval(kind="приказ", number="1", date=datetime.date(2099, 12, 31))
    with pytest.raises(DocumentError, match="Гриф утверждения: Дата документа не может быть"):
        check_parsed(parsed)
