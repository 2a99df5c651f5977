"""A plan keeps its own columns (which, in which order, under which headings) and its numbering
style from the document it was imported from; the PDF and the Word file print them, and the
Word file re-imports to the same layout. A plan made in the portal has the standard set."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from docx import Document
from pypdf import PdfReader

from reports.docx import plan_docx
from reports.pdf import plan_html, plan_pdf
from reports.xlsx import plan_xlsx
from roadmaps import layout
from roadmaps.importers import parse_document
from roadmaps.importing import save_parsed_roadmap
from tests.factories import make_roadmap
from tests.test_report_docx import FIXTURES

pytestmark = pytest.mark.django_db


def word_plan(header: list[str], rows: list[list[str]]) -> bytes:
    """A small plan as an office would type it in Word."""
    document = Document()
    document.add_paragraph("План мероприятий («дорожная карта») на 2024/2025 учебный год")
    table = document.add_table(rows=0, cols=len(header))
    for values in [header, *rows]:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = value
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


ZEYA = word_plan(
    ["№ п/п", "Мероприятие", "Срок", "Ожидаемый результат", "Ответственный"],
    [
        ["1.", "Организационные мероприятия", "", "", ""],
        ["1.1.", "Совещание руководителей", "сентябрь 2024 г.", "Протокол", "Отдел образования"],
        ["1.2.", "Семинар для заместителей", "октябрь 2024 г.", "Справка", "ИМЦ"],
    ],
)
SAKHALIN = word_plan(
    ["№", "Наименование мероприятия", "Сроки исполнения", "Ответственные исполнители"],
    [
        ["1", "Управление проектом", "", ""],
        ["1.1", "Заседание рабочей группы", "ежеквартально", "Министерство образования"],
        ["1.2", "Мониторинг реализации", "декабрь 2024 г.", "ИРО"],
    ],
)


def imported(world, data: bytes, name: str):
    parsed = parse_document(data, filename=name)
    return parsed, save_parsed_roadmap(parsed, owner=world.institute, filename=name)


def headings(roadmap) -> list[str]:
    return [column.heading for column in layout.plan_columns(roadmap)]


def test_result_before_responsible_and_numbers_with_a_dot_are_kept(world):
    parsed, roadmap = imported(world, ZEYA, "zeya.docx")
    assert [key for key, _ in parsed.columns] == [
        "number",
        "title",
        "deadline",
        "result",
        "responsible",
    ]
    assert parsed.number_dots
    assert headings(roadmap) == [
        "№ п/п",
        "Мероприятие",
        "Срок",
        "Ожидаемый результат",
        "Ответственный",
    ]
    assert roadmap.number_dots
    assert roadmap.items.get(title="Совещание руководителей").number == "1.1"

    table = Document(io.BytesIO(plan_docx(roadmap))).tables[0]
    assert [cell.text for cell in table.rows[0].cells] == headings(roadmap)
    first_item = next(row for row in table.rows[1:] if row.cells[0].text.startswith("1.1"))
    assert [cell.text for cell in first_item.cells] == [
        "1.1.",
        "Совещание руководителей",
        "сентябрь 2024 г.",
        "Протокол",
        "Отдел образования",
    ]
    text = " ".join(
        " ".join(page.extract_text().split())
        for page in PdfReader(io.BytesIO(plan_pdf(roadmap))).pages
    )
    assert "№ п/п Мероприятие Срок Ожидаемый результат Ответственный" in text
    assert "1.1. Совещание руководителей" in text


def test_a_four_column_plan_gets_no_empty_result_column(world):
    _, roadmap = imported(world, SAKHALIN, "sakhalin.docx")
    assert [column.key for column in layout.plan_columns(roadmap)] == [
        "number",
        "title",
        "deadline",
        "responsible",
    ]
    assert not roadmap.number_dots
    html = plan_html(roadmap)
    assert "Ожидаемый результат" not in html
    assert "Ответственные исполнители" in html
    header = Document(io.BytesIO(plan_docx(roadmap))).tables[0].rows[0]
    assert [cell.text for cell in header.cells] == headings(roadmap)


EXPORTS = {"docx": plan_docx, "xlsx": plan_xlsx, "pdf": plan_pdf}


@pytest.mark.parametrize("export", EXPORTS)
@pytest.mark.parametrize(("data", "name"), [(ZEYA, "zeya.docx"), (SAKHALIN, "sakhalin.docx")])
def test_every_export_reimports_to_the_same_layout(world, data, name, export):
    parsed, roadmap = imported(world, data, name)
    again = parse_document(EXPORTS[export](roadmap), filename=f"plan.{export}")
    assert again.columns == parsed.columns
    assert again.number_dots == parsed.number_dots
    assert [item.title for item in again.all_items()] == [item.title for item in parsed.all_items()]


def test_tyumen_keeps_its_heading_for_the_responsible(world):
    name = "tyumen-oblast-2024.docx"
    _, roadmap = imported(world, (FIXTURES / name).read_bytes(), name)
    assert "Ответственный/исполнитель, соисполнители" in headings(roadmap)
    assert "Ответственный/исполнитель, соисполнители" in plan_html(roadmap)
    again = parse_document(plan_docx(roadmap), filename="plan.docx")
    assert "Ответственный/исполнитель, соисполнители" in [heading for _, heading in again.columns]


def test_a_plan_made_in_the_portal_has_the_standard_columns(world):
    roadmap = make_roadmap(world.institute)
    assert layout.plan_columns(roadmap) == list(layout.STANDARD)
    assert not roadmap.number_dots


def test_a_new_version_keeps_the_layout(world):
    _, roadmap = imported(world, ZEYA, "zeya.docx")
    roadmap.status = roadmap.Status.APPROVED
    roadmap.save()
    new = roadmap.revise(by=world.operator)
    assert (new.columns, new.number_dots) == (roadmap.columns, roadmap.number_dots)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("title", "ожидается список"),
        ([{"key": "title"}], "ровно «key» и «heading»"),
        ([{"key": "cost", "heading": "Стоимость"}], "Неизвестный столбец"),
        ([{"key": "title", "heading": ""}], "непустая строка"),
        ([{"key": "title", "heading": "Мероприятие\nи ещё"}], "в одну строку"),
        ([{"key": "number", "heading": "№"}], "«Мероприятие»"),
        ([{"key": "title", "heading": "А"}, {"key": "title", "heading": "Б"}], "дважды"),
    ],
)
def test_stored_columns_are_checked(value, message):
    with pytest.raises(ValidationError, match=message):
        layout.validate_columns(value)


def test_the_plan_page_heads_its_table_in_the_plans_own_words(world, client_for):
    name = "tyumen-oblast-2024.docx"
    _, roadmap = imported(world, (FIXTURES / name).read_bytes(), name)
    client = client_for(world.operator)

    def page(plan):
        return client.get(reverse("roadmaps:roadmap-detail", args=[plan.pk])).content.decode()

    assert '<th scope="col">Ответственный/исполнитель, соисполнители</th>' in page(roadmap)
    assert '<th scope="col">Ответственные</th>' in page(make_roadmap(world.institute))
