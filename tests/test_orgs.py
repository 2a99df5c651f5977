import io
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from orgs.models import Membership, Municipality, Organization, Region
from orgs.scope import get_scope
from orgs.validators import inn_is_valid
from tests.factories import make_school


def test_all_89_regions_ship_with_their_codes(db):
    assert Region.objects.count() == 89
    assert Region.objects.get(code="47").name == "Ленинградская область"
    assert Region.objects.get(code="78").name == "Санкт-Петербург"
    assert Region.objects.get(code="72").name == "Тюменская область"


@pytest.mark.parametrize(
    ("inn", "valid"),
    [
        ("7805047526", True),  # the Kirovsky district office, from its letterhead
        ("7805047527", False),
        ("500100732259", True),
        ("500100732258", False),
        ("12345", False),
        ("78050475AB", False),
    ],
)
def test_inn_checksum(inn, valid):
    assert inn_is_valid(inn) is valid


def test_regional_operator_sees_every_organization_of_the_region(world):
    visible = set(Organization.objects.for_user(world.operator))
    assert {world.school, world.sibling_school, world.other_school, world.omsu} <= visible
    assert world.foreign_school not in visible


def test_municipal_coordinator_sees_own_district_only(world):
    visible = set(Organization.objects.for_user(world.municipal))
    assert {world.school, world.sibling_school, world.omsu} <= visible
    assert world.other_school not in visible
    assert world.institute not in visible


def test_school_coordinator_sees_own_school_only(world):
    assert list(Organization.objects.for_user(world.school_user)) == [world.school]


def test_viewer_reads_the_region_but_writes_nothing(world):
    assert world.other_school in Organization.objects.for_user(world.viewer)
    assert not Organization.objects.for_user(world.viewer, write=True).exists()
    assert not get_scope(world.viewer).covers(world.school, write=True)


def test_user_with_two_memberships_sees_both_scopes(world):
    Membership.objects.create(
        user=world.school_user,
        organization=world.other_school,
        role=Membership.Role.SCHOOL_COORDINATOR,
    )
    assert set(Organization.objects.for_user(world.school_user)) == {
        world.school,
        world.other_school,
    }


def test_municipalities_and_regions_follow_the_same_scope(world):
    assert set(Municipality.objects.for_user(world.municipal)) == {world.municipality}
    assert set(Municipality.objects.for_user(world.school_user)) == {world.municipality}
    assert set(Region.objects.for_user(world.outsider)) == {world.foreign_region}


def test_membership_role_must_match_the_organization_level(world):
    from django.core.exceptions import ValidationError

    membership = Membership(
        user=world.viewer, organization=world.school, role=Membership.Role.REGIONAL_OPERATOR
    )
    with pytest.raises(ValidationError, match="уровня"):
        membership.full_clean()


def test_anonymous_user_is_sent_to_the_login_page(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_page_speaks_russian(client, db):
    response = client.get(reverse("login"))
    assert "Вход в портал" in response.content.decode()
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_wrong_password_shows_a_russian_error_and_keeps_the_username(world, client):
    response = client.post(reverse("login"), {"username": "operator", "password": "wrong"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Пожалуйста, введите правильные имя пользователя и пароль" in page
    assert 'value="operator"' in page


def test_login_is_locked_after_five_failures(world, client):
    for _ in range(5):
        client.post(reverse("login"), {"username": "operator", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "operator", "password": "pass-for-tests"})
    assert response.status_code == 429
    assert "Вход временно заблокирован" in response.content.decode()


def test_right_password_logs_in(world, client):
    response = client.post(reverse("login"), {"username": "operator", "password": "pass-for-tests"})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_regional_operator_home_lists_municipalities_with_school_counts(world, client_for):
    page = client_for(world.operator).get(reverse("home")).content.decode()
    assert "Гатчинский муниципальный округ" in page
    assert "Лужский муниципальный район" in page
    assert "Загрузить справочник школ" in page


def test_municipal_coordinator_home_lists_its_schools(world, client_for):
    page = client_for(world.municipal).get(reverse("home")).content.decode()
    assert "Гатчинская СОШ № 1" in page
    assert "Гатчинская СОШ № 2" in page
    assert "Лужская" not in page


def test_school_coordinator_home_shows_its_school(world, client_for):
    page = client_for(world.school_user).get(reverse("home")).content.decode()
    assert "Гатчинская СОШ № 1" in page
    assert "Гатчинская СОШ № 2" not in page


def test_home_query_count_does_not_grow_with_schools(
    world, client_for, django_assert_max_num_queries
):
    client = client_for(world.operator)
    client.get(reverse("home"))
    for _ in range(30):
        make_school(world.municipality)
    # 12, and the inbox: the menu's count and one query per kind of entry (inbox/entries.py).
    with django_assert_max_num_queries(12 + 1 + 7):
        client.get(reverse("home"))


# Directory import


def _directory_xlsx(rows, header=None):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Перечень общеобразовательных организаций — участников проекта"])
    sheet.append(
        header
        or [
            "Муниципальное образование",
            "Краткое наименование",
            "Полное наименование",
            "ИНН",
            "Адрес",
            "Уровни образования",
            "ОВЗ",
            "В проекте с",
        ]
    )
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "participants.xlsx"
    return buffer


GOOD_ROWS = [
    [
        "Кировский район",
        "МБОУ СОШ № 5",
        "Средняя школа № 5",
        "7805047526",
        "ул. Ленина, 1",
        "НОО, ООО, СОО",
        "да",
        2023,
    ],
    ["Новый район", "МОУ ООШ № 2", "Основная школа № 2", "", "", "НОО, ООО", "нет", ""],
]


def test_directory_preview_then_confirm_saves_everything(world, client_for):
    client = client_for(world.operator)
    response = client.post(
        reverse("orgs:directory-import"),
        {"region": world.region.pk, "file": _directory_xlsx(GOOD_ROWS)},
    )
    page = response.content.decode()
    assert "Организаций в файле: <strong>2</strong>" in page
    assert "Новый район" in page
    assert not Organization.objects.filter(short_name="МБОУ СОШ № 5").exists()
    token = response.context["token"]
    response = client.post(
        reverse("orgs:directory-import-confirm"), {"region": world.region.pk, "token": token}
    )
    assert response.status_code == 302
    school = Organization.objects.get(inn="7805047526")
    assert school.municipality.name == "Кировский район"
    assert school.education_levels == ("НОО", "ООО", "СОО")
    assert school.has_ovz_pupils and school.in_project_since == 2023
    basic = Organization.objects.get(short_name="МОУ ООШ № 2")
    assert basic.education_levels == ("НОО", "ООО") and not basic.teaches_soo


def test_directory_with_one_bad_row_saves_nothing_and_names_the_row(world, client_for):
    rows = [
        *GOOD_ROWS,
        ["Кировский район", "Школа", "Школа № 7", "7805047527", "", "НОО", "да", ""],
    ]
    before = Organization.objects.count()
    response = client_for(world.operator).post(
        reverse("orgs:directory-import"),
        {"region": world.region.pk, "file": _directory_xlsx(rows)},
    )
    page = response.content.decode()
    assert "Строка 5: ИНН «7805047527» неверен" in page
    assert "Ничего не сохранено" in page
    assert response.context["token"] == ""
    assert Organization.objects.count() == before


def test_directory_without_required_columns_is_refused_with_a_clear_message(world, client_for):
    response = client_for(world.operator).post(
        reverse("orgs:directory-import"),
        {"region": world.region.pk, "file": _directory_xlsx([["a", "b"]], header=["x", "y"])},
    )
    assert "Не найдена строка заголовка" in response.content.decode()


def test_corrupt_directory_file_is_refused(world, client_for):
    broken = io.BytesIO(b"not an excel file at all")
    broken.name = "broken.xlsx"
    response = client_for(world.operator).post(
        reverse("orgs:directory-import"), {"region": world.region.pk, "file": broken}
    )
    assert "Файл повреждён или не является книгой Excel" in response.content.decode()


def test_viewer_cannot_import_a_directory(world, client_for):
    response = client_for(world.viewer).post(
        reverse("orgs:directory-import"),
        {"region": world.region.pk, "file": _directory_xlsx(GOOD_ROWS)},
    )
    assert response.status_code == 403


def test_operator_cannot_confirm_an_import_into_another_region(world, client_for):
    response = client_for(world.operator).post(
        reverse("orgs:directory-import-confirm"),
        {"region": world.foreign_region.pk, "token": "a" * 32},
    )
    assert response.status_code == 404


def test_csv_in_cp1251_imports_from_the_command_line(world, tmp_path):
    path = tmp_path / "schools.csv"
    path.write_bytes(
        "Муниципальное образование;Полное наименование;Уровни;ОВЗ\n"
        "Тосненский район;Средняя школа № 1 г. Тосно;НОО ООО СОО;нет\n".encode("cp1251")
    )
    out = io.StringIO()
    call_command("import_orgs", str(path), "--region", "47", stdout=out)
    assert "Добавлено организаций: 1" in out.getvalue()
    assert Organization.objects.get(name="Средняя школа № 1 г. Тосно").teaches_soo


def test_import_command_reports_row_errors_and_saves_nothing(world, tmp_path):
    path = tmp_path / "schools.csv"
    path.write_text(
        "Муниципальное образование;Полное наименование;ОВЗ\nТосно;Школа;может быть\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="Строка 2: в столбце ОВЗ ожидается"):
        call_command("import_orgs", str(path), "--region", "47")
    assert not Municipality.objects.filter(name="Тосно").exists()


def test_import_command_rejects_an_unknown_region(db, tmp_path):
    with pytest.raises(CommandError, match="не найден"):
        call_command("import_orgs", str(tmp_path / "x.csv"), "--region", "99")


def test_password_change_page_works(world, client_for):
    client = client_for(world.school_user)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "pass-for-tests",
            "new_password1": "a-much-longer-pass-2024",
            "new_password2": "a-much-longer-pass-2024",
        },
    )
    assert response.status_code == 302
    world.school_user.refresh_from_db()
    assert world.school_user.check_password("a-much-longer-pass-2024")


def test_seed_demo_is_idempotent_and_prints_logins(db):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    counts = (Organization.objects.count(), Membership.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (Organization.objects.count(), Membership.objects.count()) == counts
    printed = out.getvalue()
    for username in ("operator", "municipal", "school", "viewer", "admin"):
        assert f"  {username} " in printed
    assert Organization.objects.filter(region__code="47", kind="school").count() >= 30


def _run_settings_check(env, *args):
    # The browser fixtures allow async-unsafe ORM calls in this test process (conftest.py); a
    # manage.py started from here is a deployment and must not inherit that switch, whichever
    # tests ran before on this worker.
    env = {name: value for name, value in env.items() if name != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    import os

    env = {**os.environ, "PORTAL_ENV": "production"}
    env.pop("SECRET_KEY", None)
    result = _run_settings_check(env, "check")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_pass_the_deploy_check():
    import os

    env = {
        **os.environ,
        "PORTAL_ENV": "production",
        "SECRET_KEY": "k3J9-q!vR2#pLm8@wZ5xT0-yN4%cH7^bF1*dG6(eA)sU-iO_90",
        "ALLOWED_HOSTS": "portal.example.ru",
    }
    result = _run_settings_check(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_bad_boolean_in_the_environment_fails_loudly():
    import os

    result = _run_settings_check({**os.environ, "DEBUG": "perhaps"}, "check")
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr
