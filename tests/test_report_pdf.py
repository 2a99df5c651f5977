import datetime
import io
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from orgs.models import Organization
from reports.pdf import PdfResourceError, plan_html, plan_pdf
from roadmaps.grif import approval_block, genitive_issuer, instrumental
from roadmaps.models import Roadmap
from tests.factories import (
    make_item,
    make_organization,
    make_region,
    make_roadmap,
    make_sample_plan,
    make_section,
)


def pdf_pages(data: bytes) -> list[str]:
    """The text of each page, whitespace squeezed: cell lines join with single spaces."""
    reader = PdfReader(io.BytesIO(data))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def embedded_fonts(data: bytes) -> set[str]:
    """The PostScript names of the font programs embedded in the PDF.

    The PDF names a font after the CSS family («Portal-Serif-Bold»); which font it really is
    only the embedded program's own name table says («LiberationSerif-Bold»).
    """
    reader = PdfReader(io.BytesIO(data))
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font)[
                "/FontDescriptor"
            ].get_object()
            assert "/FontFile2" in descriptor, f"{font['/BaseFont']} is not embedded"
            program = TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))
            names.add(program["name"].getDebugName(6))
    return names


@dataclass
class Sample:
    roadmap_items: list[tuple[str, str]]
    pdf: bytes
    pages: list[str]


@pytest.fixture(scope="module")
def sample(django_db_setup, django_db_blocker):
    """A 150-item draft plan rendered once for the module; its rows are rolled back after."""
    with django_db_blocker.unblock(), transaction.atomic():
        owner = make_organization(
            region=make_region("47"),
            kind=Organization.Kind.REGIONAL_OPERATOR,
            short_name="ГАОУ ДПО «ЛОИРО»",
        )
        roadmap = make_sample_plan(owner, items=150)
        items = [(item.number, item.title) for item in roadmap.items.all()]
        data = plan_pdf(roadmap)
        transaction.set_rollback(True)
    return Sample(roadmap_items=items, pdf=data, pages=pdf_pages(data))


def test_every_item_of_a_150_item_plan_is_printed_with_its_number(sample):
    text = " ".join(sample.pages)
    assert len(sample.roadmap_items) == 150
    for number, title in sample.roadmap_items:
        assert f"{number} {' '.join(title.split())}" in text, number


def test_the_table_header_is_repeated_on_every_page(sample):
    pages = sample.pages
    assert len(pages) > 3
    for number, page in enumerate(pages, start=1):
        assert "Наименование мероприятия" in page, f"page {number}"
        assert "Ожидаемый результат" in page, f"page {number}"


def test_pages_are_numbered_in_the_footer_as_page_x_of_y(sample):
    pages = sample.pages
    total = len(pages)
    for number, page in enumerate(pages, start=1):
        assert f"стр. {number} из {total}" in page


def test_pages_are_landscape_a4(sample):
    box = PdfReader(io.BytesIO(sample.pdf)).pages[0].mediabox
    # 297 × 210 mm in points.
    assert round(float(box.width)) == 842
    assert round(float(box.height)) == 595


def test_sections_and_subsections_are_printed_as_rows_in_order(sample):
    text = " ".join(sample.pages)
    headings = [
        "1. Организационно-управленческое сопровождение",
        "2. Научно-методическое сопровождение",
        "2.1. Мероприятия по повышению квалификации руководящих и педагогических кадров",
        "2.2. Постоянно действующий семинар проекта «Школа Минпросвещения России»",
        "3. Информационное сопровождение",
        "4. Мониторинг реализации проекта",
    ]
    positions = [text.find(heading) for heading in headings]
    assert -1 not in positions, positions
    assert positions == sorted(positions)


def test_glossary_closes_the_document_with_abbreviations_that_have_full_names(sample):
    last = sample.pages[-1]
    glossary = last[last.index("Обозначения и сокращения") :]
    assert "ИРОСО Институт развития образования" in glossary  # a two-column table
    assert "ОО Общеобразовательные организации" in glossary
    # ММС answers for items but has no full name: it is not an abbreviation to explain.
    assert "ММС —" not in glossary


def reddish_pixels(data: bytes) -> list[int]:
    """Per page, how many pixels of a 30-dpi rendering (poppler's pdftoppm) are tinted red."""
    from PIL import Image

    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "plan.pdf"
        source.write_bytes(data)
        subprocess.run(["pdftoppm", "-r", "30", "-png", source, Path(folder) / "page"], check=True)
        counts = []
        for image_path in sorted(Path(folder).glob("page-*.png")):
            with Image.open(image_path) as image:
                colours = image.convert("RGB").getcolors(maxcolors=1 << 24)
                counts.append(sum(n for n, (r, g, b) in colours if r > g + 15 and r > b + 15))
    return counts


def test_a_draft_carries_the_watermark_on_every_page_and_an_empty_grif(sample):
    # Drawn on every page: a red tint over a good part of each page.
    counts = reddish_pixels(sample.pdf)
    assert len(counts) == len(sample.pages)
    assert min(counts) > 1000, counts
    pages = sample.pages
    assert "ПРОЕКТ" in pages[0]
    assert "УТВЕРЖДАЮ" in pages[0]
    assert "«___» ______________ 20___ г." in pages[0]


def test_the_watermark_is_drawn_not_written_so_the_text_layer_has_none_of_its_letters(sample):
    # The grif says «ПРОЕКТ» once, as text; the mark across the pages is outlines only, so no
    # stray «Р» or «О» turns up between the rows when the text is copied or read aloud.
    text = " ".join(sample.pages)
    assert text.count("ПРОЕКТ") == 1
    stray = [word for word in text.split() if len(word) == 1 and word in "ПРОЕКТ"]
    assert stray == []


def test_the_pdf_is_tagged_in_russian_with_honest_metadata(sample):
    reader = PdfReader(io.BytesIO(sample.pdf))
    catalog = reader.trailer["/Root"]
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "ru"
    info = reader.metadata
    assert info.title.startswith("План мероприятий")
    assert info.author
    created = info.creation_date
    assert created is not None
    assert abs((created - timezone.now()).total_seconds()) < 600


def test_an_approved_plan_has_no_watermark_and_names_its_approving_document(world):
    roadmap = make_sample_plan(
        world.institute,
        items=40,
        status=Roadmap.Status.APPROVED,
        approval_kind="распоряжение",
        approval_issuer="Комитет общего и профессионального образования Ленинградской области",
        approval_date="2023-09-26",
        approval_number="3.12-1331-р",
    )
    roadmap.refresh_from_db()
    data = plan_pdf(roadmap)
    pages = pdf_pages(data)
    assert not any("ПРОЕКТ" in page for page in pages)
    assert set(reddish_pixels(data)) == {0}
    assert (
        "УТВЕРЖДЕН распоряжением комитета общего и профессионального образования "
        "Ленинградской области от 26.09.2023 № 3.12-1331-р"
    ) in pages[0]


def test_a_plan_approved_by_signature_shows_the_official(world):
    roadmap = make_roadmap(
        world.institute,
        status=Roadmap.Status.APPROVED,
        approval_kind="утверждаю",
        approved_by_position="первый заместитель председателя комитета",
        approved_by_name="И.А. Голубев",
    )
    block = approval_block(roadmap)
    assert (block.head, block.draft) == ("УТВЕРЖДАЮ", False)
    assert block.lines[0] == "первый заместитель председателя комитета"
    assert block.lines[1].endswith(" И.А. Голубев")


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("распоряжение", "распоряжением"),
        ("приказ", "приказом"),
        ("постановление", "постановлением"),
        ("протокол", "протоколом"),
        ("инструктивно-методическое письмо", "инструктивно-методическим письмом"),
        ("информационное письмо", "информационным письмом"),
    ],
)
def test_the_kind_of_approving_document_is_put_in_the_instrumental_case(kind, expected):
    assert instrumental(kind) == expected


def test_only_the_head_word_of_the_issuer_changes_case():
    assert genitive_issuer("Департамент образования и науки Тюменской области") == (
        "департамента образования и науки Тюменской области"
    )
    assert genitive_issuer("Главное управление образования") == "Главное управление образования"


def test_a_letterhead_in_capitals_is_left_out_of_the_grif(world):
    roadmap = make_roadmap(
        world.institute,
        status=Roadmap.Status.APPROVED,
        approval_kind="инструктивно-методическое письмо",
        approval_issuer="ПРАВИТЕЛЬСТВО САНКТ-ПЕТЕРБУРГА АДМИНИСТРАЦИЯ КИРОВСКОГО РАЙОНА",
        approval_date=datetime.date(2024, 2, 29),
        approval_number="231",
    )
    block = approval_block(roadmap)
    assert block.lines == ["инструктивно-методическим письмом", "от 29.02.2024 № 231"]


def test_the_bundled_liberation_serif_is_the_only_font_and_is_embedded(sample):
    fonts = embedded_fonts(sample.pdf)
    assert fonts, "no fonts found"
    assert all(name.startswith("LiberationSerif") for name in fonts), fonts
    assert {"LiberationSerif", "LiberationSerif-Bold"} <= fonts


def test_a_missing_bundled_font_stops_the_pdf_instead_of_falling_back(world, settings, tmp_path):
    roadmap = make_roadmap(world.institute)
    (tmp_path / "static" / "css").mkdir(parents=True)
    shutil.copy(settings.BASE_DIR / "static/css/print-plan.css", tmp_path / "static/css")
    settings.BASE_DIR = tmp_path
    # A draft needs the bold face for its «ПРОЕКТ» outlines first; the regular one for the text.
    with pytest.raises(PdfResourceError, match=r"LiberationSerif-Bold\.ttf"):
        plan_pdf(roadmap)
    roadmap.status = Roadmap.Status.APPROVED
    with pytest.raises(PdfResourceError, match=r"LiberationSerif-Regular\.ttf"):
        plan_pdf(roadmap)


def test_multi_line_titles_keep_their_lines_and_bullets(world):
    roadmap = make_roadmap(world.institute)
    make_item(
        make_section(roadmap),
        title="Семинары по направлениям:\n• Знание;\n• Воспитание",
        result="– программа\n– резолюция",
    )
    html = plan_html(roadmap)
    assert re.search(r"<p>Семинары по направлениям:</p>\s*<p class=\"bullet\">•", html)
    assert html.count('class="bullet"') == 4


def test_user_text_cannot_inject_markup_into_the_pdf(world):
    roadmap = make_roadmap(world.institute, title='План <img src="http://example.com/x.png">')
    make_item(make_section(roadmap), title='<link rel="stylesheet" href="file:///etc/passwd">')
    html = plan_html(roadmap)
    assert "<img" not in html and "<link" not in html
    plan_pdf(roadmap)  # renders: nothing is fetched


def test_plan_pdf_downloads_with_a_russian_file_name(world, client_for):
    roadmap = make_sample_plan(world.school, items=5, title="План мероприятий школы на 2024 год")
    response = client_for(world.school_user).get(reverse("reports:roadmap-pdf", args=[roadmap.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''" in disposition
    assert ".pdf" in disposition
    ascii_name = re.search(r'filename="([^"]*)"', disposition)
    assert ascii_name and ascii_name.group(1).isascii()
    assert response.getvalue().startswith(b"%PDF-")


def test_pdf_download_makes_the_same_number_of_queries_for_any_plan_size(
    world, client_for, django_assert_max_num_queries
):
    client = client_for(world.operator)
    small = make_sample_plan(world.institute, items=3)
    large = make_sample_plan(world.institute, items=60)
    for roadmap in (small, large):
        with django_assert_max_num_queries(12):
            response = client.get(reverse("reports:roadmap-pdf", args=[roadmap.pk]))
            assert response.status_code == 200


def rasters(data: bytes, dpi: int = 60) -> list[bytes]:
    """Each page as PNG bytes (pdftoppm, as the watermark test reads them)."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "plan.pdf"
        source.write_bytes(data)
        subprocess.run(["pdftoppm", "-r", str(dpi), "-png", source, Path(folder) / "p"], check=True)
        return [path.read_bytes() for path in sorted(Path(folder).glob("p-*.png"))]


@pytest.mark.parametrize("status", [Roadmap.Status.DRAFT, Roadmap.Status.APPROVED])
def test_the_plans_own_user_agent_sheet_draws_the_same_pages_as_weasyprints(
    world, status, monkeypatch
):
    # static/css/print-ua.css holds WeasyPrint's rules for the template's elements only (10 %
    # of the time of a large plan); an element added to the template without its rules there
    # changes the pages, and this says so.
    monkeypatch.setattr(
        "reports.pdf.timezone.localtime",
        lambda *args: datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
    )
    roadmap = make_sample_plan(
        world.institute,
        items=25,
        status=status,
        approval_kind="распоряжение",
        approval_number="5-р",
        approval_date=datetime.date(2026, 1, 10),
    )
    own = plan_pdf(roadmap)
    weasyprints = plan_pdf(roadmap, user_agent=None)
    assert pdf_pages(own) == pdf_pages(weasyprints)
    assert rasters(own) == rasters(weasyprints)
    assert outline(own) == outline(weasyprints)  # the bookmarks of h1 and h2


def outline(data: bytes) -> list:
    def titles(entries):
        return [titles(entry) if isinstance(entry, list) else entry.title for entry in entries]

    return titles(PdfReader(io.BytesIO(data)).outline)
