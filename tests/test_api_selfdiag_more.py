"""The self-diagnosis API where it follows the pages' other buttons: opening a round, the round's
Excel template, loading it back filled and the results workbook, the plan from deficits and
the dynamics between two rounds.

Each endpoint is checked for every role (401 anonymous, 404 outside the scope, 403 with a
Russian reason, success), against the page it mirrors (same file, same numbers, same words), and
for bad input that changes nothing.
"""

import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from portal.russian import quote
from roadmaps.models import Item, Roadmap
from selfdiag.forms import default_round_name
from selfdiag.models import Answer, Methodology, Round, Submission
from selfdiag.plans import SECTION_TITLE
from tests.factories import (
    make_api_client,
    make_methodology,
    make_municipality,
    make_region,
    make_round,
    make_school,
    make_scored_submissions,
    make_submission,
    make_user,
    travel_to_september_2025,
)
from tests.test_dynamics import EVERYTHING, SPRING, spring_and_autumn

ROLES = ("anonymous", "operator", "municipal", "school", "viewer", "outsider", "superuser")
CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def september_2025():
    with travel_to_september_2025():
        yield


def _url(name, *args):
    return reverse(f"api:{name}", args=args)


def _detail(response):
    detail = response.json()["detail"]
    assert CYRILLIC.search(detail), detail
    return detail


def _user(world, superuser, role):
    return {
        "operator": world.operator,
        "municipal": world.municipal,
        "school": world.school_user,
        "viewer": world.viewer,
        "outsider": world.outsider,
        "superuser": superuser,
    }[role]


@pytest.fixture
def methodology(db):
    return make_methodology()


@pytest.fixture
def round_(world, methodology):
    return make_round(
        world.region,
        [world.school, world.sibling_school, world.other_school],
        methodology,
        name="Весна",
    )


# Opening a round ------------------------------------------------------------------------------


def _new_round(methodology, /, **fields):
    return {
        "name": "Самодиагностика — осень 2025",
        "opens_on": "2025-10-01",
        "closes_on": "2025-11-15",
        "methodology": methodology.pk,
        **fields,
    }


CREATE_STATUSES = {
    "anonymous": 401,
    "operator": 201,
    "superuser": 201,
    "municipal": 403,
    "school": 403,
    "viewer": 403,
    "outsider": 403,
}


@pytest.mark.parametrize("role", ROLES)
def test_only_a_regional_operator_or_the_administrator_opens_a_round(
    role, api, world, methodology, superuser, september_2025
):
    response = api(role).post(
        _url("round-list"), _new_round(methodology, region=world.region.pk), format="json"
    )
    assert response.status_code == CREATE_STATUSES[role], response.content
    if response.status_code == 403:
        assert _detail(response) == "Открыть раунд может региональный оператор."
    if response.status_code != 201:
        assert not Round.objects.exists()
        return
    round_ = Round.objects.get()
    assert response.json()["id"] == round_.pk
    assert (round_.name, round_.region, round_.methodology) == (
        "Самодиагностика — осень 2025",
        world.region,
        methodology,
    )
    assert (round_.opens_on, round_.closes_on) == (
        datetime.date(2025, 10, 1),
        datetime.date(2025, 11, 15),
    )
    assert round_.created_by == _user(world, superuser, role)
    assert set(round_.schools.all()) == {world.school, world.sibling_school, world.other_school}
    assert response.json()["school_count"] == 3
    assert response.json()["done_count"] == 0
    assert response.json()["status"] == "open"


def test_what_is_left_out_takes_the_values_the_page_offers(api, world, methodology):
    newer = make_methodology(version="demo-1")
    Methodology.objects.filter(pk=newer.pk).update(is_demo=True)
    response = api("operator").post(_url("round-list"), {}, format="json")
    assert response.status_code == 201, response.content
    round_ = Round.objects.get()
    today = timezone.localdate()
    assert round_.region == world.region  # the operator's only region
    assert round_.name == default_round_name(today)
    assert (round_.opens_on, round_.closes_on) == (today, today + datetime.timedelta(days=30))
    assert round_.methodology == methodology  # the latest real one, not the demo
    assert round_.created_by == world.operator


def test_a_round_of_chosen_schools_or_of_one_municipality(api, world, methodology, september_2025):
    operator = api("operator")
    chosen = operator.post(
        _url("round-list"),
        _new_round(methodology, schools=[world.school.pk, world.other_school.pk]),
        format="json",
    )
    assert chosen.status_code == 201
    assert set(Round.objects.get(pk=chosen.json()["id"]).schools.all()) == {
        world.school,
        world.other_school,
    }
    district = operator.post(
        _url("round-list"),
        _new_round(methodology, name="Гатчина", municipality=world.municipality.pk),
        format="json",
    )
    assert district.status_code == 201
    assert set(Round.objects.get(pk=district.json()["id"]).schools.all()) == {
        world.school,
        world.sibling_school,
    }


def test_the_administrator_names_the_region_among_several(api, world, methodology, september_2025):
    response = api("superuser").post(_url("round-list"), _new_round(methodology), format="json")
    assert response.status_code == 400
    assert CYRILLIC.search(response.json()["region"][0])
    foreign = api("superuser").post(
        _url("round-list"),
        _new_round(methodology, region=world.foreign_region.pk),
        format="json",
    )
    assert foreign.status_code == 201
    assert list(Round.objects.get().schools.all()) == [world.foreign_school]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"opens_on": "2025-11-15", "closes_on": "2025-10-01"}, "closes_on", "Окончание раньше"),
        ({"name": "Весна"}, "name", "Раунд с таким наименованием в регионе уже есть."),
        ({"schools": "foreign"}, "schools", "Выберите корректный вариант."),
        ({"municipality": "foreign"}, "municipality", "Выберите корректный вариант."),
        ({"region": "foreign"}, "region", "Выберите корректный вариант."),
        ({"methodology": 999_999}, "methodology", "Выберите корректный вариант."),
        ({"opens_on": "вчера"}, "opens_on", ""),
        ({"name": ""}, "name", ""),
        ({"schools": ["Гатчина"]}, "schools", ""),
    ],
)
def test_a_bad_round_is_refused_in_russian_and_nothing_is_created(
    fields, field, message, api, world, methodology, round_, september_2025
):
    foreign = {
        "schools": [world.foreign_school.pk],
        "municipality": world.foreign_school.municipality_id,
        "region": world.foreign_region.pk,
    }
    fields = {key: foreign[key] if value == "foreign" else value for key, value in fields.items()}
    before = (Round.objects.count(), Round.schools.through.objects.count())
    response = api("operator").post(
        _url("round-list"), _new_round(methodology, **fields), format="json"
    )
    assert response.status_code == 400, response.content
    errors = _messages(response.json()[field])
    assert all(CYRILLIC.search(error) for error in errors), errors
    assert message in " ".join(errors)
    assert (Round.objects.count(), Round.schools.through.objects.count()) == before


def _messages(errors):
    """A field's messages; a list field's come keyed by the position of the wrong value."""
    if isinstance(errors, dict):
        return [message for messages in errors.values() for message in messages]
    return errors


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"municipality": "gatchina", "schools": ["luga"]},
            "schools",
            "Школы вне выбранного региона или муниципального образования: МОУ «Лужская СОШ № 3»",
        ),
        (
            {"municipality": "foreign"},
            "municipality",
            "Муниципальное образование другого региона.",
        ),
    ],
)
def test_schools_and_municipality_must_be_of_the_rounds_region(
    fields, field, message, api, world, methodology, september_2025
):
    values = {
        "gatchina": world.municipality.pk,
        "luga": world.other_school.pk,
        "foreign": world.foreign_school.municipality_id,
    }
    fields = {
        key: [values[v] for v in value] if isinstance(value, list) else values[value]
        for key, value in fields.items()
    }
    # The administrator may open rounds in both regions: the form's own checks speak.
    response = api("superuser").post(
        _url("round-list"), _new_round(methodology, region=world.region.pk, **fields), format="json"
    )
    assert response.status_code == 400
    assert response.json() == {field: [message]}
    assert not Round.objects.exists()


def test_a_region_without_schools_gets_the_pages_words(api, world, methodology, september_2025):
    empty = make_region("78", name="Санкт-Петербург")
    make_municipality(empty, name="Адмиралтейский район")
    response = api("superuser").post(
        _url("round-list"), _new_round(methodology, region=empty.pk, schools=[]), format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["В выбранном регионе нет ни одной школы."]}
    assert not Round.objects.exists()


def test_round_errors_are_the_errors_of_the_page(
    api, world, methodology, round_, client_for, september_2025
):
    fields = _new_round(methodology, name="Весна", opens_on="2025-11-15", closes_on="2025-10-01")
    page = client_for(world.operator).post(
        reverse("selfdiag:round-create"), {**fields, "region": world.region.pk}
    )
    response = api("operator").post(_url("round-list"), fields, format="json")
    assert response.status_code == 400
    assert {key: list(errors) for key, errors in page.context["form"].errors.items()} == (
        response.json()
    )


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_a_round_is_not_edited_through_the_api_as_not_on_the_pages(method, api, round_):
    response = getattr(api("operator"), method)(
        _url("round-detail", round_.pk), {"name": "Другое"}, format="json"
    )
    assert response.status_code == 405
    round_.refresh_from_db()
    assert round_.name == "Весна"


# The Excel template and the results -----------------------------------------------------------


def _sheets(content):
    book = load_workbook(io.BytesIO(content))
    return {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in book.worksheets
    }


def _page_bytes(response):
    return b"".join(response.streaming_content)


TEMPLATE_STATUSES = {
    "anonymous": 401,
    "operator": 200,
    "municipal": 200,
    "school": 403,
    "viewer": 403,
    "outsider": 404,
    "superuser": 200,
}


@pytest.mark.parametrize("role", ROLES)
def test_the_template_is_for_the_reviewers_of_the_round(role, api, round_):
    response = api(role).get(_url("round-template", round_.pk))
    assert response.status_code == TEMPLATE_STATUSES[role]
    if response.status_code == 403:
        assert "региональному оператору и муниципальному координатору" in _detail(response)
    if response.status_code == 404:
        assert _detail(response) == "Раунд не найден или недоступен."


@pytest.mark.parametrize("role", ["operator", "municipal"])
def test_the_template_is_the_pages_file(role, api, world, round_, client_for, superuser):
    make_submission(round_, world.school, {"Z1": "yes", "Z2": "partly"})
    response = api(role).get(_url("round-template", round_.pk), HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    page = client_for(_user(world, superuser, role)).get(
        reverse("selfdiag:round-template", args=[round_.pk])
    )
    assert response["Content-Disposition"] == page["Content-Disposition"]
    sheets = _sheets(b"".join(response.streaming_content))
    assert sheets == _sheets(_page_bytes(page))
    ids = {row[0] for row in sheets["Ответы"][2:]}
    expected = {world.school.pk, world.sibling_school.pk}
    assert ids == (expected | {world.other_school.pk} if role == "operator" else expected)


RESULTS_STATUSES = {
    "anonymous": 401,
    "operator": 200,
    "municipal": 200,
    "school": 200,
    "viewer": 200,
    "outsider": 404,
    "superuser": 200,
}


@pytest.mark.parametrize("role", ROLES)
def test_results_are_for_everyone_who_sees_the_round_and_equal_the_pages_file(
    role, api, world, round_, client_for, superuser
):
    make_submission(round_, world.school, EVERYTHING, status="submitted")
    make_submission(round_, world.other_school, SPRING["other_school"], status="accepted")
    response = api(role).get(_url("round-results", round_.pk))
    assert response.status_code == RESULTS_STATUSES[role]
    if response.status_code != 200:
        return
    page = client_for(_user(world, superuser, role)).get(
        reverse("selfdiag:round-export", args=[round_.pk])
    )
    assert response["Content-Disposition"] == page["Content-Disposition"]
    content = b"".join(response.streaming_content)
    assert _sheets(content) == _sheets(_page_bytes(page))
    names = {
        row[1]
        for row in load_workbook(io.BytesIO(content)).active.iter_rows(min_row=3, values_only=True)
    }
    seen = {"school": 1, "municipal": 1, "operator": 2, "viewer": 2, "superuser": 2}[role]
    assert len(names) == seen


def test_a_big_rounds_results_point_to_the_background_job_as_the_page_does(
    api, world, round_, client_for, monkeypatch
):
    from portal import tasks

    monkeypatch.setattr(tasks, "BACKGROUND_FROM_SCHOOLS", 2)
    for user, role, status in (
        (world.operator, "operator", 409),
        (world.municipal, "municipal", 200),
    ):
        page = client_for(user).get(reverse("selfdiag:round-detail", args=[round_.pk]))
        assert page.context["export_in_background"] is (status == 409)
        response = api(role).get(_url("round-results", round_.pk))
        assert response.status_code == status
    detail = _detail(api("operator").get(_url("round-results", round_.pk)))
    assert "больше 2" in detail
    assert reverse("jobs:job-list") in detail
    assert reverse("selfdiag:round-detail", args=[round_.pk]) in detail


def test_an_error_of_a_download_comes_as_json(api, round_):
    response = api("school").get(_url("round-template", round_.pk), HTTP_ACCEPT=XLSX)
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")


# Loading the filled template ------------------------------------------------------------------


def _filled(client, round_, rows):
    """The template downloaded through the API with answers (labels) written into its rows."""
    response = client.get(_url("round-template", round_.pk))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook["Ответы"]
    header = [cell.value for cell in sheet[1]]
    line = {row[0].value: row[0].row for row in sheet.iter_rows(min_row=3)}
    for school_id, answers in rows.items():
        for code, label in answers.items():
            column = 1 if code == "ID" else header.index(code) + 1
            sheet.cell(row=line[school_id], column=column, value=label)
    return workbook


def _upload(client, round_, workbook, name="results.xlsx", **fields):
    data = io.BytesIO()
    workbook.save(data)
    data.name = name
    data.seek(0)
    return client.post(
        _url("round-import", round_.pk), {"file": data, **fields}, format="multipart"
    )


def _stored():
    return (
        list(Submission.objects.order_by("pk").values_list("school_id", "status", "total_points")),
        sorted(
            Answer.objects.values_list("submission__school_id", "indicator__code", "option__code")
        ),
    )


IMPORT_STATUSES = {
    "anonymous": 401,
    "operator": 200,
    "municipal": 200,
    "school": 403,
    "viewer": 403,
    "outsider": 404,
    "superuser": 200,
}


@pytest.mark.parametrize("role", ROLES)
def test_loading_answers_is_for_the_reviewers_of_the_round(role, api, world, round_):
    workbook = _filled(api("municipal"), round_, {world.school.pk: {"Z1": "да"}})
    response = _upload(api(role), round_, workbook)
    assert response.status_code == IMPORT_STATUSES[role], response.content
    if response.status_code == 403:
        assert "региональному оператору и муниципальному координатору" in _detail(response)
    if response.status_code == 200:
        assert Submission.objects.get().answers_by_code() == {"Z1": "yes"}
    else:
        assert not Submission.objects.exists()


def test_a_dry_run_shows_what_would_be_loaded_and_saves_nothing(api, world):
    basic = make_school(world.municipality, short_name="МОУ «ООШ № 5»", teaches_soo=False)
    round_ = make_round(world.region, [world.school, basic], name="Весна")
    make_submission(round_, world.school, {"Z1": "no"})
    client = api("operator")
    workbook = _filled(
        client,
        round_,
        {
            world.school.pk: {"Z1": "да", "Z2": "да, в полном объёме", "S1": "частично"},
            basic.pk: {"Z1": "да", "Z3": "да", "V1": "Частично "},
        },
    )
    before = _stored()
    response = _upload(client, round_, workbook, dry_run="true")
    assert response.status_code == 200, response.content
    body = response.json()
    assert _stored() == before
    assert (body["school_count"], body["answer_count"]) == (2, 5)
    rows = {row["school"]: row for row in body["rows"]}
    assert rows[world.school.pk]["existing_status"] == "draft"
    assert rows[world.school.pk]["existing_status_label"] == "заполняется"
    assert rows[basic.pk] == {
        "line": 4,
        "school": basic.pk,
        "school_name": "МОУ «ООШ № 5»",
        "municipality_name": "Гатчинский муниципальный округ",
        "answer_count": 2,
        "ignored": 1,
        "existing_status": "",
        "existing_status_label": "",
    }
    assert any("показатели Z3 к школе не относятся" in warning for warning in body["warnings"])
    assert "created" not in body


def test_loading_saves_submissions_as_sent_and_scored_like_the_page(api, world):
    basic = make_school(world.municipality, short_name="МОУ «ООШ № 5»", teaches_soo=False)
    round_ = make_round(world.region, [world.school, basic])
    make_submission(round_, world.school, {"Z1": "no"})
    client = api("operator")
    workbook = _filled(
        client,
        round_,
        {
            world.school.pk: {"Z1": "да", "Z2": "да, в полном объёме", "S1": "частично"},
            basic.pk: {"Z1": "да", "Z3": "да", "V1": "Частично "},
        },
    )
    response = _upload(client, round_, workbook)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["updated"]) == (1, 1)
    assert body["detail"] == "Результаты загружены и подсчитаны: новых анкет 1, обновлено 1."
    first = Submission.objects.get(school=world.school)
    second = Submission.objects.get(school=basic)
    assert first.status == second.status == Submission.Status.SUBMITTED
    assert first.submitted_by == world.operator
    assert first.answers_by_code() == {"Z1": "yes", "Z2": "full", "S1": "partly"}
    assert second.answers_by_code() == {"Z1": "yes", "V1": "partly"}
    assert (first.total_points, first.max_points) == (4, 9)
    assert (second.total_points, second.max_points) == (2, 8)
    assert first.is_scored and second.deficit_count == 4


@pytest.mark.parametrize("dry_run", ["false", "true"])
def test_a_file_with_bad_rows_saves_nothing_and_names_each_row(dry_run, api, world, round_):
    make_submission(round_, world.other_school, EVERYTHING, status="accepted")
    client = api("operator")
    workbook = _filled(
        client,
        round_,
        {
            world.school.pk: {"Z1": "да", "Z2": "иногда"},
            world.sibling_school.pk: {"Z1": "да", "ID": 999999},
            world.other_school.pk: {"Z1": "нет"},
        },
    )
    before = _stored()
    response = _upload(client, round_, workbook, dry_run=dry_run)
    assert response.status_code == 400
    body = response.json()
    assert body["file"] == ["Исправьте ошибки в файле: ничего не сохранено."]
    errors = body["errors"]
    assert "Строка 3 («МБОУ „Гатчинская СОШ № 1“»): Z2: ответа «иногда» нет в списке" in errors[0]
    assert "Строка 4: школа с ID 999999 не входит в раунд «Весна»" in errors[1]
    assert "уже принята" in errors[2]
    assert len(errors) == 3
    assert _stored() == before


def test_a_municipal_coordinator_loads_the_schools_of_the_district_only(api, world, round_):
    workbook = _filled(api("operator"), round_, {world.other_school.pk: {"Z1": "да"}})
    response = _upload(api("municipal"), round_, workbook)
    assert response.status_code == 400
    assert f"школа с ID {world.other_school.pk} не входит в раунд" in response.json()["errors"][0]
    assert not Submission.objects.exists()


def _not_a_template():
    workbook = Workbook()
    workbook.active.append(["Школа", "Баллы"])
    return workbook


@pytest.mark.parametrize(
    ("name", "workbook", "message"),
    [
        ("results.csv", Workbook, "Загрузите книгу Excel (.xlsx)."),
        ("results.xlsx", _not_a_template, "Не найдена строка заголовка со столбцом «ID школы»"),
    ],
)
def test_a_file_that_is_not_the_template_gets_one_clear_message(
    name, workbook, message, api, round_
):
    response = _upload(api("operator"), round_, workbook(), name=name)
    assert response.status_code == 400
    assert message in response.json()["file"][0]
    assert not Submission.objects.exists()


def test_loading_needs_a_file_and_a_post(api, round_):
    client = api("operator")
    response = client.post(_url("round-import", round_.pk), {}, format="multipart")
    assert response.status_code == 400
    assert CYRILLIC.search(response.json()["file"][0])
    assert client.get(_url("round-import", round_.pk)).status_code == 405


# The plan from deficits -----------------------------------------------------------------------

# Z1 (critical) and S1 below their maximum.
TWO_DEFICITS = {**EVERYTHING, "Z1": "no", "S1": "partly"}
Z1_TITLE = "Устранить дефицит: Реализация федеральных рабочих программ по учебным предметам"
S1_TITLE = "Устранить дефицит: Использование ФГИС «Моя школа»"


@pytest.fixture
def sent(world, round_):
    return make_submission(round_, world.school, TWO_DEFICITS, status="submitted")


def _plan_url(submission):
    return _url("submission-plan-from-deficits", submission.pk)


PLAN_STATUSES = {
    "anonymous": 401,
    "operator": 200,
    "municipal": 200,
    "school": 200,
    "viewer": 403,
    "outsider": 404,
    "superuser": 200,
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_the_plan_is_made_by_those_who_run_the_school(method, role, api, sent):
    payload = {"deficits": ["Z1"]} if method == "post" else None
    response = getattr(api(role), method)(_plan_url(sent), payload, format="json")
    assert response.status_code == PLAN_STATUSES[role], response.content
    if response.status_code == 403:
        assert _detail(response) == "Составлять план школы может только тот, кто его ведёт."
    if response.status_code == 404:
        assert _detail(response) == "Анкета не найдена или недоступна."
    made = Roadmap.objects.exists()
    assert made is (method == "post" and response.status_code == 200)


def test_the_deficits_show_what_the_plan_already_has(api, world, sent, client_for):
    client = api("school")
    body = client.get(_plan_url(sent)).json()
    assert body["plan"] is None
    assert body["year"] == 2024
    assert body["period"] == {"start": "2024-09-01", "end": "2025-08-31"}
    assert [(d["indicator"], d["critical"], d["in_plan"]) for d in body["deficits"]] == [
        ("Z1", True, False),
        ("S1", False, False),
    ]
    assert body["deficits"][0]["direction"] == "znanie"
    assert body["deficits"][0]["direction_name"]
    assert (body["deficits"][1]["points"], body["deficits"][1]["max_points"]) == (1, 2)

    first = client.post(_plan_url(sent), {"deficits": ["Z1"]}, format="json")
    assert first.status_code == 200, first.content
    roadmap = Roadmap.objects.get()
    body = client.get(_plan_url(sent)).json()
    assert body["plan"] == {
        "id": roadmap.pk,
        "title": roadmap.title,
        "status": "draft",
        "version": roadmap.version,
    }
    assert [d["in_plan"] for d in body["deficits"]] == [True, False]


def test_deficits_go_into_the_plan_once_as_on_the_page(api, world, sent, client_for):
    client = api("school")
    first = client.post(
        _plan_url(sent), {"deficits": ["Z1"], "deadline_text": "до 1 сентября"}, format="json"
    )
    assert first.status_code == 200, first.content
    roadmap = Roadmap.objects.get(owner=world.school)
    body = first.json()
    assert body["plan"]["id"] == roadmap.pk
    assert body["plan_created"] is True
    assert body["already_in_plan"] == []
    assert [(i["indicator"], i["title"], i["number"]) for i in body["added"]] == [
        ("Z1", Z1_TITLE, "1.1")
    ]
    assert body["added"][0]["deadline_text"] == "до 1 сентября"
    # Read against the round's academic year, 2024/2025.
    assert body["added"][0]["deadline_end"] == "2024-09-01"
    assert body["detail"] == (
        f"Создан черновик плана {quote(roadmap.title)}: добавлено мероприятий — 1."
    )
    assert (roadmap.period_start, roadmap.period_end) == (
        datetime.date(2024, 9, 1),
        datetime.date(2025, 8, 31),
    )

    second = client.post(_plan_url(sent), {"deficits": ["Z1", "S1"]}, format="json").json()
    assert second["plan"]["id"] == roadmap.pk
    assert second["plan_created"] is False
    assert second["already_in_plan"] == ["Z1"]
    assert [(i["indicator"], i["title"]) for i in second["added"]] == [("S1", S1_TITLE)]
    assert second["added"][0]["deadline_text"] == "в течение учебного года"
    assert second["detail"].startswith("План дополнен «")
    items = list(Item.objects.filter(roadmap=roadmap).order_by("position"))
    assert [item.title for item in items] == [Z1_TITLE, S1_TITLE]
    assert {item.section.title for item in items} == {SECTION_TITLE}
    assert [list(item.directions.values_list("code", flat=True)) for item in items] == [
        ["znanie"],
        ["sreda"],
    ]


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"deficits": []}, "deficits", "Отметьте хотя бы один дефицит."),
        ({"deficits": ["Z2"]}, "deficits", "Z2"),
        ({"deficits": ["Z1"], "deadline_text": ""}, "deadline_text", ""),
        ({}, "deficits", ""),
    ],
)
def test_a_bad_choice_of_deficits_adds_nothing(payload, field, message, api, sent):
    response = api("school").post(_plan_url(sent), payload, format="json")
    assert response.status_code == 400
    errors = response.json()[field]
    assert all(CYRILLIC.search(error) for error in errors), errors
    assert message in " ".join(errors)
    assert not Roadmap.objects.exists() and not Item.objects.exists()


def test_a_questionnaire_not_sent_yet_has_no_deficits_for_a_plan(api, world, round_):
    draft = make_submission(round_, world.school, TWO_DEFICITS)
    for method in ("get", "post"):
        response = getattr(api("school"), method)(
            _plan_url(draft), {"deficits": ["Z1"]}, format="json"
        )
        assert response.status_code == 409
        assert "после её отправки" in _detail(response)
    assert not Roadmap.objects.exists()


# Dynamics -------------------------------------------------------------------------------------


@pytest.fixture
def rounds(world):
    """The spring and autumn rounds of tests/test_dynamics.py (see the hand counts there)."""
    return spring_and_autumn(world)


def _dynamics(client, **params):
    response = client.get(_url("dynamics-list"), params)
    assert response.status_code == 200, response.content
    return response.json()


def test_dynamics_holds_the_changes_counted_by_hand(api, rounds):
    body = _dynamics(api("operator"))
    assert (body["before"]["id"], body["after"]["id"]) == (
        rounds["spring"].pk,
        rounds["autumn"].pk,
    )
    assert body["total"]["counts"] == {"up": 2, "same": 1, "down": 1}
    assert body["total"]["mean_delta"] == pytest.approx(0.75)  # (−3 + 4 + 0 + 2) / 4
    assert (body["only_before"], body["only_after"]) == (0, 1)
    assert [d["code"] for d in body["directions"]] == ["znanie", "vospitanie", "sreda"]
    assert [d["mean_delta"] for d in body["directions"]] == pytest.approx([0, 0.25, 0.5])
    assert [d["counts"] for d in body["directions"]][2] == {"up": 2, "same": 1, "down": 1}
    first = next(row for row in body["schools"] if row["name"] == "МБОУ «Гатчинская СОШ № 1»")
    assert first["overall"] == {"before": "high", "after": "base", "delta": -3, "change": "down"}
    assert first["directions"]["znanie"] == {
        "before": "high",
        "after": "base",
        "delta": -2,
        "change": "down",
    }
    assert body["changes"]["up"] == "уровень вырос"


@pytest.mark.parametrize("role", ["operator", "municipal", "school", "viewer", "superuser"])
def test_dynamics_numbers_equal_the_pages(role, api, world, rounds, client_for, superuser):
    page = client_for(_user(world, superuser, role)).get(reverse("reports:dynamics"))
    result = page.context["dynamics"]
    body = _dynamics(api(role))
    assert (body["before"]["id"], body["after"]["id"]) == (result.before.pk, result.after.pk)
    assert [
        (
            row["id"],
            tuple(row["overall"].values()),
            [d and tuple(d.values()) for d in row["directions"].values()],
        )
        for row in body["schools"]
    ] == [
        (row.pk, tuple(row.overall), [d and tuple(d) for d in row.directions])
        for row in result.schools
    ]
    for area, page_area in zip(
        [*body["areas"], body["total"]], [*result.areas, result.total], strict=True
    ):
        assert (area["id"], area["name"], area["counts"], area["mean_delta"]) == (
            page_area.pk,
            page_area.name,
            page_area.tally.counts,
            page_area.mean_delta,
        )
    assert [d["counts"] for d in body["directions"]] == [s.tally.counts for s in result.directions]
    assert (body["only_before"], body["only_after"]) == (result.only_before, result.only_after)


def test_dynamics_of_one_municipality_and_of_one_kind_of_change(api, world, rounds):
    client = api("operator")
    luga = _dynamics(client, municipality=world.other_municipality.pk)
    assert luga["municipality"] == {
        "id": world.other_municipality.pk,
        "name": "Лужский муниципальный район",
    }
    assert [row["name"] for row in luga["schools"]] == [
        "МОУ «Лужская СОШ № 3»",
        "МОУ «Лужская СОШ № 5»",
    ]
    down = _dynamics(client, before=rounds["spring"].pk, after=rounds["autumn"].pk, change="down")
    assert [row["name"] for row in down["schools"]] == ["МБОУ «Гатчинская СОШ № 1»"]
    assert down["change"] == "down"
    assert down["total"]["counts"] == {"up": 2, "same": 1, "down": 1}  # the summaries stay whole


def test_dynamics_follows_the_scope_of_the_user(api, world, rounds):
    assert [row["name"] for row in _dynamics(api("school"))["schools"]] == [
        "МБОУ «Гатчинская СОШ № 1»"
    ]
    municipal = _dynamics(api("municipal"))
    assert {row["municipality"] for row in municipal["schools"]} == {world.municipality.pk}


DYNAMICS_STATUSES = {
    "anonymous": 401,
    "operator": 200,
    "municipal": 200,
    "school": 200,
    "viewer": 200,
    "outsider": 404,
    "superuser": 200,
}


@pytest.mark.parametrize("role", ROLES)
def test_dynamics_of_named_rounds_opens_inside_the_scope_only(role, api, rounds):
    params = {"before": rounds["spring"].pk, "after": rounds["autumn"].pk}
    response = api(role).get(_url("dynamics-list"), params)
    assert response.status_code == DYNAMICS_STATUSES[role]
    if response.status_code == 404:
        assert _detail(response) == "Раунд не найден или недоступен."


def test_dynamics_needs_a_role_and_two_rounds(api, world, rounds):
    nobody = make_api_client(make_user("nobody"))
    response = nobody.get(_url("dynamics-list"))
    assert response.status_code == 403
    assert _detail(response) == "Аналитические отчёты доступны участникам проекта."
    # The outsider's region has no rounds with results.
    response = api("outsider").get(_url("dynamics-list"))
    assert response.status_code == 409
    assert _detail(response) == "Для динамики нужны два раунда самодиагностики с результатами."


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"before": "spring", "after": "spring"}, 400, "before"),
        ({"change": "sideways"}, 400, "change"),
        ({"municipality": "foreign"}, 404, "detail"),
        ({"after": "Осень"}, 404, "detail"),
    ],
)
def test_bad_dynamics_parameters_are_refused_in_russian(params, status, field, api, world, rounds):
    values = {
        "spring": rounds["spring"].pk,
        "foreign": world.foreign_school.municipality_id,
    }
    params = {key: values.get(value, value) for key, value in params.items()}
    response = api("operator").get(_url("dynamics-list"), params)
    assert response.status_code == status
    message = response.json()[field]
    assert CYRILLIC.search(message if isinstance(message, str) else message[0])


def test_dynamics_queries_do_not_grow_with_the_number_of_schools(
    world, django_assert_max_num_queries
):
    client = make_api_client(world.operator)

    def region(count):
        schools = [make_school(world.municipality) for _ in range(count)]
        methodology = make_methodology(version=f"test-{count}")
        before = make_round(world.region, schools, methodology)
        after = make_round(world.region, schools, methodology, closes_on=datetime.date(2025, 5, 1))
        make_scored_submissions(before, dict.fromkeys(schools, SPRING["school"]))
        make_scored_submissions(after, dict.fromkeys(schools, EVERYTHING))
        return {"before": before.pk, "after": after.pk}

    small, large = region(5), region(60)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(_url("dynamics-list"), small).status_code == 200
    with django_assert_max_num_queries(len(captured)):
        response = client.get(_url("dynamics-list"), large)
    assert len(response.json()["schools"]) == 60
