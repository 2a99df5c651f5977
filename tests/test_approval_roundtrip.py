"""The approval stamp («гриф») survives a round trip: what any export prints, the portal's own
importer reads back into the same approval fields; and the page, the PDF, Excel and Word word it
by one rule."""

import datetime

import pytest

from reports.docx import plan_docx
from reports.pdf import plan_html, plan_pdf
from reports.xlsx import plan_xlsx
from roadmaps.grif import approval_block
from roadmaps.importers import parse_document
from roadmaps.models import Roadmap
from tests.factories import make_sample_plan

pytestmark = pytest.mark.django_db

LENOBL = "Комитет общего и профессионального образования Ленинградской области"

APPROVALS = {
    "распоряжение комитета": {
        "approval_kind": "распоряжение",
        "approval_issuer": LENOBL,
        "approval_date": datetime.date(2023, 9, 26),
        "approval_number": "3.12-1331-р",
    },
    "приказ департамента": {
        "approval_kind": "приказ",
        "approval_issuer": "Департамент образования и науки Тюменской области",
        "approval_date": datetime.date(2024, 1, 15),
        "approval_number": "12-од",
    },
    "инструктивно-методическое письмо отдела": {
        "approval_kind": "инструктивно-методическое письмо",
        "approval_issuer": "Отдел образования администрации Кировского района Санкт-Петербурга",
        "approval_date": datetime.date(2024, 2, 29),
        "approval_number": "231",
    },
    "подпись председателя": {
        "approval_kind": "утверждаю",
        "approved_by_position": "Председатель комитета общего и профессионального образования "
        "Ленинградской области",
        "approved_by_name": "В.И. Реброва",
        "approval_issuer": LENOBL,
        "approval_date": datetime.date(2023, 9, 26),
    },
    "распоряжение с подписью": {
        "approval_kind": "распоряжение",
        "approval_issuer": LENOBL,
        "approval_date": datetime.date(2023, 9, 26),
        "approval_number": "3.12-1331-р",
        "approved_by_position": "Председатель комитета",
        "approved_by_name": "В.И. Реброва",
    },
}
FIELDS = {
    "approval_kind": "kind",
    "approval_number": "number",
    "approval_date": "date",
    "approval_issuer": "issuer",
    "approved_by_name": "official_name",
    "approved_by_position": "official_position",
}
EXPORTS = {"xlsx": plan_xlsx, "docx": plan_docx, "pdf": plan_pdf}


def approved(world, status=Roadmap.Status.APPROVED, **fields):
    return make_sample_plan(world.institute, items=3, status=status, **fields)


def approval_fields(approval) -> dict:
    return {field: getattr(approval, attribute) for field, attribute in FIELDS.items()}


def expected(fields: dict) -> dict:
    return {field: fields.get(field, "" if field != "approval_date" else None) for field in FIELDS}


@pytest.mark.parametrize("export", EXPORTS)
@pytest.mark.parametrize("variant", APPROVALS)
def test_every_export_of_an_approved_plan_reimports_to_the_same_approval(world, variant, export):
    roadmap = approved(world, **APPROVALS[variant])
    parsed = parse_document(EXPORTS[export](roadmap), filename=f"plan.{export}")
    assert parsed.approval is not None
    assert approval_fields(parsed.approval) == expected(APPROVALS[variant])


@pytest.mark.parametrize("export", EXPORTS)
def test_a_draft_keeps_the_approval_it_was_imported_with(world, export):
    """A draft made from a document that carried «Утвержден распоряжением …» shows that grif
    (under «ПРОЕКТ») instead of a blank form, and the next export still carries it."""
    roadmap = approved(world, status=Roadmap.Status.DRAFT, **APPROVALS["распоряжение комитета"])
    block = approval_block(roadmap)
    assert block.draft
    assert "распоряжением комитета общего" in block.text
    parsed = parse_document(EXPORTS[export](roadmap), filename=f"plan.{export}")
    assert approval_fields(parsed.approval) == expected(APPROVALS["распоряжение комитета"])


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ("распоряжение", "распоряжением"),
        ("приказ", "приказом"),
        ("инструктивно-методическое письмо", "инструктивно-методическим письмом"),
        ("постановление", "постановлением"),
    ],
)
def test_the_page_and_every_document_word_the_grif_in_the_instrumental_case(
    world, client_for, kind, words
):
    roadmap = approved(
        world,
        approval_kind=kind,
        approval_issuer="Комитет по образованию",
        approval_date=datetime.date(2024, 2, 29),
        approval_number="7",
    )
    caption = f"УТВЕРЖДЕН {words} комитета по образованию от 29.02.2024 № 7"
    assert " ".join(approval_block(roadmap).text.split()) == caption
    page = client_for(world.operator).get(f"/roadmaps/{roadmap.pk}/").content.decode()
    assert " ".join(f"{words} комитета по образованию".split()) in " ".join(page.split())
    assert f"{words} комитета по образованию" in " ".join(plan_html(roadmap).split())
