"""Self-diagnosis in Excel: the round's template, loading it back, exporting the results."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from selfdiag.models import Answer, Submission
from tests.factories import make_methodology, make_round, make_school, make_submission

ALL_FULL = {"Z1": "yes", "Z2": "full", "Z3": "yes", "V1": "full", "S1": "full", "S2": "yes"}


@pytest.fixture
def round_(world):
    return make_round(
        world.region, [world.school, world.sibling_school, world.other_school], name="Весна"
    )


def url(name, round_):
    return reverse(f"selfdiag:{name}", args=[round_.pk])


def workbook_of(response):
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def download_template(client, round_):
    response = client.get(url("round-template", round_))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return workbook_of(response)


def upload(client, round_, workbook, name="results.xlsx"):
    data = io.BytesIO()
    workbook.save(data)
    data.name = name
    data.seek(0)
    return client.post(url("round-import", round_), {"file": data})


# The template -------------------------------------------------------------------------------


def test_template_has_a_row_per_school_in_scope_and_a_column_per_indicator(
    world, client_for, round_
):
    sheet = download_template(client_for(world.operator), round_)["Ответы"]
    header = [cell.value for cell in sheet[1]]
    assert header == [
        "ID школы",
        "Муниципальное образование",
        "Школа",
        "Z1",
        "Z2",
        "Z3",
        "V1",
        "V2",
        "S1",
        "S2",
    ]
    assert sheet["D2"].value == (
        "Реализация федеральных рабочих программ по учебным предметам (критический)"
    )
    ids = [row[0] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert sorted(ids) == sorted([world.school.pk, world.sibling_school.pk, world.other_school.pk])
    assert sheet.freeze_panes == "D3"


def test_municipal_template_lists_the_districts_schools_only(world, client_for, round_):
    sheet = download_template(client_for(world.municipal), round_)["Ответы"]
    ids = {row[0] for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert ids == {world.school.pk, world.sibling_school.pk}


def test_template_columns_have_drop_down_lists_from_a_hidden_sheet(world, client_for, round_):
    workbook = download_template(client_for(world.operator), round_)
    options = workbook["Варианты"]
    assert options.sheet_state == "hidden"
    validations = workbook["Ответы"].data_validations.dataValidation
    assert {v.type for v in validations} == {"list"}
    by_range = {str(v.sqref): v.formula1 for v in validations}
    # yes/no indicators share a list; the three-step scale has its own.
    assert len(validations) == 2
    partial = next(f for ranges, f in by_range.items() if "E3:E5" in ranges)
    assert partial.startswith("'Варианты'!$")
    column = partial.split("$")[1]
    labels = [options[f"{column}{row}"].value for row in (1, 2, 3)]
    assert labels == ["нет", "частично", "да, в полном объёме"]  # a comma inside a label


def test_template_greys_out_indicators_that_do_not_apply_and_prefills_answers(world, client_for):
    basic = make_school(world.municipality, short_name="МОУ «ООШ № 5»", teaches_soo=False)
    round_ = make_round(world.region, [basic])
    make_submission(round_, basic, {"Z2": "partly"})
    sheet = download_template(client_for(world.operator), round_)["Ответы"]
    assert sheet["F3"].fill.fgColor.rgb.endswith("D9D9D9")  # Z3: СОО only
    assert sheet["E3"].value == "частично"


def test_school_coordinator_cannot_download_the_template(world, client_for, round_):
    assert client_for(world.school_user).get(url("round-template", round_)).status_code == 403


# Upload ---------------------------------------------------------------------------------------


def _filled(client, round_, world, rows):
    workbook = download_template(client, round_)
    sheet = workbook["Ответы"]
    header = [cell.value for cell in sheet[1]]
    line = {row[0].value: row[0].row for row in sheet.iter_rows(min_row=3)}
    for school_id, answers in rows.items():
        for code, label in answers.items():
            if code == "ID":
                sheet.cell(row=line[school_id], column=1, value=label)
            else:
                sheet.cell(row=line[school_id], column=header.index(code) + 1, value=label)
    return workbook


def test_upload_with_bad_rows_saves_nothing_and_lists_row_errors(world, client_for, round_):
    client = client_for(world.operator)
    workbook = _filled(
        client,
        round_,
        world,
        {
            world.school.pk: {"Z1": "да", "Z2": "иногда"},
            world.sibling_school.pk: {"Z1": "да", "ID": 999999},
            world.other_school.pk: {"Z1": "нет"},
        },
    )
    response = upload(client, round_, workbook)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ничего не сохранено" in html
    assert "Строка 3 («МБОУ „Гатчинская СОШ № 1“»): Z2: ответа «иногда» нет в списке" in html
    assert "Строка 4: школа с ID 999999 не входит в раунд «Весна»" in html
    assert "Сохранить результаты" not in html
    assert not Submission.objects.exists()

    confirm = client.post(url("round-import-confirm", round_), {"token": "f" * 32}, follow=True)
    assert "загрузите его ещё раз" in confirm.content.decode()
    assert not Submission.objects.exists()


def test_upload_previews_then_saves_submissions_as_sent_and_scored(world, client_for):
    basic = make_school(world.municipality, short_name="МОУ «ООШ № 5»", teaches_soo=False)
    round_ = make_round(world.region, [world.school, basic])
    make_submission(round_, world.school, {"Z1": "no"})
    client = client_for(world.operator)
    workbook = _filled(
        client,
        round_,
        world,
        {
            world.school.pk: {"Z1": "да", "Z2": "да, в полном объёме", "S1": "частично"},
            basic.pk: {"Z1": "да", "Z3": "да", "V1": "Частично "},
        },
    )
    preview = upload(client, round_, workbook).content.decode()
    assert "Школ в файле: <strong>2</strong>" in preview
    assert "показатели Z3 к школе не относятся" in preview
    assert not Submission.objects.filter(status="submitted").exists()

    token = preview.split('name="token" value="')[1].split('"')[0]
    response = client.post(url("round-import-confirm", round_), {"token": token})
    assert response.status_code == 302

    first = Submission.objects.get(school=world.school)
    second = Submission.objects.get(school=basic)
    assert first.status == second.status == Submission.Status.SUBMITTED
    assert first.submitted_by == world.operator
    assert first.answers_by_code() == {"Z1": "yes", "Z2": "full", "S1": "partly"}
    assert second.answers_by_code() == {"Z1": "yes", "V1": "partly"}
    assert (first.total_points, first.max_points) == (4, 9)
    assert (second.total_points, second.max_points) == (2, 8)
    assert first.is_scored and second.deficit_count == 4


def test_upload_refuses_to_overwrite_an_accepted_submission(world, client_for, round_):
    make_submission(round_, world.school, ALL_FULL, status="accepted")
    client = client_for(world.operator)
    workbook = _filled(client, round_, world, {world.school.pk: {"Z1": "нет"}})
    html = upload(client, round_, workbook).content.decode()
    assert "уже принята" in html
    assert Submission.objects.get().answers_by_code()["Z1"] == "yes"


def test_municipal_coordinator_cannot_load_results_of_another_district(world, client_for, round_):
    operator_workbook = _filled(
        client_for(world.operator), round_, world, {world.other_school.pk: {"Z1": "да"}}
    )
    html = upload(client_for(world.municipal), round_, operator_workbook).content.decode()
    assert f"школа с ID {world.other_school.pk} не входит в раунд" in html
    assert not Submission.objects.exists()


def test_a_file_that_is_not_a_template_gets_one_clear_message(world, client_for, round_):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["Школа", "Баллы"])
    response = upload(client_for(world.operator), round_, workbook)
    assert "Не найдена строка заголовка со столбцом «ID школы»" in response.content.decode()


# Export ---------------------------------------------------------------------------------------


def test_export_has_a_row_per_scored_submission_with_levels_and_points(world, client_for, round_):
    make_submission(round_, world.school, {**ALL_FULL, "S1": "no"}, status="accepted")
    make_submission(round_, world.other_school, {"Z1": "no"}, status="submitted")
    make_submission(round_, world.sibling_school, ALL_FULL)  # a draft: no result yet
    response = client_for(world.operator).get(url("round-export", round_))
    sheet = workbook_of(response).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[1]
    assert header[:8] == (
        "Муниципальное образование",
        "Школа",
        "ИНН",
        "Статус",
        "Уровень",
        "Баллы",
        "Максимум",
        "Доля, %",
    )
    assert "Знание: баллы" in header and "Образовательная среда: уровень" in header
    data = {row[1]: dict(zip(header, row, strict=True)) for row in rows[2:]}
    assert set(data) == {world.school.short_name, world.other_school.short_name}
    school = data[world.school.short_name]
    assert school["Статус"] == "принята"
    assert school["Уровень"] == "средний"  # 7 of 9
    assert school["Баллы"] == 7
    assert school["Знание: баллы"] == 4
    assert school["Образовательная среда: баллы"] == 1
    assert school["Образовательная среда: уровень"] == "базовый"
    assert school["Дефицитов"] == 1
    other = data[world.other_school.short_name]
    assert other["Уровень"] == "ниже базового"
    assert other["Критических дефицитов"] == 1


def test_export_queries_do_not_grow_with_schools(world, client_for, django_assert_max_num_queries):
    methodology = make_methodology()
    schools = [make_school(world.municipality) for _ in range(30)]
    round_ = make_round(world.region, schools, methodology=methodology)
    for school in schools:
        make_submission(round_, school, ALL_FULL, status="submitted")
    client = client_for(world.operator)
    with django_assert_max_num_queries(8):
        response = client.get(url("round-export", round_))
    assert len(list(workbook_of(response).active.iter_rows())) == 32
    assert Answer.objects.count() == 30 * 6
