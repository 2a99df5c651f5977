"""Spreadsheets that print: row heights from the wrapped text, widths, landscape A4 on one page
wide with the header repeated.

LibreOffice shows a row without a stored height at 15 pt, so wrapped text overlapped the rows
below. The heights are estimated here (no LibreOffice needed); one test also prints the Tyumen
plan through LibreOffice and checks the PDF's text, skipped where ``soffice`` is absent.
"""

import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from reports.xlsx import (
    LINE_HEIGHT,
    WRAPPED_LINE,
    plan_xlsx,
    row_height,
    sheet_columns,
    wrapped_lines,
)
from roadmaps import layout
from roadmaps.importers import parse_document
from roadmaps.importing import save_parsed_roadmap
from tests.test_deficit_map import rounds  # noqa: F401 (a fixture)

FIXTURES = Path(__file__).parent / "fixtures" / "roadmaps"


@pytest.fixture
def tyumen(world):
    parsed = parse_document(FIXTURES / "tyumen-oblast-2024.docx")
    return save_parsed_roadmap(parsed, owner=world.ministry, user=world.operator)


def sheet_of(data: bytes):
    return load_workbook(io.BytesIO(data)).active


# --- the estimate --------------------------------------------------------------------------------


def test_short_text_takes_one_line():
    assert wrapped_lines("ИМЦ", 24) == 1
    assert wrapped_lines("", 24) == 1


def test_words_wrap_at_the_column_width():
    # 20 units hold 23 characters.
    assert wrapped_lines("один два три четыре", 20) == 1
    assert wrapped_lines("один два три четыре пять", 20) == 2
    assert wrapped_lines("а" * 50, 20) == 3  # a word longer than a line is cut
    assert wrapped_lines("а" * 50 + " б", 20) == 3  # and the next word goes on its last line


def test_every_newline_starts_a_line():
    assert wrapped_lines("ДОиН ТО\nТОГИРРО\nМОУО\nОО", 24) == 4
    assert wrapped_lines("а\n\nб", 24) == 3


def test_a_row_is_as_tall_as_its_tallest_cell():
    assert (
        row_height([("1.1", 8), ("ИМЦ\nОО\nМОУО", 24), ("", 44)]) == LINE_HEIGHT + 2 * WRAPPED_LINE
    )
    assert row_height([]) == LINE_HEIGHT


# --- the plan ------------------------------------------------------------------------------------


def columns_of(roadmap):
    """(heading, width) of the plan's sheet: its own columns, then the data ones."""
    return [(heading, width) for heading, width, _ in sheet_columns(layout.plan_columns(roadmap))]


def test_every_item_row_has_the_height_of_its_wrapped_text(tyumen):
    sheet = sheet_of(plan_xlsx(tyumen))
    columns = columns_of(tyumen)
    header = next(r for r in range(1, 20) if sheet.cell(r, 1).value == columns[0][0])
    merged = {r.min_row for r in sheet.merged_cells.ranges}
    checked = 0
    for row in range(header + 1, sheet.max_row + 1):
        if row in merged:
            if sheet.cell(row, 1).value == "Обозначения и сокращения":
                break
            continue  # a section
        if sheet.cell(row, 2).value is None:
            continue
        texts = [
            (sheet.cell(row, column).value, width)
            for column, (_, width) in enumerate(columns, start=1)
            if isinstance(sheet.cell(row, column).value, str)
        ]
        height = sheet.row_dimensions[row].height
        assert height == row_height(texts), row
        lines = wrapped_lines(sheet.cell(row, 2).value, columns[1][1])
        assert height >= LINE_HEIGHT + (lines - 1) * WRAPPED_LINE
        checked += 1
    assert checked == len(list(parse_document(FIXTURES / "tyumen-oblast-2024.docx").all_items()))
    # The long activities need many lines: no row is left at LibreOffice's 15 pt default.
    assert max(sheet.row_dimensions[r].height or 0 for r in range(header, sheet.max_row)) >= 60


def test_the_header_row_is_as_tall_as_its_titles_need(tyumen):
    sheet = sheet_of(plan_xlsx(tyumen))
    columns = columns_of(tyumen)
    header = next(r for r in range(1, 20) if sheet.cell(r, 1).value == columns[0][0])
    assert sheet.row_dimensions[header].height == row_height(columns)


def test_the_plan_prints_landscape_a4_one_page_wide_with_the_header_repeated(tyumen):
    sheet = sheet_of(plan_xlsx(tyumen))
    columns = columns_of(tyumen)
    header = next(r for r in range(1, 20) if sheet.cell(r, 1).value == columns[0][0])
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.print_title_rows == f"${header}:${header}"
    for index, (_, width) in enumerate(columns, start=1):
        assert sheet.column_dimensions[get_column_letter(index)].width == width


# --- printed by LibreOffice ----------------------------------------------------------------------

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


# CI installs LibreOffice (.ci/run) and sets REQUIRE_BROWSER: there the print is never skipped.
@pytest.mark.skipif(
    SOFFICE is None and not os.environ.get("REQUIRE_BROWSER"),
    reason="LibreOffice (soffice) is not installed (apt-get install libreoffice-calc-nogui)",
)
def test_libreoffice_prints_the_tyumen_plan_with_no_text_across_a_border(tyumen, tmp_path):
    from pypdf import PdfReader

    source = tmp_path / "plan.xlsx"
    source.write_bytes(plan_xlsx(tyumen))
    env = {**os.environ, "HOME": str(tmp_path)}  # LibreOffice keeps a profile in HOME
    subprocess.run(
        [SOFFICE, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
        timeout=180,
        env=env,
    )
    reader = PdfReader(tmp_path / "plan.pdf")
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert width > height  # landscape
        assert round(width / 72 * 25.4) == 297 and round(height / 72 * 25.4) == 210  # A4
    assert all("Наименование" in (page.extract_text() or "") for page in reader.pages)
    assert crossed_lines(tmp_path / "plan.pdf") == []


def crossed_lines(path) -> list[str]:
    """Text printed across a cell's border: what a row too low for its wrapped text gives."""
    import pdfplumber

    crossed = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            rules = [e for e in page.edges if e["orientation"] == "h"]
            for char in page.chars:
                if not char["text"].strip():
                    continue
                middle = (char["x0"] + char["x1"]) / 2
                for rule in rules:
                    if (
                        rule["x0"] <= middle <= rule["x1"]
                        and char["top"] + 1 < rule["top"] < char["bottom"] - 1
                    ):
                        crossed.append(f"стр. {page.page_number}: «{char['text']}»")
                        break
    return crossed


# --- round results and the deficit map -----------------------------------------------------------


def test_round_results_have_widths_wrapped_names_and_print_landscape(world, client_for):
    from tests.factories import make_round, make_school, make_submission
    from tests.test_selfdiag_excel import ALL_FULL, url, workbook_of

    long_name = (
        "МАОУ «Средняя общеобразовательная школа № 5 с углублённым изучением отдельных предметов»"
    )
    school = make_school(world.municipality, short_name=long_name, inn="4705000555")
    round_ = make_round(world.region, [school], name="Весна")
    make_submission(round_, school, ALL_FULL, status="submitted")
    sheet = workbook_of(client_for(world.operator).get(url("round-export", round_))).active

    assert sheet.column_dimensions["A"].width == 30
    assert sheet.column_dimensions["B"].width == 45
    assert sheet.column_dimensions["C"].width >= len("4705000555")  # the ИНН is not clipped
    assert sheet.cell(3, 2).value == long_name
    assert sheet.cell(3, 2).alignment.wrap_text
    assert sheet.row_dimensions[3].height == row_height([(long_name, 45)]) > LINE_HEIGHT
    assert sheet.row_dimensions[2].height >= LINE_HEIGHT  # the header's wrapped titles
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$2:$2"


def test_the_deficit_map_wraps_school_names_and_prints_landscape(client_for, world, rounds):  # noqa: F811
    response = client_for(world.operator).get(
        reverse("reports:deficit-map-xlsx"), {"round": rounds["spring"].pk}
    )
    sheet = load_workbook(io.BytesIO(response.content))["Карта дефицитов"]
    header = next(r for r in range(1, 15) if sheet.cell(r, 2).value == "Школа")
    first = header + 1
    name = sheet.cell(first, 2).value
    assert sheet.cell(first, 2).alignment.wrap_text
    assert sheet.row_dimensions[first].height == row_height(
        [(sheet.cell(first, 1).value, 30), (name, 42)]
    )
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == f"${header}:${header}"


def test_the_sheet_keeps_the_plans_own_columns_and_headings(tyumen):
    """Tyumen's heading «Ответственный/исполнитель, соисполнители» and its order, as imported;
    the data columns after them."""
    sheet = sheet_of(plan_xlsx(tyumen))
    own = [column.heading for column in layout.plan_columns(tyumen)]
    assert "Ответственный/исполнитель, соисполнители" in own
    header = next(r for r in range(1, 20) if sheet.cell(r, 1).value == own[0])
    headings = [sheet.cell(header, column).value for column in range(1, sheet.max_column + 1)]
    assert headings[: len(own)] == own
    assert headings[len(own) :] == ["Направления (справочно)", "Начало", "Окончание", "Вид"]
