"""Plans the importer has never seen: written here as Word, Excel and text documents with
python-docx and openpyxl, in layouts the samples do not use, and read back.

A ``Plan`` is what a document should mean; ``write_docx``, ``write_xlsx`` and ``write_text`` put
it on paper in a given ``Layout``; ``expected`` says what the importer must find.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field, replace

import openpyxl
import pytest
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.styles import Font

from roadmaps.importers import parse_document

COLUMN_TITLES = {
    "number": ["№", "№ п/п", "N п/п"],
    "title": ["Мероприятие", "Наименование мероприятия", "Содержание деятельности"],
    "deadline": [
        "Сроки",
        "Срок исполнения",
        "Сроки проведения",
        "Период реализации",
        "Дата проведения",
    ],
    "responsible": ["Ответственные", "Ответственный", "Исполнители", "Ответственные исполнители"],
    "result": ["Ожидаемый результат", "Результат", "Ожидаемые документы", "Результат исполнения"],
    "direction": ["Направление"],
}
# The second half of a column title written over two header rows.
SPLIT_TITLES = {
    "number": ("№", "п/п"),
    "title": ("Наименование", "мероприятия"),
    "deadline": ("Сроки", "проведения"),
    "responsible": ("Ответственные", "исполнители"),
    "result": ("Ожидаемый", "результат"),
    "direction": ("Направление", "(условие)"),
}

RESPONSIBLE = [
    ("ИРОСО", ["ИРОСО"]),
    ("ИРОСО, ОМСУ", ["ИРОСО", "ОМСУ"]),
    ("ИМЦ ОО", ["ИМЦ", "ОО"]),
    ("ОМСУ; ОО", ["ОМСУ", "ОО"]),
    ("Лысенко С.Н. Руководители ОО", ["Лысенко С.Н.", "Руководители ОО"]),
    ("ИРОСО\nМинистерство образования и науки", ["ИРОСО", "Министерство образования и науки"]),
    ("ОО района", ["ОО района"]),
    ("ИМЦ и ОО", ["ИМЦ", "ОО"]),
]
DEADLINES = ["Январь", "в течение года", "2 раза в год", "до 15 октября", "1 квартал", "по запросу"]
TITLES = [
    "Проведение совещания с руководителями школ",
    "Организация курсов повышения квалификации педагогов",
    "Мониторинг выполнения планов мероприятий",
    "Семинар «Школьный климат: практики и решения»",
    "Анализ результатов самодиагностики",
    "Консультирование управленческих команд",
    "Размещение информации на официальном сайте",
]
RESULTS = ["Протокол совещания", "Аналитическая справка", "Программа семинара", ""]
GLOSSARY = {
    "ИРОСО": "Государственное автономное учреждение «Институт развития образования»",
    "ОМСУ": "Органы местного самоуправления, осуществляющие управление в сфере образования",
    "ИМЦ": "Информационно-методический центр",
    "ОО": "Общеобразовательные организации",
}


@dataclass
class Item:
    number: str  # as the document writes it, «1.1.» or «»
    title: str
    deadline: str
    responsible: str
    parties: list[str]
    result: str
    direction: str = ""


@dataclass
class Section:
    label: str  # as written in the row: «1. Организационное …», «I. …», «Раздел 2. …»
    number: str  # what the importer must store
    title: str
    items: list[Item] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)


@dataclass
class Plan:
    title: str = (
        "План мероприятий («дорожная карта») по реализации проекта «Школа Минпросвещения "
        "России» в Энской области на 2025 год"
    )
    approval: list[str] = field(
        default_factory=lambda: [
            "УТВЕРЖДЕН",
            "приказом министерства образования Энской области",
            "от 15.01.2025 № 12-од",
        ]
    )
    sections: list[Section] = field(default_factory=list)
    glossary: dict[str, str] = field(default_factory=dict)


@dataclass
class Layout:
    columns: list[str] = field(
        default_factory=lambda: ["number", "title", "deadline", "responsible", "result"]
    )
    titles: dict[str, str] = field(default_factory=dict)
    two_row_header: bool = False
    column_numbers: bool = False
    merged_sections: bool = True  # section rows merged across the table
    glossary: str = "table"  # table | paragraphs | none
    encoding: str = "utf-8"


def make_plan(
    *,
    style: str = "arabic",
    subsections: bool = False,
    unnumbered: bool = False,
    sections: int = 3,
    items: int = 3,
    seed: int = 0,
    directions: bool = False,
    glossary: bool = True,
) -> Plan:
    counter = seed

    def item(number: str) -> Item:
        nonlocal counter
        counter += 1
        responsible, parties = RESPONSIBLE[counter % len(RESPONSIBLE)]
        return Item(
            number=number,
            title=f"{TITLES[counter % len(TITLES)]} № {counter}",
            deadline=DEADLINES[counter % len(DEADLINES)],
            responsible=responsible,
            parties=parties,
            result=RESULTS[counter % len(RESULTS)],
            direction=["Знание", "Здоровье", "Школьный климат"][counter % 3] if directions else "",
        )

    plan = Plan(glossary=dict(GLOSSARY) if glossary else {})
    for s in range(1, sections + 1):
        title = ["Организационное сопровождение", "Методическое сопровождение", "Мониторинг"][
            (s - 1) % 3
        ]
        title = f"{title} {s}"
        if style == "arabic":
            section = Section(f"{s}. {title}", str(s), title)
        elif style == "roman":
            roman = ["I", "II", "III", "IV", "V"][s - 1]
            section = Section(f"{roman}. {title}", roman, title)
        elif style == "razdel":
            section = Section(f"Раздел {s}. {title}", str(s), title)
        else:
            section = Section(title, "", title)
        if subsections:
            for sub in range(1, 3):
                if style == "roman":
                    label, number = f"{sub}. Подраздел {sub}", str(sub)
                else:
                    label, number = f"{s}.{sub}. Подраздел {sub}", f"{s}.{sub}"
                child = Section(label, number, f"Подраздел {sub}")
                # Numbering restarts in every subsection.
                child.items = [item(f"{n}.") for n in range(1, items + 1)]
                section.sections.append(child)
        else:
            numbers = [f"{section.number or s}.{n}." for n in range(1, items + 1)]
            if unnumbered:
                numbers[1] = ""
                numbers.append("")
            section.items = [item(number) for number in numbers]
        plan.sections.append(section)
    return plan


def expected(plan: Plan, layout: Layout) -> list[dict]:
    numbered = "number" in layout.columns

    def items(section):
        return [
            {
                "number": (i.number.rstrip(".") if numbered else ""),
                "title": i.title,
                "deadline": i.deadline if "deadline" in layout.columns else "",
                "responsible": i.parties if "responsible" in layout.columns else [],
                "result": i.result if "result" in layout.columns else "",
                "directions": [i.direction] if "direction" in layout.columns else [],
            }
            for i in section.items
        ]

    def section(s):
        return {
            "number": s.number,
            "title": s.title,
            "items": items(s),
            "sections": [section(child) for child in s.sections],
        }

    return [section(s) for s in plan.sections]


def found(roadmap) -> list[dict]:
    def section(s):
        return {
            "number": s.number,
            "title": s.title,
            "items": [
                {
                    "number": i.number,
                    "title": i.title,
                    "deadline": i.deadline_text,
                    "responsible": i.responsible,
                    "result": i.result,
                    "directions": i.directions,
                }
                for i in s.items
            ],
            "sections": [section(child) for child in s.sections],
        }

    return [section(s) for s in roadmap.sections]


def cell_values(item: Item, layout: Layout) -> list[str]:
    values = {
        "number": item.number,
        "title": item.title,
        "deadline": item.deadline,
        "responsible": item.responsible,
        "result": item.result,
        "direction": item.direction,
    }
    return [values[column] for column in layout.columns]


def header_rows(layout: Layout) -> list[list[str]]:
    if layout.two_row_header:
        return [
            [SPLIT_TITLES[column][0] for column in layout.columns],
            [SPLIT_TITLES[column][1] for column in layout.columns],
        ]
    return [[layout.titles.get(c, COLUMN_TITLES[c][0]) for c in layout.columns]]


def walk(plan: Plan):
    """(kind, payload) rows in table order."""
    for section in plan.sections:
        yield "section", section
        for item in section.items:
            yield "item", item
        for child in section.sections:
            yield "section", child
            for item in child.items:
                yield "item", item


# --- writers -----------------------------------------------------------------------------------


def write_docx(plan: Plan, layout: Layout) -> bytes:
    document = Document()
    for line in plan.approval:
        document.add_paragraph(line)
    document.add_paragraph("")
    heading = document.add_paragraph()
    heading.add_run(plan.title).bold = True
    width = len(layout.columns)
    table = document.add_table(rows=0, cols=width)
    for texts in header_rows(layout):
        cells = table.add_row().cells
        for cell, text in zip(cells, texts, strict=True):
            cell.text = text
    if layout.column_numbers:
        for cell, number in zip(table.add_row().cells, range(1, width + 1), strict=True):
            cell.text = str(number)
    for kind, payload in walk(plan):
        cells = table.add_row().cells
        if kind == "section":
            if layout.merged_sections:
                merged = cells[0].merge(cells[-1])
                merged.text = ""
                merged.paragraphs[0].add_run(payload.label).bold = True
            else:
                cells[0].paragraphs[0].add_run(payload.label).bold = True
            continue
        for cell, text in zip(cells, cell_values(payload, layout), strict=True):
            lines = text.split("\n")
            cell.text = lines[0]
            for line in lines[1:]:
                cell.add_paragraph(line)
    if plan.glossary and layout.glossary == "table":
        document.add_paragraph("Обозначения и сокращения")
        glossary = document.add_table(rows=0, cols=2)
        for key, value in plan.glossary.items():
            row = glossary.add_row().cells
            row[0].text, row[1].text = key, value
    elif plan.glossary and layout.glossary == "paragraphs":
        document.add_paragraph("Список сокращений:")
        for key, value in plan.glossary.items():
            document.add_paragraph(f"{key} – {value}")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def write_xlsx(plan: Plan, layout: Layout) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "План"
    width = len(layout.columns)
    for line in plan.approval:
        sheet.append([None] * (width - 1) + [line])
    sheet.append([plan.title])
    sheet.cell(sheet.max_row, 1).font = Font(bold=True)
    for texts in header_rows(layout):
        sheet.append(texts)
    if layout.column_numbers:
        sheet.append(list(range(1, width + 1)))
    for kind, payload in walk(plan):
        if kind == "section":
            sheet.append([payload.label])
            row = sheet.max_row
            sheet.cell(row, 1).font = Font(bold=True)
            if layout.merged_sections:
                sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
            continue
        sheet.append([_excel_value(text) for text in cell_values(payload, layout)])
    if plan.glossary and layout.glossary != "none":
        glossary = workbook.create_sheet("Сокращения")
        glossary.append(["Сокращение", "Полное наименование"])
        for key, value in plan.glossary.items():
            glossary.append([key, value])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _excel_value(text: str):
    return text or None


def write_text(plan: Plan, layout: Layout) -> bytes:
    lines = [*plan.approval, "", f"**{plan.title}**", ""]
    for texts in header_rows(layout):
        lines.append("\t".join(texts))
    if layout.column_numbers:
        lines.append("\t".join(str(n) for n in range(1, len(layout.columns) + 1)))
    for kind, payload in walk(plan):
        if kind == "section":
            lines.append(f"<b>{payload.label}</b>" + "\t" * (len(layout.columns) - 1))
            continue
        lines.append("\t".join(text.replace("\n", "<br>") for text in cell_values(payload, layout)))
    if plan.glossary and layout.glossary != "none":
        lines += ["", "Обозначения и сокращения", ""]
        lines += [f"{key} – {value}" for key, value in plan.glossary.items()]
    return "\n".join(lines).encode(layout.encoding)


WRITERS = {"docx": write_docx, "xlsx": write_xlsx, "txt": write_text}


def read(plan: Plan, layout: Layout, fmt: str):
    return parse_document(WRITERS[fmt](plan, layout), filename=f"plan.{fmt}")


# --- the tests ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", WRITERS)
def test_plain_plan_imports_in_every_format(fmt):
    plan, layout = make_plan(), Layout()

    roadmap = read(plan, layout, fmt)

    assert found(roadmap) == expected(plan, layout)
    assert roadmap.title == plan.title
    assert str(roadmap.period) == "2025"
    assert roadmap.glossary == GLOSSARY
    assert roadmap.approval.kind == "приказ"
    assert roadmap.approval.number == "12-од"
    assert roadmap.approval.issuer == "Министерство образования Энской области"
    assert roadmap.warnings == []


@pytest.mark.parametrize("fmt", WRITERS)
@pytest.mark.parametrize("style", ["arabic", "roman", "razdel", "none"])
def test_section_numbering_styles(fmt, style):
    plan, layout = make_plan(style=style), Layout()

    assert found(read(plan, layout, fmt)) == expected(plan, layout)


@pytest.mark.parametrize("fmt", WRITERS)
@pytest.mark.parametrize("style", ["arabic", "roman"])
def test_subsections_with_numbering_restarting_in_each(fmt, style):
    plan, layout = make_plan(style=style, subsections=True), Layout()

    roadmap = read(plan, layout, fmt)

    assert found(roadmap) == expected(plan, layout)
    assert [len(s.sections) for s in roadmap.sections] == [2, 2, 2]
    assert [i.number for i in roadmap.sections[1].sections[1].items] == ["1", "2", "3"]


@pytest.mark.parametrize("fmt", WRITERS)
def test_unnumbered_items_stay_items(fmt):
    plan, layout = make_plan(unnumbered=True), Layout()

    roadmap = read(plan, layout, fmt)

    assert found(roadmap) == expected(plan, layout)
    assert [i.number for i in roadmap.sections[0].items] == ["1.1", "", "1.3", ""]


@pytest.mark.parametrize("fmt", WRITERS)
def test_section_rows_that_are_not_merged(fmt):
    plan, layout = make_plan(subsections=True), Layout(merged_sections=False)

    assert found(read(plan, layout, fmt)) == expected(plan, layout)


@pytest.mark.parametrize("fmt", WRITERS)
def test_header_over_two_rows_and_a_row_of_column_numbers(fmt):
    plan, layout = make_plan(), Layout(two_row_header=True, column_numbers=True)

    assert found(read(plan, layout, fmt)) == expected(plan, layout)


def test_word_header_with_a_cell_merged_over_two_columns():
    plan = make_plan()
    layout = Layout()
    document = Document(io.BytesIO(write_docx(plan, layout)))
    table = document.tables[0]
    # «Исполнение» over «Сроки» and «Ответственные», written in a row above the header.
    new_row = table.add_row()._tr
    table._tbl.remove(new_row)
    table._tbl.insert(table._tbl.index(table.rows[0]._tr), new_row)
    first, second = table.rows[0], table.rows[1]
    first.cells[0].text, first.cells[1].text = "№ п/п", "Мероприятие"
    merged = first.cells[2].merge(first.cells[3])
    merged.text = "Исполнение"
    first.cells[-1].text = "Результат"
    second.cells[0].text = second.cells[1].text = second.cells[4].text = ""
    second.cells[2].text, second.cells[3].text = "срок", "ответственный"
    buffer = io.BytesIO()
    document.save(buffer)

    roadmap = parse_document(buffer.getvalue(), filename="plan.docx")

    assert found(roadmap) == expected(plan, layout)


@pytest.mark.parametrize("fmt", WRITERS)
@pytest.mark.parametrize("glossary", ["table", "paragraphs"])
def test_glossary_after_the_table(fmt, glossary):
    plan, layout = make_plan(), Layout(glossary=glossary)

    roadmap = read(plan, layout, fmt)

    assert roadmap.glossary == GLOSSARY
    assert found(roadmap) == expected(plan, layout)


@pytest.mark.parametrize("fmt", WRITERS)
def test_directions_column(fmt):
    plan = make_plan(directions=True)
    layout = Layout(columns=["number", "direction", "title", "deadline", "responsible", "result"])

    roadmap = read(plan, layout, fmt)

    assert found(roadmap) == expected(plan, layout)
    assert roadmap.sections[0].items[0].directions


def test_text_in_windows_1251():
    plan, layout = make_plan(subsections=True), Layout(encoding="cp1251")

    roadmap = read(plan, layout, "txt")

    assert found(roadmap) == expected(plan, layout)
    assert roadmap.glossary == GLOSSARY


_COLUMNS = ["number", "title", "deadline", "responsible", "result"]


@st.composite
def layouts(draw):
    kept = [
        "title",
        *draw(st.sets(st.sampled_from(["number", "deadline", "responsible", "result"]))),
    ]
    if not {"deadline", "responsible", "result"} & set(kept):
        kept.append("deadline")
    columns = draw(st.permutations(kept))
    titles = {column: draw(st.sampled_from(COLUMN_TITLES[column])) for column in columns}
    return Layout(
        columns=list(columns),
        titles=titles,
        column_numbers=draw(st.booleans()),
        merged_sections=draw(st.booleans()),
        glossary=draw(st.sampled_from(["table", "paragraphs", "none"])),
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    layout=layouts(),
    fmt=st.sampled_from(list(WRITERS)),
    style=st.sampled_from(["arabic", "roman", "razdel", "none"]),
    subsections=st.booleans(),
    seed=st.integers(0, 50),
)
def test_any_column_order_and_missing_columns(layout, fmt, style, subsections, seed):
    plan = make_plan(style=style, subsections=subsections, seed=seed, items=2)
    roadmap = read(plan, layout, fmt)

    assert found(roadmap) == expected(plan, layout)
    if layout.glossary != "none":
        assert roadmap.glossary == GLOSSARY


# Speed is measured in `make bench` (bench/), not here; these check that long plans come whole.
def test_a_long_word_plan_keeps_all_300_items():
    plan = make_plan(sections=10, items=30)
    roadmap = parse_document(write_docx(plan, Layout()), filename="plan.docx")
    assert len(list(roadmap.all_items())) == 300
    assert found(roadmap) == expected(plan, Layout())


def test_a_long_excel_plan_keeps_all_300_items():
    plan = make_plan(sections=10, items=30)
    roadmap = parse_document(write_xlsx(plan, Layout()), filename="plan.xlsx")
    assert len(list(roadmap.all_items())) == 300
    assert found(roadmap) == expected(plan, Layout())


def test_plan_without_sections_gets_one_untitled_section():
    plan = make_plan(sections=1)
    plan.sections[0].label = ""
    layout = Layout()
    lines = ["\t".join(header_rows(layout)[0])]
    lines += ["\t".join(cell_values(item, layout)) for item in plan.sections[0].items]

    roadmap = parse_document("\n".join(lines).encode(), filename="plan.tsv")

    assert len(roadmap.sections) == 1
    assert (roadmap.sections[0].number, roadmap.sections[0].title) == ("", "")
    assert [i.title for i in roadmap.sections[0].items] == [i.title for i in plan.sections[0].items]
    assert "Период плана не найден в заголовке: укажите его вручную." in roadmap.warnings


def test_word_auto_numbered_number_column():
    plan = make_plan(sections=1, items=3)
    layout = Layout()
    document = Document(io.BytesIO(write_docx(plan, layout)))
    numbering = document.part.numbering_part.element
    abstract = numbering.makeelement(qn("w:abstractNum"), {qn("w:abstractNumId"): "90"})
    for level, text in ((0, "%1."), (1, "%1.%2.")):
        lvl = OxmlElement("w:lvl")
        lvl.set(qn("w:ilvl"), str(level))
        for tag, value in (("w:start", "1"), ("w:numFmt", "decimal"), ("w:lvlText", text)):
            child = OxmlElement(tag)
            child.set(qn("w:val"), value)
            lvl.append(child)
        abstract.append(lvl)
    numbering.insert(0, abstract)
    num = OxmlElement("w:num")
    num.set(qn("w:numId"), "90")
    reference = OxmlElement("w:abstractNumId")
    reference.set(qn("w:val"), "90")
    num.append(reference)
    numbering.append(num)
    rows = document.tables[0].rows
    # The section row gets level 0, the items level 1; their number cells hold no text.
    for row, level in ((rows[1], 0), *((row, 1) for row in rows[2:])):
        paragraph = row.cells[0].paragraphs[0]
        for run in paragraph.runs:
            run.text = ""
        if level == 0:
            paragraph.runs[-1].text = plan.sections[0].title
        properties = paragraph._p.get_or_add_pPr()
        num_pr = OxmlElement("w:numPr")
        for tag, value in (("w:ilvl", str(level)), ("w:numId", "90")):
            child = OxmlElement(tag)
            child.set(qn("w:val"), value)
            num_pr.append(child)
        properties.append(num_pr)
    buffer = io.BytesIO()
    document.save(buffer)

    roadmap = parse_document(buffer.getvalue(), filename="plan.docx")

    section = roadmap.sections[0]
    assert (section.number, section.title) == ("1", plan.sections[0].title)
    assert [i.number for i in section.items] == ["1.1", "1.2", "1.3"]


def test_excel_vertically_merged_deadline_applies_to_each_item():
    plan = make_plan(sections=1, items=3)
    layout = Layout()
    data = write_xlsx(plan, layout)
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook["План"]
    first_item_row = next(
        row for row in range(1, sheet.max_row + 1) if sheet.cell(row, 1).value == "1.1."
    )
    sheet.cell(first_item_row, 3).value = "Март"
    sheet.merge_cells(
        start_row=first_item_row, start_column=3, end_row=first_item_row + 2, end_column=3
    )
    buffer = io.BytesIO()
    workbook.save(buffer)

    roadmap = parse_document(buffer.getvalue(), filename="plan.xlsx")

    assert [i.deadline_text for i in roadmap.sections[0].items] == ["Март", "Март", "Март"]
    assert [i.number for i in roadmap.sections[0].items] == ["1.1", "1.2", "1.3"]


def test_generated_plans_differ_from_the_samples():
    """A guard that the generator really exercises other shapes than the samples have."""
    plan = make_plan(style="roman", subsections=True)
    layout = replace(Layout(), columns=["title", "responsible", "number", "deadline"])
    roadmap = read(plan, layout, "docx")

    assert [s.number for s in roadmap.sections] == ["I", "II", "III"]
    assert found(roadmap) == expected(plan, layout)


def test_word_section_rows_with_the_number_apart_and_the_title_merged_over_the_rest():
    plan = make_plan(sections=2, items=2)
    document = Document()
    document.add_paragraph(plan.title)
    table = document.add_table(rows=1, cols=5)
    for cell, text in zip(table.rows[0].cells, header_rows(Layout())[0], strict=True):
        cell.text = text
    for kind, payload in walk(plan):
        cells = table.add_row().cells
        if kind == "section":
            number, _, title = payload.label.partition(" ")
            cells[0].text = number
            cells[1].merge(cells[4]).text = title
        else:
            for cell, text in zip(cells, cell_values(payload, Layout()), strict=True):
                cell.text = text.replace("\n", " ")
    buffer = io.BytesIO()
    document.save(buffer)

    roadmap = parse_document(buffer.getvalue(), filename="plan.docx")

    assert [(s.number, s.title, len(s.items)) for s in roadmap.sections] == [
        ("1", "Организационное сопровождение 1", 2),
        ("2", "Методическое сопровождение 2", 2),
    ]
    assert all(i.deadline_text in DEADLINES for i in roadmap.all_items())


def test_empty_numbered_rows_left_in_a_template_are_skipped():
    layout = Layout()
    lines = ["\t".join(header_rows(layout)[0])]
    lines += ["1.\tСовещание\tмарт\tИМЦ\tПротокол", "2.\t\t\t\t", "3.\t\t\t\t"]

    roadmap = parse_document("\n".join(lines).encode(), filename="plan.txt")

    assert [i.number for i in roadmap.all_items()] == ["1"]
