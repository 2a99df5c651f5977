"""A plan as a Word document (python-docx), for the offices that sign and edit plans in Word.

The same rows as the PDF and the Excel file (reports/plan.py): the grif at the top right, the
title and the period, the table with its header row repeated on every page and sections as
merged rows, then the glossary; A4 landscape. The text is written as stored, line by line, so
that the portal's own importer reads the file back into the same plan.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from reports.plan import GLOSSARY_TITLE, ItemRow, SectionRow, load_plan
from reports.xlsx import cell_text
from roadmaps.grif import approval_block

# The font the PDF embeds (Liberation Serif) has the metrics of Times New Roman, which every
# office has; Word substitutes by name, so the document names the family everybody can open.
FONT = "Times New Roman"
FONT_SIZE = Pt(11)
PAGE_WIDTH, PAGE_HEIGHT = Mm(297), Mm(210)
MARGIN = Mm(15)
GRIF_INDENT = Mm(170)  # the grif starts here, over the right-hand columns, as on paper
TEXT_WIDTH = 297 - 2 * 15  # millimetres
SECTION_SHADE = "EDEDED"
DRAFT_RED = RGBColor(0xBE, 0x00, 0x00)


def plan_docx(roadmap) -> bytes:
    plan = load_plan(roadmap)
    document = Document()
    _page_setup(document)
    _default_font(document)
    properties = document.core_properties
    properties.title = cell_text(roadmap.title)[:255]
    properties.author = cell_text(roadmap.owner.name or roadmap.owner.short_name)[:255]
    properties.language = "ru-RU"
    properties.comments = "Портал «Школа Минпросвещения России»"

    body = document.paragraphs[0] if document.paragraphs else document.add_paragraph()
    _grif(document, body, roadmap)
    _heading(document, roadmap)

    if plan.rows:
        widths = [Mm(width) for width in plan.widths(TEXT_WIDTH)]
        table = document.add_table(rows=1, cols=len(plan.columns))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        # LibreOffice lays a table out by its grid, Word by the cells' own widths: set both.
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width
        header = table.rows[0]
        _repeat_as_header(header)
        for cell, column, width in zip(header.cells, plan.columns, widths, strict=True):
            cell.width = width
            _write_lines(cell, column.heading, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
            _shade(cell, SECTION_SHADE)
        for entry in plan.rows:
            if isinstance(entry, SectionRow):
                _section_row(table, entry)
            else:
                _item_row(table, entry, widths)
    else:
        document.add_paragraph().add_run("В плане пока нет мероприятий.").italic = True

    if plan.glossary:
        _glossary(document, plan.glossary)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def _page_setup(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, MARGIN)


def _default_font(document) -> None:
    """Times New Roman 11 pt for every script: python-docx names only the Latin slots, and Word
    would set Cyrillic text in the theme's font without the others."""
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = FONT_SIZE
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(slot), FONT)
    for slot in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(slot), None)
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), "ru-RU")
    language.set(qn("w:eastAsia"), "ru-RU")
    style.element.get_or_add_rPr().append(language)
    paragraph = style.paragraph_format
    paragraph.space_before = Pt(0)
    paragraph.space_after = Pt(0)


def _grif(document, first, roadmap) -> None:
    block = approval_block(roadmap)
    lines = (["ПРОЕКТ"] if block.draft else []) + [block.head, *block.lines]
    paragraph = first
    for number, line in enumerate(lines):
        if number:
            paragraph = document.add_paragraph()
        paragraph.paragraph_format.left_indent = GRIF_INDENT
        run = paragraph.add_run(cell_text(line))
        run.bold = line in ("ПРОЕКТ", block.head)
        if block.draft and line == "ПРОЕКТ":
            run.font.color.rgb = DRAFT_RED
    document.add_paragraph()


def _heading(document, roadmap) -> None:
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(cell_text(roadmap.title))
    run.bold = True
    run.font.size = Pt(13)
    if str(roadmap.period_start.year) not in roadmap.title:
        period = document.add_paragraph()
        period.alignment = WD_ALIGN_PARAGRAPH.CENTER
        period.add_run(roadmap.period_label)
    document.add_paragraph()


def _repeat_as_header(row) -> None:
    """Word repeats a row marked `w:tblHeader` at the top of every page the table runs onto."""
    properties = row._tr.get_or_add_trPr()
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    properties.append(marker)


def _keep_row_together(row) -> None:
    marker = OxmlElement("w:cantSplit")
    marker.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(marker)


def _shade(cell, colour: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour)
    cell._tc.get_or_add_tcPr().append(shading)


def _write_lines(cell, text: str, *, bold=False, italic=False, align=None) -> None:
    """The text as stored, one paragraph per line (the cell's first paragraph is reused)."""
    lines = cell_text(text or "").split("\n")
    paragraph = cell.paragraphs[0]
    for number, line in enumerate(lines):
        if number:
            paragraph = cell.add_paragraph()
        if align is not None:
            paragraph.alignment = align
        run = paragraph.add_run(line)
        run.bold = bold or None
        run.italic = italic or None


def _section_row(table, section: SectionRow) -> None:
    row = table.add_row()
    _keep_row_together(row)
    merged = row.cells[0].merge(row.cells[-1])
    _write_lines(merged, section.heading, bold=True, italic=section.depth > 0)
    _shade(merged, SECTION_SHADE)


def _item_row(table, entry: ItemRow, widths) -> None:
    row = table.add_row()
    for cell, key, width in zip(row.cells, entry.keys, widths, strict=True):
        cell.width = width
        _write_lines(cell, entry.text(key))


def _glossary(document, glossary: list[tuple[str, str]]) -> None:
    document.add_paragraph()
    heading = document.add_paragraph()
    heading.add_run(GLOSSARY_TITLE).bold = True
    table = document.add_table(rows=0, cols=2)
    table.autofit = False
    table.columns[0].width, table.columns[1].width = Mm(40), Mm(227)
    for abbreviation, full_name in glossary:
        row = table.add_row()
        row.cells[0].width, row.cells[1].width = Mm(40), Mm(227)
        _write_lines(row.cells[0], abbreviation, bold=True)
        _write_lines(row.cells[1], full_name)
