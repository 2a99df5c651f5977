"""The plan as a Word document: what an office opens, signs and edits, and what the portal's own
importer reads back into the same plan."""

import datetime
import io
from pathlib import Path

import pytest
from django.urls import reverse
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Mm

from reports.docx import FONT, plan_docx
from reports.downloads import DOCX_TYPE
from reports.pdf import plan_pdf
from reports.xlsx import plan_xlsx
from roadmaps.grif import genitive_issuer
from roadmaps.importers import parse_document
from roadmaps.importing import save_parsed_roadmap
from roadmaps.models import Roadmap
from tests.factories import make_item, make_roadmap, make_sample_plan, make_section
from tests.test_report_xlsx import expected_sections

FIXTURES = Path(__file__).parent / "fixtures" / "roadmaps"
SAMPLES = sorted(
    path.name
    for path in FIXTURES.glob("*")
    if path.suffix in {".docx", ".xlsx", ".txt", ".md", ".tsv", ".pdf", ".odt", ".ods"}
    and path.name not in {"encrypted.docx", "scanned-plan.pdf"}
)

pytestmark = pytest.mark.django_db


def without_directions(sections):
    """The Word table has the PDF's five columns: directions are not printed."""
    return [
        {
            **section,
            "items": [
                {key: value for key, value in item.items() if key != "directions"}
                for item in section["items"]
            ],
            "sections": without_directions(section["sections"]),
        }
        for section in sections
    ]


def approval_of(parsed):
    """The approval stamp's fields as the importer read them (None without a stamp)."""
    approval = parsed.approval
    if approval is None:
        return None
    fields = ("kind", "number", "date", "issuer", "official_name", "official_position")
    return {field: getattr(approval, field) for field in fields}


def parsed_plan(parsed):
    """A parsed document as plain data: the fields a round trip must keep."""

    def sections(parsed_sections):
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
                    }
                    for item in section.items
                ],
                "sections": sections(section.sections),
            }
            for section in parsed_sections
        ]

    return {
        "title": parsed.title,
        "sections": sections(parsed.sections),
        "glossary": parsed.glossary,
    }


@pytest.fixture
def plan(world):
    return make_sample_plan(world.institute, items=150)


def test_an_exported_plan_imports_back_as_the_same_plan(plan):
    parsed = parse_document(plan_docx(plan), filename="план.docx")
    assert parsed.title == plan.title
    assert (parsed.period.start, parsed.period.end) == (plan.period_start, plan.period_end)
    got = parsed_plan(parsed)
    assert got["sections"] == without_directions(expected_sections(plan))
    assert sum(1 for _ in parsed.all_items()) == 150
    assert parsed.glossary == {
        "ИРОСО": "Институт развития образования",
        "ОМСУ": "Органы местного самоуправления",
        "ОО": "Общеобразовательные организации",
    }
    assert parsed.approval is None
    assert parsed.warnings == []


EXPORTS = {"docx": plan_docx, "xlsx": plan_xlsx, "pdf": plan_pdf}


@pytest.mark.parametrize("export", EXPORTS)
@pytest.mark.parametrize("name", SAMPLES)
def test_every_sample_plan_survives_import_export_and_import_again(world, name, export):
    """Imported from any format the offices use, exported as Word, Excel or PDF, read back by
    the same importer: the same sections, items, glossary, period and approval stamp."""
    original = parse_document((FIXTURES / name).read_bytes(), filename=name)
    roadmap = save_parsed_roadmap(original, owner=world.institute, filename=name)
    again = parse_document(EXPORTS[export](roadmap), filename=f"план.{export}")
    assert parsed_plan(again) == {**parsed_plan(original), "title": roadmap.title}
    assert (again.period.start, again.period.end) == (roadmap.period_start, roadmap.period_end)
    expected = approval_of(original)
    if expected and not genitive_issuer(expected["issuer"]):
        # A letterhead in capitals («ПРАВИТЕЛЬСТВО … ОТДЕЛ ОБРАЗОВАНИЯ») cannot be put in the
        # genitive by a rule: the stamp names the document alone (roadmaps/grif.py), so the
        # issuer is what does not come back; everything else of the stamp does.
        expected["issuer"] = ""
    assert approval_of(again) == expected


def test_an_approved_plan_carries_its_grif_through_the_word_file(world):
    roadmap = make_sample_plan(
        world.institute,
        items=3,
        status=Roadmap.Status.APPROVED,
        approval_kind="распоряжение",
        approval_issuer="Комитет общего и профессионального образования Ленинградской области",
        approval_date=datetime.date(2023, 9, 26),
        approval_number="3.12-1331-р",
    )
    approval = parse_document(plan_docx(roadmap), filename="plan.docx").approval
    assert approval.kind == "распоряжение"
    assert approval.number == "3.12-1331-р"
    assert approval.date == datetime.date(2023, 9, 26)
    assert approval.issuer == roadmap.approval_issuer


def test_a_draft_is_marked_and_keeps_a_blank_grif_at_the_top_right(world):
    document = Document(io.BytesIO(plan_docx(make_sample_plan(world.institute, items=2))))
    first = document.paragraphs[:3]
    assert [p.text for p in first[:2]] == ["ПРОЕКТ", "УТВЕРЖДАЮ"]
    assert all(p.paragraph_format.left_indent > Mm(150) for p in first)


def test_a4_landscape_one_table_with_the_header_repeated_on_every_page(plan):
    document = Document(io.BytesIO(plan_docx(plan)))
    section = document.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (297, 210)
    table = document.tables[0]
    header = table.rows[0]
    assert [cell.text for cell in header.cells] == [
        "№",
        "Наименование мероприятия",
        "Сроки",
        "Ответственные",
        "Ожидаемый результат",
    ]
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None
    # The grid carries the widths too: LibreOffice lays the table out by it.
    widths = [column.width.mm for column in table.columns]
    assert abs(sum(widths) - (297 - 2 * 15)) < 1
    assert widths[1] == max(widths)  # the activity is the widest column
    assert (
        sum(
            row._tr.trPr is not None and row._tr.trPr.find(qn("w:tblHeader")) is not None
            for row in table.rows
        )
        == 1
    )


def test_sections_are_rows_merged_across_the_table(plan):
    table = Document(io.BytesIO(plan_docx(plan))).tables[0]
    section_rows = [row for row in table.rows[1:] if len({id(c._tc) for c in row.cells}) == 1]
    headings = [row.cells[0].text for row in section_rows]
    expected = [
        f"{section.number}. {section.title}" for section in plan.sections.order_by("position")
    ]
    assert headings == expected


def test_the_font_is_named_for_every_script_and_the_language_is_russian(plan):
    document = Document(io.BytesIO(plan_docx(plan)))
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert {fonts.get(qn(slot)) for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia")} == {FONT}
    assert document.styles["Normal"].element.rPr.find(qn("w:lang")).get(qn("w:val")) == "ru-RU"
    assert document.core_properties.title == plan.title
    assert document.core_properties.language == "ru-RU"


def test_multi_line_cells_keep_their_lines(world):
    roadmap = make_roadmap(world.institute)
    section = make_section(roadmap, number="1", title="Организационное сопровождение")
    make_item(
        section,
        number="1.1",
        title="Семинары по направлениям:\n• Знание;\n• Воспитание",
        result="Справка\nПриказ",
    )
    parsed = parse_document(plan_docx(roadmap), filename="plan.docx")
    item = next(parsed.all_items())
    assert item.title == "Семинары по направлениям:\n• Знание;\n• Воспитание"
    assert item.result == "Справка\nПриказ"


def test_an_empty_plan_says_so_instead_of_an_empty_table(world):
    document = Document(io.BytesIO(plan_docx(make_roadmap(world.institute))))
    assert document.tables == []
    assert "В плане пока нет мероприятий." in [p.text for p in document.paragraphs]


def test_docx_downloads_from_the_plan_page_and_the_api_with_a_russian_name(world, client_for):
    roadmap = make_sample_plan(world.institute, items=5)
    client = client_for(world.operator)
    response = client.get(reverse("reports:roadmap-docx", args=[roadmap.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX_TYPE
    assert ".docx" in response["Content-Disposition"]
    parse_document(response.getvalue(), filename="plan.docx")
    page = client.get(reverse("roadmaps:roadmap-detail", args=[roadmap.pk]))
    assert reverse("reports:roadmap-docx", args=[roadmap.pk]).encode() in page.content
    through_api = client.get(f"/api/v1/roadmaps/{roadmap.pk}/docx/")
    assert through_api.status_code == 200
    assert through_api["Content-Type"] == DOCX_TYPE
    body = through_api.getvalue()  # a file streamed: read once
    assert body[:2] == b"PK"
    assert len(list(parse_document(body, filename="plan.docx").all_items())) == 5


def test_docx_download_makes_the_same_number_of_queries_for_any_plan_size(
    world, client_for, django_assert_max_num_queries
):
    client = client_for(world.operator)
    small = make_sample_plan(world.institute, items=3)
    large = make_sample_plan(world.institute, items=90)
    counts = []
    for roadmap in (small, large):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("reports:roadmap-docx", args=[roadmap.pk])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(counts[0]):
        client.get(reverse("reports:roadmap-docx", args=[large.pk]))
