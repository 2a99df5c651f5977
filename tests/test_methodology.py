"""The methodology format: loading, validation messages and the demonstration methodology."""

import copy
import json

import pytest
import yaml

from selfdiag.methodology import (
    DEMO_METHODOLOGY_PATH,
    EDUCATION_LEVELS,
    LEVELS,
    Applicability,
    MethodologyError,
    Option,
    Thresholds,
    level_label,
    load_demo_methodology,
    load_methodology,
    parse_methodology,
)

YES_NO = [
    {"code": "no", "label": "нет", "points": 0},
    {"code": "yes", "label": "да", "points": 1},
]


def make_data(**overrides):
    """A small valid methodology as plain data; tests break one thing at a time."""
    data = {
        "version": "test-1",
        "name": "Тестовая методика",
        "thresholds": {"mode": "share", "base": 0.5, "medium": 0.7, "high": 0.85},
        "option_sets": {"yes_no": YES_NO},
        "directions": [
            {
                "code": "znanie",
                "name": "Знание",
                "group": "direction",
                "thresholds": {"mode": "share", "base": 0.5, "medium": 0.7, "high": 0.85},
            },
            {
                "code": "sreda",
                "name": "Образовательная среда",
                "group": "condition",
                "thresholds": {"mode": "points", "base": 1, "medium": 2, "high": 3},
            },
        ],
        "indicators": [
            {
                "code": "Z1.1",
                "direction": "znanie",
                "wording": "Реализация федеральных рабочих программ по учебным предметам",
                "options": "yes_no",
                "critical": True,
            },
            {
                "code": "Z1.2",
                "direction": "znanie",
                "wording": "Реализация профильного обучения",
                "options": "yes_no",
                "applies_to": {"levels": ["СОО"]},
            },
            {
                "code": "S1",
                "direction": "sreda",
                "wording": "Использование ФГИС «Моя школа»",
                "options": [
                    {"code": "no", "label": "не используется", "points": 0},
                    {"code": "part", "label": "частично", "points": 1},
                    {"code": "all", "label": "всеми педагогами", "points": 3},
                ],
            },
        ],
    }
    data.update(overrides)
    return data


def errors_of(data):
    with pytest.raises(MethodologyError) as exc_info:
        parse_methodology(data)
    return exc_info.value.errors


def indicator(data, code):
    return next(item for item in data["indicators"] if item["code"] == code)


# Loading -------------------------------------------------------------------------------------


def test_valid_data_becomes_a_methodology_with_option_sets_resolved():
    methodology = parse_methodology(make_data())

    assert methodology.version == "test-1"
    assert [d.code for d in methodology.directions] == ["znanie", "sreda"]
    assert methodology.directions[1].thresholds == Thresholds("points", 1, 2, 3)
    first = methodology.indicator("Z1.1")
    assert first.critical is True
    assert first.options == (Option("no", "нет", 0), Option("yes", "да", 1))
    assert first.applies_to == Applicability()
    assert methodology.indicator("Z1.2").applies_to.levels == frozenset({"СОО"})
    assert methodology.indicator("S1").max_points == 3
    assert methodology.critical_caps_overall is True
    assert methodology.description == ""


def test_critical_caps_overall_can_be_switched_off_in_the_data():
    methodology = parse_methodology(make_data(critical_caps_overall=False))

    assert methodology.critical_caps_overall is False


def test_yaml_file_with_the_same_shape_gives_the_same_methodology(tmp_path):
    path = tmp_path / "methodology.yaml"
    path.write_text(yaml.safe_dump(make_data(), allow_unicode=True), encoding="utf-8")

    assert load_methodology(path) == parse_methodology(make_data())


def test_json_file_loads(tmp_path):
    path = tmp_path / "methodology.json"
    path.write_text(json.dumps(make_data(), ensure_ascii=False), encoding="utf-8")

    assert load_methodology(path) == parse_methodology(make_data())


def test_broken_json_file_is_reported_with_its_line(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "version": "x",\n  oops\n}', encoding="utf-8")

    with pytest.raises(MethodologyError) as exc_info:
        load_methodology(path)

    assert exc_info.value.errors[0].startswith("Файл broken.json: ошибка JSON в строке 3")


def test_file_of_unknown_format_is_refused(tmp_path):
    path = tmp_path / "methodology.xml"
    path.write_text("<x/>", encoding="utf-8")

    with pytest.raises(MethodologyError, match="неизвестный формат"):
        load_methodology(path)


def test_levels_are_ordered_from_lowest_with_russian_labels():
    assert list(LEVELS) == ["below_base", "base", "medium", "high"]
    assert list(LEVELS.values()) == ["ниже базового", "базовый", "средний", "высокий"]
    assert level_label("medium") == "средний"
    assert EDUCATION_LEVELS == ("НОО", "ООО", "СОО")


# Validation messages -------------------------------------------------------------------------


def test_indicator_with_undescribed_direction_is_reported():
    data = make_data()
    indicator(data, "Z1.2")["direction"] = "znanie2"

    assert "Показатель Z1.2: направление «znanie2» не описано в разделе directions" in errors_of(
        data
    )


def test_base_threshold_above_medium_is_reported_with_the_direction_name():
    data = make_data()
    data["directions"][0]["thresholds"] = {"mode": "share", "base": 0.8, "medium": 0.7, "high": 0.9}

    assert "Пороги направления «Знание»: базовый (0.8) выше среднего (0.7)" in errors_of(data)


def test_medium_threshold_above_high_is_reported():
    data = make_data()
    data["thresholds"] = {"mode": "share", "base": 0.5, "medium": 0.9, "high": 0.85}

    assert "Пороги методики в целом: средний (0.9) выше высокого (0.85)" in errors_of(data)


def test_share_threshold_above_one_is_reported():
    data = make_data()
    data["directions"][0]["thresholds"]["high"] = 85

    assert (
        "Пороги направления «Знание»: порог уровня «высокий» (85) — это доля от максимума, "
        "она должна быть от 0 до 1" in errors_of(data)
    )


def test_unknown_threshold_mode_is_reported():
    data = make_data()
    data["thresholds"]["mode"] = "percent"

    assert (
        "Пороги методики в целом: неизвестный режим «percent» (допустимы: share — доли от "
        "максимума, points — баллы)" in errors_of(data)
    )


def test_missing_threshold_level_is_reported():
    data = make_data()
    del data["directions"][1]["thresholds"]["medium"]

    assert (
        "Пороги направления «Образовательная среда»: не указан порог уровня «средний» "
        "(поле «medium»)" in errors_of(data)
    )


def test_points_threshold_that_no_school_can_reach_is_reported():
    data = make_data()
    data["directions"][1]["thresholds"]["high"] = 4

    assert (
        "Пороги направления «Образовательная среда»: высокий (4) больше максимально "
        "возможного числа баллов (3)" in errors_of(data)
    )


def test_duplicate_indicator_code_is_reported():
    data = make_data()
    indicator(data, "Z1.2")["code"] = "Z1.1"

    assert "Показатель Z1.1: код показателя повторяется (уже был у показателя №1)" in errors_of(
        data
    )


def test_duplicate_direction_code_is_reported():
    data = make_data()
    data["directions"][1]["code"] = "znanie"

    assert "Направление «Образовательная среда»: код направления «znanie» повторяется" in (
        errors_of(data)
    )


def test_duplicate_option_code_is_reported():
    data = make_data()
    indicator(data, "S1")["options"][2]["code"] = "part"

    assert "Показатель S1: код варианта ответа «part» повторяется" in errors_of(data)


def test_indicator_without_options_is_reported():
    data = make_data()
    indicator(data, "S1")["options"] = []

    assert "Показатель S1: нет ни одного варианта ответа" in errors_of(data)


def test_negative_points_are_reported_with_the_option():
    data = make_data()
    indicator(data, "S1")["options"][1]["points"] = -1

    assert "Показатель S1, вариант «part»: баллы не могут быть отрицательными (-1)" in errors_of(
        data
    )


def test_points_given_as_text_are_a_wrong_type():
    data = make_data()
    indicator(data, "S1")["options"][1]["points"] = "1"

    assert "Показатель S1, вариант «part»: баллы должны быть числом, а указано строка «1»" in (
        errors_of(data)
    )


def test_unknown_education_level_is_reported():
    data = make_data()
    indicator(data, "Z1.2")["applies_to"] = {"levels": ["НОО2"]}

    assert (
        "Показатель Z1.2: неизвестный уровень образования «НОО2» (допустимы: НОО, ООО, СОО)"
        in errors_of(data)
    )


def test_missing_required_field_is_reported():
    data = make_data()
    del indicator(data, "Z1.2")["wording"]

    assert "Показатель Z1.2: не указано обязательное поле «wording»" in errors_of(data)


def test_critical_given_as_text_is_a_wrong_type():
    data = make_data()
    indicator(data, "Z1.1")["critical"] = "да"

    assert (
        "Показатель Z1.1: поле «critical» должно быть логическим значением (true или false), "
        "а указано строка «да»" in errors_of(data)
    )


def test_misspelt_field_is_reported_rather_than_ignored():
    data = make_data()
    indicator(data, "Z1.2")["critcal"] = True

    assert "Показатель Z1.2: неизвестное поле «critcal»" in errors_of(data)


def test_unknown_option_set_is_reported():
    data = make_data()
    indicator(data, "Z1.1")["options"] = "yes_n"

    assert "Показатель Z1.1: набор вариантов «yes_n» не описан в разделе option_sets" in (
        errors_of(data)
    )


def test_unknown_direction_group_is_reported():
    data = make_data()
    data["directions"][0]["group"] = "key"

    assert (
        "Направление «Знание»: неизвестная группа «key» (допустимы: direction, condition)"
        in errors_of(data)
    )


def test_direction_code_must_be_a_latin_slug():
    data = make_data()
    data["directions"][0]["code"] = "Знание"
    for item in data["indicators"]:
        if item["direction"] == "znanie":
            item["direction"] = "Знание"

    assert any(
        e.startswith("Направление «Знание»: код «Знание» должен состоять из строчных латинских")
        for e in errors_of(data)
    )


def test_direction_without_indicators_is_reported():
    data = make_data()
    data["indicators"] = [i for i in data["indicators"] if i["direction"] != "sreda"]

    assert "Направление «Образовательная среда»: нет ни одного показателя" in errors_of(data)


def test_direction_asked_only_of_some_schools_is_reported():
    data = make_data()
    indicator(data, "S1")["applies_to"] = {"ovz": True}

    assert any(
        e.startswith("Направление «Образовательная среда»: нет ни одного показателя для всех школ")
        for e in errors_of(data)
    )


def test_critical_indicator_that_cannot_score_is_reported():
    data = make_data()
    indicator(data, "Z1.1")["options"] = [{"code": "x", "label": "x", "points": 0}]

    assert any(
        e.startswith("Показатель Z1.1: критический показатель должен иметь вариант ответа")
        for e in errors_of(data)
    )


def test_ovz_false_is_refused_as_ambiguous():
    data = make_data()
    indicator(data, "Z1.2")["applies_to"] = {"ovz": False}

    assert any(
        e.startswith("Показатель Z1.2: поле «applies_to.ovz» может быть только true")
        for e in errors_of(data)
    )


def test_indicator_without_code_is_named_by_its_number():
    data = make_data()
    del data["indicators"][1]["code"]

    assert "Показатель №2: не указано обязательное поле «code»" in errors_of(data)


def test_top_level_that_is_not_an_object_is_reported():
    assert errors_of(["not", "a", "methodology"]) == [
        "Методика: ожидается объект с полями, а указано список"
    ]


def test_every_mistake_is_reported_at_once():
    data = make_data()
    indicator(data, "Z1.1")["direction"] = "nowhere"
    indicator(data, "S1")["options"][0]["points"] = -2
    del data["version"]

    errors = errors_of(data)

    assert "Методика: не указано обязательное поле «version»" in errors
    assert "Показатель Z1.1: направление «nowhere» не описано в разделе directions" in errors
    assert "Показатель S1, вариант «no»: баллы не могут быть отрицательными (-2)" in errors


def test_error_text_lists_every_message_on_its_own_line():
    data = make_data()
    del data["name"]
    del data["version"]

    with pytest.raises(MethodologyError) as exc_info:
        parse_methodology(data)

    assert str(exc_info.value).splitlines() == exc_info.value.errors


def test_validator_does_not_change_the_data_it_reads():
    data = make_data()
    before = copy.deepcopy(data)

    parse_methodology(data)

    assert data == before


# The demonstration methodology ---------------------------------------------------------------


@pytest.fixture(scope="module")
def demo():
    return load_demo_methodology()


def test_demo_methodology_loads_and_says_it_is_a_demonstration(demo):
    assert DEMO_METHODOLOGY_PATH.name == "methodology-demo-2024.json"
    assert demo.version == "2024-demo"
    assert demo.name == (
        "Демонстрационная методика самодиагностики (на основе открытых материалов), версия 2024"
    )
    assert demo.description


def test_demo_methodology_has_the_eight_directions_in_official_order(demo):
    assert [(d.code, d.name, d.group) for d in demo.directions] == [
        ("znanie", "Знание", "direction"),
        ("zdorovie", "Здоровье", "direction"),
        ("tvorchestvo", "Творчество", "direction"),
        ("vospitanie", "Воспитание", "direction"),
        ("proforientatsiya", "Профориентация", "direction"),
        ("uchitel", "Учитель. Школьная команда", "condition"),
        ("klimat", "Школьный климат", "condition"),
        ("sreda", "Образовательная среда", "condition"),
    ]


def test_demo_methodology_has_between_90_and_120_indicators(demo):
    assert 90 <= len(demo.indicators) <= 120


def test_every_demo_direction_has_10_to_16_indicators_and_a_critical_one(demo):
    for direction in demo.directions:
        indicators = demo.indicators_of(direction.code)
        assert 10 <= len(indicators) <= 16, direction.name
        assert any(i.critical for i in indicators), direction.name


def test_demo_methodology_has_indicators_only_for_soo_and_only_for_ovz(demo):
    soo_only = [i for i in demo.indicators if i.applies_to.levels == frozenset({"СОО"})]
    ovz_only = [i for i in demo.indicators if i.applies_to.ovz]

    assert len(soo_only) >= 3
    assert len(ovz_only) >= 5
    assert any("профил" in i.wording for i in soo_only)
    assert any("адаптированных" in i.wording for i in ovz_only)


def test_demo_thresholds_are_shares_for_every_direction_and_overall(demo):
    assert demo.thresholds.mode == "share"
    assert all(d.thresholds.mode == "share" for d in demo.directions)


def test_demo_indicators_start_scales_at_zero_points(demo):
    for item in demo.indicators:
        assert min(o.points for o in item.options) == 0, item.code
        assert item.max_points > 0, item.code
