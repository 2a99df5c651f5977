"""Bounded Excel reading: a tiny file declaring a huge sheet costs what it holds, no more.

The files are made by openpyxl and then patched by hand, as an attacker would: the sheet's
``<dimension>`` claims the whole grid, a stray value sits at its far corner, a merged range spans
it. Each import answers with the real rows or one Russian sentence, quickly and in little memory.
"""

import io
import re
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import Workbook

from orgs.importers import DirectoryError, parse_directory
from portal.spreadsheets import BrokenSpreadsheet, SpreadsheetError, read_xlsx
from roadmaps.importers import parse_document
from roadmaps.importers.structure import DocumentError
from selfdiag import excel as selfdiag_excel
from tests.factories import make_round

FIXTURES = Path(__file__).parent / "fixtures" / "roadmaps"
MEMORY_LIMIT = 20 * 1024 * 1024  # bytes of Python allocations at the peak


def patch_sheet(data: bytes, *, dimension=None, cells=(), merges=(), sheet=1) -> bytes:
    """The workbook with its n-th sheet's XML changed: a declared dimension, extra cells
    (coordinate, text) in rows after the existing ones, extra merged ranges."""
    source = zipfile.ZipFile(io.BytesIO(data))
    name = f"xl/worksheets/sheet{sheet}.xml"
    xml = source.read(name).decode("utf-8")
    if dimension:
        if "<dimension" in xml:
            xml = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{dimension}"/>', xml)
        else:
            xml = xml.replace("<sheetData", f'<dimension ref="{dimension}"/><sheetData', 1)
    if cells:
        rows = "".join(
            f'<row r="{re.sub("[A-Z]", "", coordinate)}"><c r="{coordinate}" t="inlineStr">'
            f"<is><t>{text}</t></is></c></row>"
            for coordinate, text in cells
        )
        xml = xml.replace("</sheetData>", rows + "</sheetData>", 1)
    if merges:
        refs = "".join(f'<mergeCell ref="{ref}"/>' for ref in merges)
        if "<mergeCells" in xml:
            xml = re.sub(r"(<mergeCells[^>]*>)", lambda m: m.group(1) + refs, xml, count=1)
        else:
            xml = xml.replace("</sheetData>", f"</sheetData><mergeCells>{refs}</mergeCells>", 1)
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = xml.encode("utf-8") if info.filename == name else source.read(info)
            target.writestr(info.filename, content)
    return output.getvalue()


def measured(function, *args, **kwargs):
    """(result or raised exception, peak bytes, seconds)."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        outcome = function(*args, **kwargs)
    except Exception as error:  # the caller asserts on it
        outcome = error
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return outcome, peak, time.monotonic() - started


def workbook_bytes(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


DIRECTORY = [
    ["Муниципальное образование", "Полное наименование", "Уровни образования", "ОВЗ"],
    ["Кировский район", "Средняя школа № 5", "НОО, ООО, СОО", "да"],
    ["Кировский район", "Основная школа № 2", "НОО, ООО", "нет"],
]


# The reader itself ----------------------------------------------------------------------------


def test_reader_keeps_only_the_cells_that_exist_whatever_the_sheet_declares():
    data = patch_sheet(workbook_bytes([["a", None, "c"], [], ["x"]]), dimension="A1:XFD1048576")

    (sheet,), peak, seconds = measured(read_xlsx, data, max_rows=100, max_columns=10)

    assert sheet.table() == [["a", None, "c"], [], ["x"]]
    assert (sheet.last_row, sheet.last_column) == (3, 3)
    assert peak < MEMORY_LIMIT and seconds < 5


def test_reader_refuses_a_value_beyond_the_row_limit_with_a_russian_sentence():
    data = patch_sheet(workbook_bytes([["a"]]), cells=[("A1048576", "x")])

    with pytest.raises(SpreadsheetError) as error:
        read_xlsx(data, max_rows=20_000, max_columns=10)

    assert str(error.value) == (
        "В таблице больше 20\u00a0000 строк (лист «Sheet»): разделите её на части или удалите "
        "лишние строки."
    )


def test_reader_refuses_a_value_beyond_the_column_limit():
    data = patch_sheet(workbook_bytes([["a"]]), cells=[("XFD2", "x")])

    with pytest.raises(SpreadsheetError, match="больше 60 столбцов"):
        read_xlsx(data, max_rows=100, max_columns=60)


def test_reader_ignores_formatting_without_values_far_away():
    data = workbook_bytes([["a"]])
    xml_row = '<row r="1048576"><c r="XFD1048576" s="0"/></row>'
    patched = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as target:
        for info in patched.infolist():
            content = patched.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b"</sheetData>", xml_row.encode() + b"</sheetData>")
            target.writestr(info.filename, content)

    (sheet,) = read_xlsx(output.getvalue(), max_rows=10, max_columns=10)

    assert sheet.table() == [["a"]]


def test_reader_cuts_merged_ranges_to_its_limits():
    data = patch_sheet(workbook_bytes([["a"]]), merges=["B2:XFD1048576", "A30000:A30001"])

    (sheet,), peak, _ = measured(read_xlsx, data, max_rows=100, max_columns=10)

    assert sheet.merged == [(2, 2, 100, 10)]
    assert peak < MEMORY_LIMIT


def test_reader_refuses_overlapping_merged_ranges_as_a_broken_file():
    data = patch_sheet(workbook_bytes([["a"]]), merges=["A1:J100"] * 3)

    with pytest.raises(BrokenSpreadsheet):
        read_xlsx(data, max_rows=100, max_columns=10)


def test_reader_refuses_what_is_not_a_workbook():
    with pytest.raises(BrokenSpreadsheet):
        read_xlsx(b"PK\x03\x04 not really", max_rows=10, max_columns=10)


# The three imports ---------------------------------------------------------------------------


def test_directory_of_a_huge_declared_sheet_reads_its_real_rows(world):
    data = patch_sheet(workbook_bytes(DIRECTORY), dimension="A1:XFD1048576")
    assert len(data) < 10_000

    parsed, peak, seconds = measured(parse_directory, data, "schools.xlsx", world.region)

    assert [row.name for row in parsed.rows] == ["Средняя школа № 5", "Основная школа № 2"]
    assert peak < MEMORY_LIMIT and seconds < 5


def test_directory_with_a_value_on_the_last_row_is_refused_on_the_page(world, client_for):
    data = patch_sheet(
        workbook_bytes(DIRECTORY), dimension="A1:XFD1048576", cells=[("A1048576", "x")]
    )
    upload = io.BytesIO(data)
    upload.name = "schools.xlsx"

    response = client_for(world.operator).post(
        reverse("orgs:directory-import"), {"region": world.region.pk, "file": upload}
    )

    assert "В таблице больше 20\u00a0000 строк" in response.content.decode()
    with pytest.raises(DirectoryError, match="больше 20\u00a0000 строк"):
        parse_directory(data, "schools.xlsx", world.region)


def test_round_results_with_a_value_at_xfd5000_are_refused_quickly(world, client_for):
    round_ = make_round(world.region, [world.school], name="Весна")
    template = io.BytesIO()
    methodology = round_.methodology.as_plain()
    selfdiag_excel.build_template(round_, [world.school], methodology, template)
    data = patch_sheet(template.getvalue(), dimension="A1:XFD5000", cells=[("XFD5000", "x")])
    assert len(data) < 20_000

    outcome, peak, seconds = measured(
        selfdiag_excel.parse_results, data, "round.xlsx", round_, [world.school], methodology
    )

    assert isinstance(outcome, selfdiag_excel.ResultsFileError)
    assert "больше 1\u00a0000 столбцов" in str(outcome)
    assert peak < MEMORY_LIMIT and seconds < 5
    upload = io.BytesIO(data)
    upload.name = "round.xlsx"
    response = client_for(world.municipal).post(
        reverse("selfdiag:round-import", args=[round_.pk]), {"file": upload}
    )
    assert "больше 1\u00a0000 столбцов" in response.content.decode()


def test_round_results_of_a_huge_declared_sheet_read_the_filled_rows(world):
    round_ = make_round(world.region, [world.school], name="Весна")
    template = io.BytesIO()
    methodology = round_.methodology.as_plain()
    selfdiag_excel.build_template(round_, [world.school], methodology, template)
    data = patch_sheet(template.getvalue(), dimension="A1:XFD1048576")

    parsed, peak, _ = measured(
        selfdiag_excel.parse_results, data, "round.xlsx", round_, [world.school], methodology
    )

    assert parsed.errors == ["В файле нет ни одной строки с ответами."]
    assert peak < MEMORY_LIMIT


def test_roadmap_import_of_a_huge_declared_sheet_reads_the_same_plan():
    data = (FIXTURES / "school-plan-2023-2024.xlsx").read_bytes()
    patched = patch_sheet(data, dimension="A1:XFD1048576", merges=["K1:XFD1048576"])

    plan, peak, seconds = measured(parse_document, patched, filename="plan.xlsx")

    assert plan.to_json() == parse_document(data, filename="plan.xlsx").to_json()
    assert peak < 5 * MEMORY_LIMIT and seconds < 20


def test_roadmap_import_with_a_value_far_to_the_right_is_refused():
    data = (FIXTURES / "school-plan-2023-2024.xlsx").read_bytes()
    patched = patch_sheet(data, cells=[("XFD5000", "x")])

    with pytest.raises(DocumentError, match="больше 60 столбцов"):
        parse_document(patched, filename="plan.xlsx")
