"""The three published roadmaps import with their exact structure, in every format they exist in.

Every number here was counted from the documents themselves (tests/fixtures/roadmaps/).
"""

import json
import re
from datetime import date
from pathlib import Path

import pytest

from roadmaps.importers import DocumentError, ParsedRoadmap, parse_document

FIXTURES = Path(__file__).parent / "fixtures" / "roadmaps"

KIROVSKY = ["spb-kirovsky-2024.txt", "spb-kirovsky-2024.docx", "spb-kirovsky-2024.xlsx"]
TYUMEN = ["tyumen-oblast-2024.txt", "tyumen-oblast-2024.docx", "tyumen-oblast-2024.xlsx"]
LENINGRAD = ["leningrad-oblast-2023-2024.txt"]


def load(name: str) -> ParsedRoadmap:
    return parse_document(FIXTURES / name)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def outline(roadmap: ParsedRoadmap) -> dict:
    """Everything a format could change, whitespace aside."""

    def section(s):
        return {
            "number": s.number,
            "title": squeeze(s.title),
            "items": [
                (
                    i.number,
                    squeeze(i.title),
                    squeeze(i.deadline_text),
                    i.responsible,
                    squeeze(i.result),
                )
                for i in s.items
            ],
            "sections": [section(child) for child in s.sections],
        }

    return {
        "title": roadmap.title,
        "period": roadmap.period,
        "approval": roadmap.approval,
        "glossary": roadmap.glossary,
        "sections": [section(s) for s in roadmap.sections],
    }


def find_item(roadmap: ParsedRoadmap, section_number: str, number: str):
    section = next(s for s in roadmap.sections if s.number == section_number)
    return next(i for i in section.items if i.number == number)


# --- Kirovsky district of Saint Petersburg, 2024 -----------------------------------------------


@pytest.mark.parametrize("name", KIROVSKY)
def test_kirovsky_plan_has_five_sections_and_twenty_items(name):
    roadmap = load(name)

    assert [(s.number, s.title, len(s.items)) for s in roadmap.sections] == [
        ("1", "Организационно-управленческое сопровождение", 8),
        ("2", "Научно-методическое сопровождение", 3),
        ("3", "Информационное сопровождение", 3),
        ("4", "Мониторинг реализации Проекта", 2),
        ("5", "Мероприятия, по диссеминации опыта работы ОО района", 4),
    ]
    assert all(not s.sections for s in roadmap.sections)
    assert len(list(roadmap.all_items())) == 20
    assert [i.number for i in roadmap.sections[3].items] == ["4.1", "4.2"]
    assert [i.number for i in roadmap.sections[4].items] == ["5.1", "5.2", "5.3", "5.4"]


@pytest.mark.parametrize("name", KIROVSKY)
def test_kirovsky_title_period_and_instructive_letter(name):
    roadmap = load(name)

    assert roadmap.title == (
        "План мероприятий («дорожная карта») по реализации проекта «Школа Минпросвещения "
        "России» в Кировском районе Санкт-Петербурга в 2024 году"
    )
    assert (roadmap.period.start, roadmap.period.end) == (date(2024, 1, 1), date(2024, 12, 31))
    approval = roadmap.approval
    assert approval.kind == "инструктивно-методическое письмо"
    assert approval.number == "231"
    assert approval.date == date(2024, 2, 29)
    assert approval.official_name == "Ю.В.Ступак"
    assert approval.official_position == "Начальник отдела образования"
    assert "ОТДЕЛ ОБРАЗОВАНИЯ" in approval.issuer
    assert "29.02.2024 № 231" in approval.text
    assert roadmap.glossary == {}
    assert roadmap.warnings == []


@pytest.mark.parametrize("name", KIROVSKY)
def test_kirovsky_items_keep_their_cells(name):
    roadmap = load(name)

    first = find_item(roadmap, "1", "1.1")
    assert first.title == (
        "Формирование перечня участников Проекта из числа государственных образовательных "
        "организаций Кировского района Санкт-Петербурга"
    )
    assert first.deadline_text == "Февраль-март"
    assert first.responsible == ["ИМЦ"]
    assert first.result == "Список образовательный организаций-участников Проекта"

    continued = find_item(roadmap, "1", "1.8")  # cut by a page break in the text export
    assert squeeze(continued.title) == (
        "Разработка необходимых изменений в программу развития ОО с учетом целевых "
        "ориентиров, магистральных направлений и ключевых условий проекта"
    )
    assert continued.deadline_text == "4 квартал"
    assert squeeze(continued.result) == (
        "Разработаны программы развития ОО на 2025 - 2028 годы с учетом магистральных "
        "направлений и ключевых условий Проекта"
    )
    assert squeeze(find_item(roadmap, "3", "3.3").title) == (
        "Совещание с управленческими командами ОО по результатам самодиагностики"
    )


@pytest.mark.parametrize(
    ("section", "number", "parties"),
    [
        ("1", "1.2", ["ИМЦ", "ОО"]),  # «ИМЦ ОО»: two known abbreviations
        ("1", "1.4", ["ИМЦ", "ОО"]),  # «ИМЦ, ОО»
        ("1", "1.8", ["ОО", "ИМЦ"]),  # order kept
        ("3", "3.3", ["АР", "ИМЦ"]),
        ("5", "5.1", ["ДДЮТ"]),
        ("5", "5.2", ["ИМЦ", "ЦДЮТТ"]),
        ("5", "5.3", ["ИМЦ", "ОО района"]),  # «ОО района» is one party
        ("5", "5.4", ["ОО 393"]),  # a school by its number
    ],
)
def test_kirovsky_responsible_cells_split_into_parties(section, number, parties):
    for name in KIROVSKY:
        assert find_item(load(name), section, number).responsible == parties, name


# --- Tyumen region, 2024 -----------------------------------------------------------------------


@pytest.mark.parametrize("name", TYUMEN)
def test_tyumen_plan_keeps_unnumbered_items_in_their_sections(name):
    roadmap = load(name)

    assert [(s.number, s.title, len(s.items)) for s in roadmap.sections] == [
        ("1", "Нормативно-правовое обеспечение", 2),
        ("2", "Организационное сопровождение", 15),
        ("3", "Научно-методическое сопровождение", 9),
        ("4", "Информационное сопровождение", 8),
        ("5", "Мониторинг сопровождения апробации и внедрения", 5),
    ]
    assert len(list(roadmap.all_items())) == 39
    assert [i.number for i in roadmap.sections[1].items] == [
        "",
        "",
        "2.1",
        "",
        "2.3",
        "2.4",
        "2.5",
        "2.6",
        "2.7",
        "2.8",
        "2.9",
        "",
        "",
        "",
        "",
    ]
    # «4.6..» in the document
    assert [i.number for i in roadmap.sections[3].items] == [
        "4.1",
        "4.2",
        "4.3",
        "4.4",
        "4.5",
        "4.6",
        "",
        "",
    ]


@pytest.mark.parametrize("name", TYUMEN)
def test_tyumen_title_period_glossary_and_no_approval(name):
    roadmap = load(name)

    assert roadmap.title == (
        "План мероприятий («дорожная карта») реализации проекта «Школа Минпросвещения России» "
        "в системе общего образования Тюменской области в 2024 году"
    )
    assert str(roadmap.period) == "2024"
    assert roadmap.approval is None
    assert roadmap.glossary == {
        "РМА": "регионального методического Актива",
        "РИП": "региональных инновационных площадок",
    }


@pytest.mark.parametrize("name", TYUMEN)
def test_tyumen_rows_cut_by_page_breaks_are_joined(name):
    roadmap = load(name)
    organisation = roadmap.sections[1]

    second = organisation.items[1]
    assert second.number == ""
    assert squeeze(second.result) == (
        "Информация/список о муниципальных координаторах. Сопровождение деятельности чата в "
        "Мессенджере"
    )
    item = find_item(roadmap, "3", "3.1")
    assert squeeze(item.title).endswith(
        "для муниципальных координаторов и управленческих команд общеобразовательных организаций"
    )
    assert item.responsible == [
        "ТОГИРРО",
        "МОУО",
        "ОО (РИП)",
        "РМА",
        "участники Единого регионального кадрового резерва руководителей ОО",
    ]
    last = roadmap.sections[2].items[-1]
    assert squeeze(last.title) == (
        "Обсуждение обновленного содержания «Настольной книги директора школы», "
        "просветительских видеороликов о Проекте на управленческих стажировочных площадках и "
        "школьных команд"
    )
    assert last.result == ""


@pytest.mark.parametrize(
    ("section", "number", "parties"),
    [
        ("1", "1.1", ["ДОиН ТО", "ТОГИРРО"]),  # a region's «ТО» qualifies the body before it
        ("1", "1.2", ["ДОиН ТО", "ТОГИРРО", "МОУО", "ММС", "ОО"]),
        (
            "2",
            "2.5",
            [
                "ТОГИРРО",
                "МОУО",
                "ОО",
                "участники Единого регионального кадрового резерва руководителей",
            ],
        ),
        ("2", "2.6", ["ТОГИРРО", "МОУО", "Участники регионального методического Актива (РМА)"]),
        ("2", "2.7", ["ТОГИРРО", "МОУО", "ОО (РИП)"]),
        ("3", "3.2", ["ТОГИРРО", "МОУО", "ОО- участники апробации проекта"]),
        ("3", "3.3", ["ТОГИРРО", "МОУО", "ОО (в том числе РИП)"]),
        ("3", "3.4", ["ТОГИРРО", "ЦНППМ"]),
    ],
)
def test_tyumen_responsible_cells_split_into_parties(section, number, parties):
    for name in TYUMEN:
        assert find_item(load(name), section, number).responsible == parties, name


def test_tyumen_deadlines_are_kept_as_written():
    roadmap = load("tyumen-oblast-2024.docx")
    organisation = roadmap.sections[1]

    assert organisation.items[0].deadline_text == "25.03.2024 Ноябрь"
    assert find_item(roadmap, "2", "2.4").deadline_text == (
        "в течение года в соответствии с государственным заданием"
    )
    assert find_item(roadmap, "4", "4.6").deadline_text == "1 квартал"


# --- Leningrad region, 2023/2024 ---------------------------------------------------------------


def test_leningrad_plan_has_subsections_with_restarting_numbers():
    roadmap = load("leningrad-oblast-2023-2024.txt")

    assert [(s.number, s.title, len(s.items)) for s in roadmap.sections] == [
        ("1", "Организационно-управленческое сопровождение", 10),
        ("2", "Научно-методическое сопровождение", 0),
        ("3", "Информационное сопровождение", 2),
    ]
    assert [(s.number, s.title, len(s.items)) for s in roadmap.sections[1].sections] == [
        ("2.1", "Мероприятия по повышению квалификации руководящих и педагогических кадров", 4),
        ("2.2", "Постояннодействующий семинар проекта «Школа Минпросвещения России»", 1),
        ("2.3", "Мероприятия по организации деятельности стажировочных площадок", 3),
    ]
    assert [i.number for i in roadmap.sections[0].items] == [str(n) for n in range(1, 11)]
    assert [i.number for i in roadmap.sections[1].sections[0].items] == ["1", "2", "3", "4"]
    assert len(list(roadmap.all_items())) == 20


def test_leningrad_title_period_and_approval():
    roadmap = load("leningrad-oblast-2023-2024.txt")

    assert roadmap.title == (
        "План мероприятий («Дорожная карта») по сопровождению общеобразовательных организаций "
        "в рамках реализации проекта «Школа Минпросвещения России» в Ленинградской области в "
        "2023-2024 учебном году"
    )
    assert (roadmap.period.start, roadmap.period.end) == (date(2023, 9, 1), date(2024, 8, 31))
    approval = roadmap.approval
    assert approval.kind == "утверждаю"
    assert approval.official_name == "И.А. Голубев"
    assert approval.official_position == (
        "первый заместитель председателя комитета общего и профессионального образования "
        "Ленинградской области"
    )
    assert approval.issuer == "Комитет общего и профессионального образования Ленинградской области"
    assert approval.text.startswith("УТВЕРЖДАЮ\n")
    assert approval.number == ""
    assert approval.date is None


def test_leningrad_glossary_comes_from_inline_definitions():
    roadmap = load("leningrad-oblast-2023-2024.txt")

    assert roadmap.glossary == {
        "ГАОУ ДПО «ЛОИРО»": (
            "Государственное автономное образовательное учреждение дополнительного "
            "профессионального образования «Ленинградский областной институт развития "
            "образования»"
        ),
        "ОМСУ": (
            "органы местного самоуправления Ленинградской области, осуществляющие управление в "
            "сфере образования"
        ),
        "ММС": "муниципальные методические службы",
    }


def test_leningrad_html_lists_become_bullet_lines():
    roadmap = load("leningrad-oblast-2023-2024.txt")
    courses = roadmap.sections[1].sections[0].items[0]

    lines = courses.title.split("\n")
    assert lines[0] == (
        "Организация и проведение курсов повышения квалификации для руководящих и "
        "педагогических кадров, управленческих команд школ-участников Проекта"
    )
    assert len(lines) == 7
    assert lines[1] == "• магистральные направления проекта «Школа Минпросвещения России»;"
    assert all(line.startswith("• ") for line in lines[1:])
    assert "<" not in courses.title
    assert courses.deadline_text == "Сентябрь 2023 г.- июнь 2024 г. (5 групп)"


def test_leningrad_rows_continued_after_a_page_break_join_their_item():
    roadmap = load("leningrad-oblast-2023-2024.txt")

    plan = roadmap.sections[0].items[3]
    assert plan.title == (
        "Актуализация и утверждение плана мероприятий («дорожная карта») по сопровождению "
        "общеобразовательных организаций в рамках реализации Проекта в Ленинградской области "
        "на 2022–2024 год"
    )
    assert plan.responsible == ["КОиПО ЛО", "ГАОУ ДПО «ЛОИРО»"]

    seminar = roadmap.sections[1].sections[1].items[0]
    lines = seminar.title.split("\n")
    assert len(lines) == 12  # the heading and eleven bullets, the eighth cut by the page
    assert lines[8] == (
        "• Расширение возможностей для развития творческих способностей обучающихся через "
        "создание школьного творческого пространства;"
    )
    calendar = roadmap.sections[1].sections[0].items[2]
    assert calendar.responsible == ["ГАОУ ДПО «ЛОИРО»", "ММС"]
    assert roadmap.sections[2].items[0].result.endswith("официальных сайтах и в социальных сетях")


@pytest.mark.parametrize(
    ("number", "parties"),
    [
        (
            "1",
            ["ГАОУ ДПО «ЛОИРО»"],
        ),  # defined inline: «Государственное … (далее - ГАОУ ДПО «ЛОИРО»)»
        ("5", ["КОиПО ЛО", "ГАОУ ДПО «ЛОИРО»", "ОМСУ", "общеобразовательные организации"]),
        ("6", ["ГАОУ ДПО «ЛОИРО»", "КОиПО ЛО", "ОМСУ", "общеобразовательные организации"]),
        ("7", ["КОиПО ЛО", "ГАОУ ДПО «ЛОИРО»"]),
        ("9", ["ГАОУ ДПО «ЛОИРО»", "ММС"]),
        ("10", ["КОиПО ЛО", "ГАОУ ДПО «ЛОИРО»", "ОМСУ"]),
    ],
)
def test_leningrad_responsible_cells_split_into_parties(number, parties):
    assert find_item(load("leningrad-oblast-2023-2024.txt"), "1", number).responsible == parties


# --- the same plan in every format -------------------------------------------------------------


@pytest.mark.parametrize("names", [KIROVSKY, TYUMEN], ids=["kirovsky", "tyumen"])
def test_text_word_and_excel_versions_give_the_same_plan(names):
    text, word, excel = (outline(load(name)) for name in names)

    assert word == text
    assert excel == text


# --- the --dry-run --json contract -------------------------------------------------------------


def test_json_has_the_documented_shape():
    data = load("spb-kirovsky-2024.docx").to_json()
    json.dumps(data)  # plain JSON all the way down

    assert set(data) == {"title", "period", "approval", "sections", "glossary", "warnings"}
    assert data["period"] == {"start": "2024-01-01", "end": "2024-12-31"}
    assert data["approval"]["date"] == "2024-02-29"
    assert data["approval"]["number"] == "231"
    section = data["sections"][0]
    assert set(section) == {"number", "title", "sections", "items"}
    item = section["items"][0]
    assert set(item) == {"number", "title", "deadline", "responsible", "result"}
    assert item["deadline"] == {
        "text": "Февраль-март",
        "kind": "dates",
        "start": "2024-02-01",
        "end": "2024-03-31",
    }
    assert item["responsible"] == ["ИМЦ"]


def test_json_of_an_academic_year_plan_reads_deadlines_in_that_year():
    data = load("leningrad-oblast-2023-2024.txt").to_json()

    assert data["period"] == {"start": "2023-09-01", "end": "2024-08-31"}
    assert data["approval"]["kind"] == "утверждаю"
    first = data["sections"][0]["items"][0]["deadline"]
    assert first == {
        "text": "Сентябрь 2023 г.",
        "kind": "dates",
        "start": "2023-09-01",
        "end": "2023-09-30",
    }
    subsection = data["sections"][1]["sections"][0]
    assert subsection["number"] == "2.1"
    assert subsection["items"][1]["deadline"]["kind"] == "continuous"
    assert data["glossary"]["ММС"] == "муниципальные методические службы"


def test_json_without_a_period_still_parses_deadlines():
    roadmap = load("tyumen-oblast-2024.txt")
    roadmap.period = None

    data = roadmap.to_json()

    assert data["period"] == {"start": None, "end": None}
    assert data["approval"] is None
    first = data["sections"][0]["items"][0]["deadline"]
    assert first["start"] == "2024-01-01"  # «январь» in the year the deadlines name


def test_sample_files_parse_from_an_open_file_and_from_bytes():
    path = FIXTURES / "spb-kirovsky-2024.xlsx"
    with path.open("rb") as handle:
        from_file = parse_document(handle)
    from_bytes = parse_document(path.read_bytes(), filename="plan.xlsx")

    assert outline(from_file) == outline(from_bytes) == outline(load(path.name))


def test_a_file_named_as_the_wrong_office_format_is_read_as_what_it_is():
    data = (FIXTURES / "tyumen-oblast-2024.xlsx").read_bytes()

    roadmap = parse_document(data, filename="plan.docx")

    assert len(list(roadmap.all_items())) == 39


def test_document_error_is_what_bad_input_raises():
    with pytest.raises(DocumentError):
        parse_document(b"", filename="plan.txt")


# --- hand-made plans (tests/fixtures/roadmaps/, Word and Excel ones from make_handmade.py) -------


def test_regional_word_plan_with_layout_table_two_row_header_and_glossary_table():
    roadmap = load("regional-plan-2025.docx")

    assert roadmap.title == (
        "ПЛАН МЕРОПРИЯТИЙ («дорожная карта») по реализации проекта «Школа Минпросвещения "
        "России» в общеобразовательных организациях Энской области на 2025 год"
    )
    assert str(roadmap.period) == "2025"
    approval = roadmap.approval
    assert (approval.kind, approval.official_name, approval.date) == (
        "утверждаю",
        "В.В. Васильев",
        date(2025, 1, 15),
    )
    assert approval.official_position == "Министр образования и науки Энской области"
    assert approval.issuer == "Министерство образования и науки Энской области"
    assert list(roadmap.glossary) == ["МОН ЭО", "ИРОСО", "ОМСУ", "ИМЦ", "ОО"]
    assert roadmap.glossary["ИМЦ"] == "Информационно-методический центр"

    first, second = roadmap.sections
    assert (first.number, first.title, first.items) == ("1", "Нормативное обеспечение", [])
    assert [(s.number, s.title, [i.number for i in s.items]) for s in first.sections] == [
        ("1.1", "Региональный уровень", ["1", "2"]),
        ("1.2", "Муниципальный уровень", ["1", "2"]),
    ]
    recommendations = first.sections[0].items[1]
    assert recommendations.title == (
        "Подготовка методических рекомендаций:\n– по программам развития;\n– по самодиагностике"
    )
    # One deadline cell merged over two items belongs to both.
    assert [i.deadline_text for i in first.sections[1].items] == ["в течение года"] * 2
    assert first.sections[0].items[0].responsible == ["МОН ЭО"]
    assert [i.number for i in second.items] == ["2.1", "", "2.2"]
    assert [i.responsible for i in second.items] == [
        ["Лысенко С.Н.", "Руководители ОО"],
        ["ИРОСО", "ОМСУ"],
        ["ИРОСО", "МБОУ СОШ № 7"],
    ]
    assert roadmap.warnings == []


def test_school_excel_plan_with_glossary_sheet_and_directions():
    roadmap = load("school-plan-2023-2024.xlsx")

    assert str(roadmap.period) == "2023/2024"
    assert roadmap.title.startswith("План мероприятий («дорожная карта») школы № 393 по реализации")
    approval = roadmap.approval
    assert (approval.kind, approval.number, approval.date, approval.issuer) == (
        "распоряжение",
        "3.12-1331-р",
        date(2023, 9, 26),
        "Комитет по образованию",
    )
    assert roadmap.glossary == {
        "ЗДУВР": "заместитель директора по учебно-воспитательной работе",
        "ЗДВР": "заместитель директора по воспитательной работе",
        "ВсОШ": "всероссийская олимпиада школьников",
    }
    knowledge, upbringing = roadmap.sections
    assert [(i.number, i.deadline_text) for i in knowledge.items] == [
        ("1.1", "03.11.2023"),  # a date cell
        ("1.2", "сентябрь – октябрь"),
    ]
    assert knowledge.items[0].responsible == ["Директор", "заместители директора"]
    parents = upbringing.sections[0]  # an unnumbered bold row inside a numbered section
    assert (parents.number, parents.title) == ("", "Мероприятия совместно с родителями")
    assert parents.items[0].directions == ["Воспитание", "Школьный климат"]
    assert parents.items[1].result == ""


def test_school_markdown_plan_with_pipe_tables_and_headings():
    roadmap = load("school-plan-2024-2025.md")

    assert str(roadmap.period) == "2024/2025"
    assert roadmap.approval.kind == "приказ"
    assert roadmap.approval.number == "112-о"
    assert roadmap.approval.date == date(2024, 8, 30)
    directions, conditions = roadmap.sections
    assert (directions.number, directions.title) == ("I", "Магистральные направления")
    assert [(s.number, s.title, len(s.items)) for s in directions.sections] == [
        ("1", "Знание", 2),
        ("2", "Здоровье", 2),
    ]
    olympiad = directions.sections[0].items[1]
    assert olympiad.title == "Участие в ВсОШ:\n– школьный этап;\n– муниципальный этап"
    assert directions.sections[0].items[0].title == (
        "Внедрение единых рабочих программ по учебным предметам"
    )
    assert directions.sections[1].items[1].directions == ["Здоровье", "Воспитание"]
    assert [i.number for i in conditions.items] == ["", "1"]
    assert conditions.items[1].responsible == ["Сидоров С.С.", "Администратор сайта"]
    assert roadmap.glossary == {
        "ШСК": "школьного спортивного клуба",
        "ОО": "общеобразовательная организация",
        "ШМО": "школьные методические объединения",
        "ВсОШ": "Всероссийская олимпиада школьников",
    }


def test_municipal_tsv_plan_in_windows_1251_with_co_executors():
    roadmap = load("municipal-plan-2024-cp1251.tsv")

    assert roadmap.title == (
        "ПЛАН МЕРОПРИЯТИЙ («ДОРОЖНАЯ КАРТА») ПО РЕАЛИЗАЦИИ ПРОЕКТА «ШКОЛА МИНПРОСВЕЩЕНИЯ "
        "РОССИИ» В ЭНСКОМ МУНИЦИПАЛЬНОМ РАЙОНЕ НА 2024 ГОД"
    )
    assert str(roadmap.period) == "2024"
    approval = roadmap.approval
    assert (approval.kind, approval.number, approval.date) == (
        "распоряжение",
        "15-р",
        date(2024, 1, 12),
    )
    assert approval.issuer == "Управление образования администрации Энского муниципального района"
    assert [(s.number, s.title, len(s.items)) for s in roadmap.sections] == [
        ("I", "Организационные мероприятия", 3),
        ("II", "Методическое сопровождение", 2),
    ]
    organisation, method = roadmap.sections
    # «Ответственный исполнитель» and «Соисполнители» make one ordered list.
    assert organisation.items[0].responsible == ["УО", "ИМЦ"]
    assert organisation.items[2].responsible == ["УО", "ИМЦ", "руководители ОО"]
    assert method.items[0].responsible == ["ИМЦ", "МБОУ СОШ № 1", "МБОУ «Гимназия № 2»"]
    # A quoted cell with a line break, as Excel writes tab-separated text.
    assert method.items[1].title == 'Семинар "Школьный климат"\nдля заместителей директоров'
    assert method.items[1].deadline_text == "октябрь"
    assert roadmap.glossary == {
        "УО": "Управление образования администрации Энского муниципального района",
        "ИМЦ": "муниципальное казённое учреждение «Информационно-методический центр»",
        "ОО": "общеобразовательные организации",
    }
