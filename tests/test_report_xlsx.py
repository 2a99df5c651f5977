import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reports.xlsx import COLUMNS, plan_xlsx
from roadmaps.importers import parse_document
from roadmaps.models import Direction, ItemResponsible, Roadmap
from tests.factories import make_item, make_roadmap, make_sample_plan, make_section


def expected_sections(roadmap, parent=None):
    """The plan as plain data, read straight from the models."""
    sections = []
    for section in roadmap.sections.filter(parent=parent).order_by("position"):
        items = []
        for item in section.items.order_by("position"):
            responsible = [
                link.party.name
                for link in ItemResponsible.objects.filter(item=item).order_by("position")
            ]
            items.append(
                {
                    "number": item.number,
                    "title": item.title,
                    "deadline_text": item.deadline_text,
                    "responsible": responsible,
                    "result": item.result,
                    "directions": sorted(d.name for d in item.directions.all()),
                }
            )
        sections.append(
            {
                "number": section.number,
                "title": section.title,
                "items": items,
                "sections": expected_sections(roadmap, section),
            }
        )
    return sections


def parsed_sections(sections):
    return [
        {
            "number": section.number,
            "title": section.title,
            "items": [
                {
                    "number": item.number,
                    "title": item.title,
                    "deadline_text": item.deadline_text,
                    "responsible": item.responsible,
                    "result": item.result,
                    "directions": sorted(item.directions),
                }
                for item in section.items
            ],
            "sections": parsed_sections(section.sections),
        }
        for section in sections
    ]


def sheet_of(data: bytes):
    return load_workbook(io.BytesIO(data)).active


def header_row(sheet) -> int:
    for row in sheet.iter_rows(min_col=2, max_col=2):
        if row[0].value == "Наименование мероприятия":
            return row[0].row
    raise AssertionError("no header row")


@pytest.fixture
def plan(world):
    roadmap = make_sample_plan(world.institute, items=150)
    directions = {d.name: d for d in Direction.objects.all()}
    first, second = roadmap.items.order_by("pk")[:2]
    first.directions.set([directions["Знание"], directions["Учитель. Школьная команда"]])
    second.directions.set([directions["Профориентация"]])
    return roadmap


def test_an_exported_plan_imports_back_as_the_same_plan(plan):
    parsed = parse_document(plan_xlsx(plan), filename="план.xlsx")
    assert parsed.title == plan.title
    assert (parsed.period.start, parsed.period.end) == (plan.period_start, plan.period_end)
    assert parsed_sections(parsed.sections) == expected_sections(plan)
    assert sum(1 for _ in parsed.all_items()) == 150
    assert parsed.glossary == {
        "ИРОСО": "Институт развития образования",
        "ОМСУ": "Органы местного самоуправления",
        "ОО": "Общеобразовательные организации",
    }
    assert parsed.approval is None
    assert parsed.warnings == []


def test_item_numbers_stay_text_so_1_10_is_not_read_as_1_1(world):
    roadmap = make_roadmap(world.institute)
    section = make_section(roadmap, number="1", title="Организационное сопровождение")
    for position in range(1, 11):
        make_item(section, number=f"1.{position}", title=f"Совещание номер {position}")
    parsed = parse_document(plan_xlsx(roadmap), filename="plan.xlsx")
    assert [item.number for item in parsed.all_items()][-2:] == ["1.9", "1.10"]
    sheet = sheet_of(plan_xlsx(roadmap))
    numbers = [row[0].value for row in sheet.iter_rows(min_row=header_row(sheet) + 2)]
    assert numbers[-1] == "1.10"


def test_an_approved_plan_carries_its_grif_into_the_workbook(world):
    roadmap = make_sample_plan(
        world.institute,
        items=3,
        status=Roadmap.Status.APPROVED,
        approval_kind="распоряжение",
        approval_issuer="Комитет общего и профессионального образования Ленинградской области",
        approval_date=datetime.date(2023, 9, 26),
        approval_number="3.12-1331-р",
    )
    approval = parse_document(plan_xlsx(roadmap), filename="plan.xlsx").approval
    assert approval.kind == "распоряжение"
    assert approval.number == "3.12-1331-р"
    assert approval.date == datetime.date(2023, 9, 26)
    assert approval.issuer == roadmap.approval_issuer


def test_a_draft_is_marked_as_a_draft_above_the_title(world):
    sheet = sheet_of(plan_xlsx(make_sample_plan(world.institute, items=2)))
    assert sheet.cell(1, 5).value == "ПРОЕКТ"


def test_the_header_is_frozen_bold_and_repeated_on_every_printed_page(plan):
    sheet = sheet_of(plan_xlsx(plan))
    row = header_row(sheet)
    assert [cell.value for cell in sheet[row]] == [title for title, _ in COLUMNS]
    assert all(cell.font.b for cell in sheet[row])
    assert sheet.freeze_panes == f"A{row + 1}"
    assert sheet.print_title_rows == f"${row}:${row}"


def test_the_title_row_spans_the_table_above_the_header(plan):
    sheet = sheet_of(plan_xlsx(plan))
    title_cells = [
        cell for cell in sheet.iter_rows(max_row=header_row(sheet)) if cell[0].value == plan.title
    ]
    assert len(title_cells) == 1
    assert f"A{title_cells[0][0].row}:I{title_cells[0][0].row}" in {
        str(merged) for merged in sheet.merged_cells.ranges
    }


def test_section_rows_are_merged_across_every_column_and_bold(plan):
    sheet = sheet_of(plan_xlsx(plan))
    merged = {str(ranged) for ranged in sheet.merged_cells.ranges}
    sections = [
        row[0]
        for row in sheet.iter_rows(min_row=header_row(sheet) + 1)
        if row[0].value and row[1].value is None and row[0].font.b
    ]
    headings = [cell.value for cell in sections]
    assert headings[:6] == [
        "1. Организационно-управленческое сопровождение",
        "2. Научно-методическое сопровождение",
        "2.1. Мероприятия по повышению квалификации руководящих и педагогических кадров",
        "2.2. Постоянно действующий семинар проекта «Школа Минпросвещения России»",
        "3. Информационное сопровождение",
        "4. Мониторинг реализации проекта",
    ]
    for cell in sections[:6]:
        assert f"A{cell.row}:I{cell.row}" in merged


def test_parsed_dates_are_real_excel_dates_next_to_the_deadline_as_written(plan):
    sheet = sheet_of(plan_xlsx(plan))
    rows = {
        row[0].value: row for row in sheet.iter_rows(min_row=header_row(sheet) + 1) if row[2].value
    }
    until = next(item for item in plan.items.all() if item.deadline_kind == "until")
    dated = next(item for item in plan.items.all() if item.deadline_text == "Февраль-март")
    unscheduled = next(item for item in plan.items.all() if item.deadline_kind == "unscheduled")
    assert [cell.value for cell in rows[dated.number][6:9]] == [
        datetime.datetime(2024, 2, 1),
        datetime.datetime(2024, 3, 31),
        "даты",
    ]
    assert rows[dated.number][6].number_format == "DD.MM.YYYY"
    assert [cell.value for cell in rows[until.number][6:9]] == [
        None,
        datetime.datetime(2024, 10, 15),
        "до даты",
    ]
    assert [cell.value for cell in rows[unscheduled.number][6:9]] == [None, None, "без срока"]


def test_cells_wrap_have_borders_and_columns_have_readable_widths(plan):
    sheet = sheet_of(plan_xlsx(plan))
    item_row = sheet[header_row(sheet) + 2]
    assert all(cell.alignment.wrap_text for cell in item_row[:6])
    assert all(cell.border.left.style == "thin" for cell in item_row)
    assert sheet.column_dimensions["B"].width >= 50
    assert sheet.column_dimensions["A"].width < sheet.column_dimensions["C"].width


def test_the_sheet_prints_landscape_on_a4_fitted_to_the_page_width(plan):
    sheet = sheet_of(plan_xlsx(plan))
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == 9  # A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert (int(sheet.page_setup.fitToWidth), int(sheet.page_setup.fitToHeight)) == (1, 0)
    assert "&P" in sheet.oddFooter.right.text and "&N" in sheet.oddFooter.right.text


def test_the_glossary_follows_the_table_in_two_columns(plan):
    sheet = sheet_of(plan_xlsx(plan))
    values = [(row[0].value, row[1].value, row[2].value) for row in sheet.iter_rows()]
    start = values.index(("Обозначения и сокращения", None, None))
    assert values[start - 1] == (None, None, None)
    assert values[start + 1 : start + 5] == [
        (None, "Сокращение", "Полное наименование"),
        (None, "ИРОСО", "Институт развития образования"),
        (None, "ОМСУ", "Органы местного самоуправления"),
        (None, "ОО", "Общеобразовательные организации"),
    ]


def test_xlsx_downloads_with_a_russian_file_name(world, client_for):
    roadmap = make_sample_plan(world.school, items=5)
    response = client_for(world.municipal).get(reverse("reports:roadmap-xlsx", args=[roadmap.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    disposition = response["Content-Disposition"]
    assert f'filename="roadmap-{roadmap.pk}-v1.xlsx"' in disposition
    assert "filename*=utf-8''%D0%94%D0%BE%D1%80%D0%BE%D0%B6%D0%BD%D0%B0%D1%8F" in disposition
    assert disposition.endswith(".xlsx")
    parse_document(response.getvalue(), filename="plan.xlsx")


def test_xlsx_download_makes_the_same_number_of_queries_for_any_plan_size(
    world, client_for, django_assert_max_num_queries
):
    client = client_for(world.operator)
    for items in (3, 90):
        roadmap = make_sample_plan(world.institute, items=items)
        with django_assert_max_num_queries(12):
            response = client.get(reverse("reports:roadmap-xlsx", args=[roadmap.pk]))
            assert response.status_code == 200
