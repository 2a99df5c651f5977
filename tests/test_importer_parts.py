"""The small rules the importer is built from: parties, inline definitions, header columns,
title, period and approval."""

from datetime import date

import pytest

from roadmaps.importers.cleanup import clean_text, normalize_number, strip_html, strip_markdown
from roadmaps.importers.columns import Column, classify, is_column_numbers, recognize
from roadmaps.importers.parties import find_definitions, replace_definitions, split_parties
from roadmaps.importers.preamble import find_approval, find_period, find_title, parse_date

GLOSSARY = {"ИРОСО": "…", "ОМСУ": "…", "ГАОУ ДПО «ЛОИРО»": "…"}


@pytest.mark.parametrize(
    ("cell", "parties"),
    [
        ("ИРОСО, ОМСУ", ["ИРОСО", "ОМСУ"]),
        ("ИРОСО; ОМСУ", ["ИРОСО", "ОМСУ"]),
        ("ИРОСО\nОМСУ", ["ИРОСО", "ОМСУ"]),
        ("ИРОСО и ОМСУ", ["ИРОСО", "ОМСУ"]),
        ("ИРОСО ОМСУ", ["ИРОСО", "ОМСУ"]),
        ("ИМЦ ОО", ["ИМЦ", "ОО"]),
        ("ИМЦ, ОО", ["ИМЦ", "ОО"]),
        ("ОО 393", ["ОО 393"]),
        ("ОО района", ["ОО района"]),
        ("ИМЦ Кировского района", ["ИМЦ Кировского района"]),
        ("Лысенко С.Н. Руководители ОО", ["Лысенко С.Н.", "Руководители ОО"]),
        ("Лысенко С. Н., Петрова А.А.", ["Лысенко С.Н.", "Петрова А.А."]),
        ("И.И. Иванов", ["И.И. Иванов"]),
        (
            "заместитель директора по УВР Иванова И.И.",
            ["заместитель директора по УВР Иванова И.И."],
        ),
        ("ГАОУ ДПО «ЛОИРО» ОМСУ", ["ГАОУ ДПО «ЛОИРО»", "ОМСУ"]),
        ("КОиПО ЛО ГАОУ ДПО «ЛОИРО»", ["КОиПО ЛО", "ГАОУ ДПО «ЛОИРО»"]),
        ("МБОУ СОШ № 5, ИМЦ", ["МБОУ СОШ № 5", "ИМЦ"]),
        ("МАОУ «Гимназия № 1» ОМСУ", ["МАОУ «Гимназия № 1»", "ОМСУ"]),
        ("ОО (РИП)", ["ОО (РИП)"]),
        ("ОО- участники апробации", ["ОО- участники апробации"]),
        ("ОО участники апробации", ["ОО", "участники апробации"]),
        ("Министерство образования и науки", ["Министерство образования и науки"]),
        (
            "руководители и педагоги ОО, принимающих участие в проекте",
            ["руководители и педагоги ОО, принимающих участие в проекте"],
        ),
        ("– ИРОСО;\n– ОМСУ.", ["ИРОСО", "ОМСУ"]),
        ("ИРОСО, ИРОСО", ["ИРОСО"]),
        ("", []),
    ],
)
def test_responsible_cell_splits_into_parties(cell, parties):
    assert split_parties(cell, GLOSSARY) == parties


def test_a_definition_in_the_cell_names_the_party_by_its_abbreviation():
    cell = (
        "ГАОУ ДПО «ЛОИРО», органы местного самоуправления, осуществляющие управление в сфере "
        "образования (далее – ОМСУ), общеобразовательные организации"
    )

    assert split_parties(cell) == ["ГАОУ ДПО «ЛОИРО»", "ОМСУ", "общеобразовательные организации"]
    assert replace_definitions("Институт развития образования (далее - ИРО)") == "ИРО"


def test_a_known_multiword_abbreviation_is_never_cut():
    known = {"Центр «Точка роста»": "…"}

    assert split_parties("ИМЦ Центр «Точка роста»", known) == ["ИМЦ", "Центр «Точка роста»"]


@pytest.mark.parametrize(
    ("text", "definitions"),
    [
        (
            "Государственное автономное учреждение «Институт развития образования» (далее – ИРОСО)",
            [("ИРОСО", "Государственное автономное учреждение «Институт развития образования»")],
        ),
        (
            "ИМЦ, муниципальные методические службы (далее - ММС)",
            [("ММС", "муниципальные методические службы")],
        ),
        (
            "Организация деятельности региональных инновационных площадок (далее – РИП) на базе ОО",
            [("РИП", "региональных инновационных площадок")],
        ),
        (
            "Участники регионального методического актива (РМА)",
            [("РМА", "регионального методического актива")],
        ),
        ("согласно Приложению (далее - План)", []),  # a plain word, not an abbreviation
        ("руководители ОО (далее - образовательные организации)", []),
        ("ТОГИРРО МОУО ОО (РИП)", []),  # letters that spell nothing before them
        (
            "органы местного самоуправления, осуществляющие управление в сфере образования "
            "(далее – ОМСУ)",
            [
                (
                    "ОМСУ",
                    "органы местного самоуправления, осуществляющие управление в сфере образования",
                )
            ],
        ),
    ],
)
def test_inline_definitions(text, definitions):
    assert find_definitions(text) == definitions


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("№", Column.NUMBER),
        ("№ п/п", Column.NUMBER),
        ("Мероприятие", Column.TITLE),
        ("Наименование мероприятия", Column.TITLE),
        ("Содержание деятельности", Column.TITLE),
        ("Сроки", Column.DEADLINE),
        ("Срок исполнения", Column.DEADLINE),
        ("Сроки проведения мероприятия", Column.DEADLINE),
        ("Период реализации", Column.DEADLINE),
        ("Дата проведения", Column.DEADLINE),
        ("Ответственные", Column.RESPONSIBLE),
        ("Ответственный/исполнитель, соисполнители", Column.RESPONSIBLE),
        ("Исполнители", Column.RESPONSIBLE),
        ("Соисполнители", Column.RESPONSIBLE),
        ("Ответственные организаторы", Column.RESPONSIBLE),
        ("Ожидаемый результат", Column.RESULT),
        ("Ожидаемые документы, результаты", Column.RESULT),
        ("Результат исполнения мероприятия", Column.RESULT),
        ("Направление", Column.DIRECTION),
        ("Магистральное направление / ключевое условие", Column.DIRECTION),
        ("Примечание", None),
        ("Организация работы с родителями обучающихся по вопросам проекта", None),
    ],
)
def test_header_cells_are_read_by_meaning(text, column):
    assert classify(text) == column


def test_header_needs_an_activity_and_one_more_column():
    assert recognize(["№", "Мероприятие", "Ответственные"]) is not None
    assert recognize(["№", "Сроки", "Ответственные"]) is None
    assert recognize(["№", "Мероприятие", "Примечание"]) is None
    header = recognize(["Ответственный", "Мероприятие", "Соисполнители", "Срок"])
    assert header.columns[Column.RESPONSIBLE] == [0, 2]
    assert header.columns[Column.DEADLINE] == [3]


def test_column_numbers_row():
    assert is_column_numbers(["1", "2", "3", "4", "5"])
    assert is_column_numbers(["1.", "2.", "3."])
    assert not is_column_numbers(["1.1", "Совещание", "Март"])
    assert not is_column_numbers(["5", ""])


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("1.1.", "1.1"),
        ("1.1", "1.1"),
        ("4.6..", "4.6"),
        ("1", "1"),
        ("1)", "1"),
        ("", ""),
        ("I.", "I"),
    ],
)
def test_item_numbers_lose_trailing_dots(written, stored):
    assert normalize_number(written) == stored


def test_html_and_markdown_are_cleaned():
    text, bold = strip_html("<p>Текст&nbsp;раз</p> <ul><li>• один;</li><li>два</li></ul>")
    assert clean_text(text) == "Текст раз\n• один;\n• два"
    assert not bold
    assert strip_html("<b>1. Раздел</b>") == ("1. Раздел", True)
    assert strip_html("Доля <5% школ") == ("Доля <5% школ", False)
    assert strip_markdown("## **2. Раздел**") == ("2. Раздел", True, 2)
    assert clean_text("- первый\n— второй\n·третий") == "– первый\n– второй\n• третий"


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("План мероприятий на 2024 год", "2024"),
        ("План мероприятий в 2024 году", "2024"),
        ("План на 2024 г.", "2024"),
        ("в 2023/2024 учебном году", "2023/2024"),
        ("2023-2024 учебный год", "2023/2024"),
        ("на 2023-2024 уч. год", "2023/2024"),
        ("на 2023–24 учебный год", "2023/2024"),
        ("на 2024-2025 годы", "2024-01-01..2025-12-31"),
        ("Указ от 21.07.2020 № 474 «О национальных целях на период до 2030 года»", None),
        ("План без периода", None),
    ],
)
def test_period_from_the_heading(text, period):
    found = find_period(text)
    assert (str(found) if found else None) == period


def test_period_in_the_heading_wins_over_the_preamble():
    assert str(find_period("План в 2024 году", "Приказ от 2023 года, на 2023 год")) == "2024"
    assert str(find_period("План", "на 2025 год")) == "2025"


def test_title_is_the_plan_heading_joined_into_one_line():
    lines = [
        "Об утверждении плана мероприятий",
        "на 2024 год",
        "",
        "План мероприятий («дорожная карта»)",
        "по реализации проекта",
        "в районе в 2024 году",
        "Начальник отдела",
    ]

    assert find_title(lines) == (
        "План мероприятий («дорожная карта») по реализации проекта в районе в 2024 году",
        3,
    )
    assert find_title(["ПЛАН", "МЕРОПРИЯТИЙ ПО ПРОЕКТУ", "Текст"]) == (
        "ПЛАН МЕРОПРИЯТИЙ ПО ПРОЕКТУ",
        0,
    )
    assert find_title(["Без заголовка"]) == ("", None)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("26.09.2023", date(2023, 9, 26)),
        ("от 26.09.23 № 5", date(2023, 9, 26)),
        ("«15» января 2025 г.", date(2025, 1, 15)),
        ("3 мая 2024 года", date(2024, 5, 3)),
        ("«__» ________ 2024 г.", None),
        ("31.02.2024", None),
    ],
)
def test_dates_in_approvals(text, day):
    assert parse_date(text) == day


def test_approval_by_an_order_in_one_line():
    approval = find_approval(
        [
            "Утвержден распоряжением комитета общего и профессионального образования "
            "Ленинградской области от 26.09.2023 № 3.12-1331-р"
        ]
    )

    assert approval.kind == "распоряжение"
    assert approval.number == "3.12-1331-р"
    assert approval.date == date(2023, 9, 26)
    assert approval.issuer == "Комитет общего и профессионального образования Ленинградской области"


def test_approval_as_an_appendix_to_an_order():
    approval = find_approval(
        ["Приложение № 2", "к приказу Департамента образования", "от 01.09.2023 № 512-од"]
    )

    assert (approval.kind, approval.number, approval.date) == ("приказ", "512-од", date(2023, 9, 1))
    assert approval.issuer == "Департамент образования"
    assert (
        approval.text
        == "Приложение № 2\nк приказу Департамента образования\nот 01.09.2023 № 512-од"
    )


def test_approval_number_is_the_one_after_the_date():
    approval = find_approval(["УТВЕРЖДЕНО приказом директора МБОУ СОШ № 5 от 30.08.2024 № 112-о"])

    assert approval.number == "112-о"
    assert approval.issuer == "Директор МБОУ СОШ № 5"


def test_approval_signed_by_an_official():
    approval = find_approval(
        [
            "УТВЕРЖДАЮ",
            "Директор МАОУ «Лицей № 1»",
            "________________ /А.Б. Смирнова/",
            "«29» августа 2024 г.",
            "",
            "План мероприятий",
        ]
    )

    assert approval.kind == "утверждаю"
    assert approval.official_name == "А.Б. Смирнова"
    assert approval.official_position == "Директор МАОУ «Лицей № 1»"
    assert approval.issuer == "МАОУ «Лицей № 1»"
    assert approval.date == date(2024, 8, 29)


def test_approval_signature_with_the_name_on_the_position_line():
    approval = find_approval(["УТВЕРЖДАЮ:", "Начальник управления образования ______ Петров П.П."])

    assert approval.official_name == "Петров П.П."
    assert approval.official_position == "Начальник управления образования"
    assert approval.issuer == "Управление образования"


def test_no_approval_when_the_preamble_has_none():
    assert find_approval(["План мероприятий на 2024 год", "Руководителям ОО"]) is None
    assert find_approval(["Об утверждении плана мероприятий", "1. Утвердить План"]) is None
