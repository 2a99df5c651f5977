"""Loading a region's directory through the API: the same file, the same checks and the same
all-or-nothing save as the page «Загрузка справочника», for regional operators only."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from orgs import importers
from orgs.models import Membership, Municipality, Organization
from tests.factories import make_api_client, make_member, make_organization
from tests.test_orgs import GOOD_ROWS, _directory_xlsx

URL = reverse("api:organization-import")
FORBIDDEN = "Загрузка справочника доступна региональному оператору."
BAD_ROW = ["Кировский район", "Школа", "Школа № 7", "7805047527", "", "НОО", "да", ""]


def _directory():
    return Organization.objects.count(), Municipality.objects.count()


def _post(client, file, **data):
    return client.post(URL, {"file": file, **data}, format="multipart")


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 401),
        ("operator", 200),
        ("municipal", 403),
        ("school", 403),
        ("viewer", 403),
        ("outsider", 403),
        ("superuser", 200),
    ],
)
def test_only_a_regional_operator_or_an_administrator_may_load_the_directory(
    role, status, api, world
):
    before = _directory()
    response = _post(api(role), _directory_xlsx(GOOD_ROWS), region=world.region.pk, dry_run=True)
    assert response.status_code == status, response.content
    if status == 403:
        assert response.json()["detail"] == FORBIDDEN
    if status == 200:
        assert response.json()["organizations"] == 2
    assert _directory() == before


def test_operator_loads_the_file_into_their_region_all_at_once(api, world):
    response = _post(api("operator"), _directory_xlsx(GOOD_ROWS))
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["region"], body["dry_run"], body["organizations"]) == (world.region.pk, False, 2)
    assert (body["created"], body["updated"]) == (2, 0)
    assert body["new_municipalities"] == ["Кировский район", "Новый район"]
    school = Organization.objects.get(inn="7805047526")
    assert (school.region, school.municipality.name) == (world.region, "Кировский район")
    assert school.education_levels == ("НОО", "ООО", "СОО")
    assert school.has_ovz_pupils and school.in_project_since == 2023
    basic = Organization.objects.get(short_name="МОУ ООШ № 2")
    assert basic.education_levels == ("НОО", "ООО") and not basic.has_ovz_pupils

    again = _post(api("operator"), _directory_xlsx(GOOD_ROWS)).json()
    assert (again["created"], again["updated"], again["new_municipalities"]) == (0, 2, [])
    assert Organization.objects.filter(inn="7805047526").count() == 1


def test_dry_run_shows_what_would_be_added_and_updated_and_saves_nothing(api, world):
    _post(api("operator"), _directory_xlsx(GOOD_ROWS[:1]))
    before = _directory()
    response = _post(api("operator"), _directory_xlsx(GOOD_ROWS), dry_run="true")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["dry_run"], body["created"], body["updated"]) == (True, 1, 1)
    assert body["new_municipalities"] == ["Новый район"]
    assert [(row["line"], row["short_name"], row["exists"]) for row in body["rows"]] == [
        (3, "МБОУ СОШ № 5", True),
        (4, "МОУ ООШ № 2", False),
    ]
    assert body["rows"][1]["levels"] == ["НОО", "ООО"]
    assert body["rows"][0]["kind"] == Organization.Kind.SCHOOL
    assert _directory() == before
    assert not Municipality.objects.filter(name="Новый район").exists()


@pytest.mark.parametrize("dry_run", [False, True])
def test_one_bad_row_saves_nothing_and_names_the_row_in_russian(dry_run, api, world):
    before = _directory()
    response = _post(api("operator"), _directory_xlsx([*GOOD_ROWS, BAD_ROW]), dry_run=dry_run)
    assert response.status_code == 400
    errors = response.json()["file"]
    assert len(errors) == 1
    assert errors[0].startswith("Строка 5: ИНН «7805047527» неверен")
    assert _directory() == before


def test_every_bad_row_is_listed(api, world):
    rows = [
        *GOOD_ROWS,
        BAD_ROW,
        ["", "Школа", "Школа № 8", "", "", "НОО", "может быть", ""],
    ]
    errors = _post(api("operator"), _directory_xlsx(rows)).json()["file"]
    assert [error.split(":")[0] for error in errors] == ["Строка 5", "Строка 6"]
    assert "не указано муниципальное образование" in errors[1]
    assert "в столбце ОВЗ ожидается «да» или «нет»" in errors[1]


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (_directory_xlsx([["a", "b"]], header=["x", "y"]), "Не найдена строка заголовка"),
        (
            SimpleUploadedFile("broken.xlsx", b"not an excel file at all"),
            "Файл повреждён или не является книгой Excel",
        ),
        (SimpleUploadedFile("list.pdf", b"%PDF-1.4"), "Поддерживаются файлы .xlsx и .csv."),
        (_directory_xlsx([]), "В файле нет ни одной строки с организациями."),
    ],
    ids=["no-header", "corrupt", "pdf", "empty"],
)
def test_a_file_that_cannot_be_loaded_is_a_russian_error_and_saves_nothing(
    upload, message, api, world
):
    before = _directory()
    response = _post(api("operator"), upload)
    assert response.status_code == 400
    assert response.json()["file"][0].startswith(message)
    assert _directory() == before


def test_a_file_over_the_limit_is_refused_before_it_is_read(monkeypatch, api, world):
    monkeypatch.setattr(importers, "MAX_BYTES", 100)
    response = _post(api("operator"), _directory_xlsx(GOOD_ROWS))
    assert response.status_code == 400
    assert response.json()["file"] == ["Файл больше 10 МБ; разделите список на части."]
    assert not Organization.objects.filter(inn="7805047526").exists()


def test_a_request_without_a_file_is_refused(api, world):
    response = api("operator").post(URL, {"dry_run": "true"}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()


def test_csv_in_cp1251_loads_as_from_the_command_line(api, world):
    csv = SimpleUploadedFile(
        "schools.csv",
        "Муниципальное образование;Полное наименование;Уровни;ОВЗ\n"
        "Тосненский район;Средняя школа № 1 г. Тосно;НОО ООО СОО;нет\n".encode("cp1251"),
    )
    response = _post(api("operator"), csv)
    assert response.status_code == 200, response.content
    assert Organization.objects.get(name="Средняя школа № 1 г. Тосно").teaches_soo


def test_operator_cannot_load_into_another_region(api, world):
    before = _directory()
    response = _post(api("operator"), _directory_xlsx(GOOD_ROWS), region=world.foreign_region.pk)
    assert response.status_code == 404
    assert response.json()["detail"] == "Субъект РФ не найден или недоступен."
    assert _directory() == before


def test_a_region_seen_only_for_reading_is_refused_with_the_reason(api, world):
    foreign_operator = make_organization(
        region=world.foreign_region,
        kind=Organization.Kind.REGIONAL_OPERATOR,
        short_name="ТОГИРРО",
    )
    user = make_member(foreign_operator, Membership.Role.REGIONAL_OPERATOR, "two-hats")
    Membership.objects.create(user=user, organization=world.ministry, role=Membership.Role.VIEWER)
    client = make_api_client(user)
    before = _directory()
    response = _post(client, _directory_xlsx(GOOD_ROWS), region=world.region.pk)
    assert response.status_code == 403
    assert response.json()["detail"] == FORBIDDEN
    assert _directory() == before
    # Into their own region, the one they may load, without naming it: it is the only one.
    assert _post(client, _directory_xlsx(GOOD_ROWS)).json()["region"] == world.foreign_region.pk


def test_administrator_names_the_region(api, world):
    client = api("superuser")
    response = _post(client, _directory_xlsx(GOOD_ROWS))
    assert response.status_code == 400
    assert response.json()["region"] == [
        "Укажите субъект РФ: вы загружаете справочник нескольких регионов."
    ]
    assert not Organization.objects.filter(inn="7805047526").exists()
    response = _post(client, _directory_xlsx(GOOD_ROWS), region=world.foreign_region.pk)
    assert response.status_code == 200
    assert Organization.objects.get(inn="7805047526").region == world.foreign_region


def test_loading_rejects_get(api, world):
    assert api("operator").get(URL).status_code == 405


def test_the_page_and_the_api_load_the_same_file_the_same_way(api, world, client_for):
    """The page's preview and the API's dry run agree on the file."""
    upload = _directory_xlsx(GOOD_ROWS)
    preview = client_for(world.operator).post(
        reverse("orgs:directory-import"), {"region": world.region.pk, "file": upload}
    )
    parsed = preview.context["parsed"]
    upload.seek(0)
    body = _post(api("operator"), upload, dry_run=True).json()
    assert [row["line"] for row in body["rows"]] == [row.line for row in parsed.rows]
    assert body["new_municipalities"] == parsed.new_municipalities
