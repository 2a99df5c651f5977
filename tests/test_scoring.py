"""Scoring of self-diagnosis answers, checked against hand-computed results."""

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from selfdiag.methodology import (
    LEVEL_RANK,
    LEVELS,
    Thresholds,
    load_demo_methodology,
    parse_methodology,
)
from selfdiag.scoring import (
    CompiledMethodology,
    Deficit,
    SchoolProfile,
    compile_methodology,
    score,
)


def scale(*points):
    return [{"code": str(p), "label": f"{p} б.", "points": p} for p in points]


YES_NO_2 = [
    {"code": "no", "label": "нет", "points": 0},
    {"code": "yes", "label": "да", "points": 2},
]


def make_methodology(**overrides):
    """Two directions; indicators deliberately interleaved in the file to test ordering.

    For a school with ООО only and no ОВЗ: «Знание» = K2 (0..3) + K1 (0/2, critical), max 5;
    «Среда» = S1 (0/2) + S2 (0..3, critical), max 5; total max 10. K3 (0/5) only for СОО,
    K4 (0/2) only for schools with ОВЗ.
    """
    data = {
        "version": "tiny",
        "name": "Маленькая методика для тестов",
        "thresholds": {"mode": "share", "base": 0.5, "medium": 0.7, "high": 0.85},
        "directions": [
            {
                "code": "znanie",
                "name": "Знание",
                "group": "direction",
                "thresholds": {"mode": "share", "base": 0.5, "medium": 0.7, "high": 0.9},
            },
            {
                "code": "sreda",
                "name": "Образовательная среда",
                "group": "condition",
                "thresholds": {"mode": "points", "base": 2, "medium": 3, "high": 4},
            },
        ],
        "indicators": [
            {"code": "S1", "direction": "sreda", "wording": "Есть Wi-Fi", "options": YES_NO_2},
            {
                "code": "K2",
                "direction": "znanie",
                "wording": "Олимпиады",
                "options": scale(0, 1, 2, 3),
            },
            {
                "code": "K1",
                "direction": "znanie",
                "wording": "Федеральные рабочие программы",
                "options": YES_NO_2,
                "critical": True,
            },
            {
                "code": "K3",
                "direction": "znanie",
                "wording": "Профильные классы",
                "options": [
                    {"code": "no", "label": "нет", "points": 0},
                    {"code": "yes", "label": "да", "points": 5},
                ],
                "applies_to": {"levels": ["СОО"]},
            },
            {
                "code": "S2",
                "direction": "sreda",
                "wording": "ФГИС «Моя школа»",
                "options": scale(0, 1, 2, 3),
                "critical": True,
            },
            {
                "code": "K4",
                "direction": "znanie",
                "wording": "Адаптированные программы",
                "options": YES_NO_2,
                "applies_to": {"ovz": True},
            },
        ],
    }
    data.update(overrides)
    return parse_methodology(data)


TINY = make_methodology()
OOO = SchoolProfile(levels=frozenset({"ООО"}), has_ovz=False)
FULL_MARKS_OOO = {"K1": "yes", "K2": "3", "S1": "yes", "S2": "3"}


def test_full_marks_give_high_level_everywhere_and_no_deficits():
    result = score(TINY, OOO, FULL_MARKS_OOO)

    assert (result.total_points, result.max_points, result.share) == (10, 10, 1.0)
    assert result.level == "high"
    assert [(d.direction, d.points, d.max_points, d.level) for d in result.directions] == [
        ("znanie", 5, 5, "high"),
        ("sreda", 5, 5, "high"),
    ]
    assert result.deficits == ()
    assert result.unanswered == ()


def test_soo_only_indicator_does_not_count_for_a_school_without_soo():
    result = score(TINY, OOO, {**FULL_MARKS_OOO, "K3": "yes"})

    assert result.direction("znanie").max_points == 5
    assert result.direction("znanie").points == 5
    assert result.max_points == 10


def test_soo_only_indicator_counts_for_a_school_that_teaches_soo_among_others():
    school = SchoolProfile(levels=frozenset({"ООО", "СОО"}), has_ovz=False)

    result = score(TINY, school, FULL_MARKS_OOO)

    assert result.direction("znanie").max_points == 10
    assert result.direction("znanie").share == 0.5
    assert result.direction("znanie").level == "base"
    assert result.unanswered == ("K3",)


def test_ovz_indicator_counts_only_for_a_school_with_ovz_pupils():
    school = SchoolProfile(levels=frozenset({"ООО"}), has_ovz=True)

    with_ovz = score(TINY, school, {**FULL_MARKS_OOO, "K4": "yes"})
    without_ovz = score(TINY, OOO, {**FULL_MARKS_OOO, "K4": "yes"})

    assert with_ovz.direction("znanie").max_points == 7
    assert with_ovz.max_points == 12
    assert without_ovz.max_points == 10


def test_profile_accepts_levels_as_a_list():
    assert SchoolProfile(levels=["НОО", "ООО"], has_ovz=False).levels == frozenset({"НОО", "ООО"})


def test_critical_indicator_with_zero_points_caps_its_direction_and_the_school():
    # Знание: 0 + 3 = 3 of 5 (0.6, base by points), but K1 is critical and at zero.
    # Total 8 of 10 (0.8) would be medium.
    result = score(TINY, OOO, {**FULL_MARKS_OOO, "K1": "no"})

    znanie = result.direction("znanie")
    assert (znanie.points, znanie.share, znanie.level) == (3, 0.6, "below_base")
    assert znanie.capped_by_critical is True
    assert result.direction("sreda").capped_by_critical is False
    assert result.direction("sreda").level == "high"
    assert result.total_points == 8
    assert result.level == "below_base"
    assert result.capped_by_critical is True


def test_overall_cap_can_be_switched_off_by_the_methodology():
    methodology = make_methodology(critical_caps_overall=False)

    result = score(methodology, OOO, {**FULL_MARKS_OOO, "K1": "no"})

    assert result.direction("znanie").level == "below_base"
    assert result.level == "medium"
    assert result.capped_by_critical is False


def test_unanswered_critical_indicator_caps_like_a_zero():
    answers = dict(FULL_MARKS_OOO)
    del answers["S2"]

    result = score(TINY, OOO, answers)

    assert result.direction("sreda").level == "below_base"
    assert result.direction("sreda").capped_by_critical is True
    assert result.unanswered == ("S2",)


@pytest.mark.parametrize(
    ("points", "level"),
    [
        (0, "below_base"),
        (4.999, "below_base"),
        (5, "base"),
        (6.999, "base"),
        (7, "medium"),
        (8.999, "medium"),
        (9, "high"),
        (10, "high"),
    ],
)
def test_share_thresholds_are_reached_exactly_at_their_edges(points, level):
    # 0.7 * 10 is 7.000000000000001 in floating point: 7 points must still be «средний».
    thresholds = Thresholds("share", 0.5, 0.7, 0.9)

    assert thresholds.level_for(points, 10) == level


def test_fractional_points_summed_in_floating_point_still_reach_their_edge():
    # 0.7 + 0.1 == 0.7999999999999999 in binary floating point.
    assert Thresholds("points", 0.8, 1, 2).level_for(0.7 + 0.1, 2) == "base"


def test_share_of_one_half_gives_base_and_just_below_gives_below_base_in_a_direction():
    methodology = parse_methodology(
        {
            "version": "edge",
            "name": "Края порогов",
            "thresholds": {"mode": "share", "base": 0.5, "medium": 0.7, "high": 0.85},
            "directions": [
                {
                    "code": "znanie",
                    "name": "Знание",
                    "group": "direction",
                    "thresholds": {"mode": "share", "base": 0.5, "medium": 0.7, "high": 0.85},
                }
            ],
            "indicators": [
                {
                    "code": "X",
                    "direction": "znanie",
                    "wording": "Показатель с дробными баллами",
                    "options": [
                        {"code": "low", "label": "чуть меньше половины", "points": 4.999},
                        {"code": "half", "label": "половина", "points": 5},
                        {"code": "seven", "label": "семь", "points": 7},
                        {"code": "top", "label": "всё", "points": 10},
                    ],
                }
            ],
        }
    )
    school = SchoolProfile(levels=frozenset({"НОО"}), has_ovz=False)

    def level(option):
        result = score(methodology, school, {"X": option})
        return result.direction("znanie").level, result.level

    assert level("half") == ("base", "base")
    assert level("low") == ("below_base", "below_base")
    assert level("seven") == ("medium", "medium")
    assert level("top") == ("high", "high")


@pytest.mark.parametrize(
    ("s1", "s2", "points", "level"),
    [
        ("no", "1", 1, "below_base"),
        ("no", "2", 2, "base"),
        ("yes", "1", 3, "medium"),
        ("yes", "2", 4, "high"),
        ("yes", "3", 5, "high"),
    ],
)
def test_points_thresholds_compare_plain_points(s1, s2, points, level):
    result = score(TINY, OOO, {**FULL_MARKS_OOO, "S1": s1, "S2": s2})

    assert result.direction("sreda").points == points
    assert result.direction("sreda").level == level


@pytest.mark.parametrize(
    ("answers", "total", "level"),
    [
        ({"K1": "yes", "K2": "1", "S1": "yes", "S2": "1"}, 6, "base"),
        ({"K1": "yes", "K2": "1", "S1": "yes", "S2": "2"}, 7, "medium"),
        ({"K1": "yes", "K2": "2", "S1": "yes", "S2": "2"}, 8, "medium"),
        ({"K1": "yes", "K2": "2", "S1": "yes", "S2": "3"}, 9, "high"),
        ({"K1": "yes", "K2": "0", "S1": "no", "S2": "2"}, 4, "below_base"),
    ],
)
def test_overall_level_comes_from_total_points_and_overall_thresholds(answers, total, level):
    result = score(TINY, OOO, answers)

    assert result.total_points == total
    assert result.share == total / 10
    assert result.level == level


def test_deficits_list_critical_ones_first_then_by_direction_and_indicator_order():
    result = score(TINY, OOO, {"K1": "no", "K2": "1", "S1": "no", "S2": "2"})

    assert result.deficits == (
        Deficit("K1", "znanie", 0, 2, True, "Федеральные рабочие программы"),
        Deficit("S2", "sreda", 2, 3, True, "ФГИС «Моя школа»"),
        Deficit("K2", "znanie", 1, 3, False, "Олимпиады"),
        Deficit("S1", "sreda", 0, 2, False, "Есть Wi-Fi"),
    )


def test_unanswered_indicators_count_as_zero_and_are_listed_in_methodology_order():
    result = score(TINY, OOO, {"K2": ""})

    assert result.unanswered == ("K2", "K1", "S1", "S2")
    assert result.total_points == 0
    assert result.level == "below_base"
    assert len(result.deficits) == 4


def test_answers_to_unknown_or_inapplicable_indicators_are_ignored():
    result = score(TINY, OOO, {**FULL_MARKS_OOO, "K3": "yes", "K4": "yes", "NOPE": "yes"})

    assert result.total_points == 10
    assert result.unanswered == ()
    assert result.invalid == ()


def test_unknown_option_code_counts_as_zero_and_is_reported_as_invalid():
    result = score(TINY, OOO, {**FULL_MARKS_OOO, "K2": "7"})

    assert result.invalid == ("K2",)
    assert result.unanswered == ()
    assert result.direction("znanie").points == 2
    assert result.deficits == (Deficit("K2", "znanie", 0, 3, False, "Олимпиады"),)


def test_compiled_methodology_scores_the_same_and_is_cached():
    compiled = compile_methodology(TINY)

    assert isinstance(compiled, CompiledMethodology)
    assert compile_methodology(TINY) is compiled
    assert compile_methodology(compiled) is compiled
    assert score(compiled, OOO, FULL_MARKS_OOO) == score(TINY, OOO, FULL_MARKS_OOO)


# The demonstration methodology and properties ------------------------------------------------

DEMO = load_demo_methodology()
DEMO_COMPILED = compile_methodology(DEMO)
ALL_CODES = [i.code for i in DEMO.indicators]
ALL_OPTION_CODES = sorted({o.code for i in DEMO.indicators for o in i.options})

profiles = st.builds(
    SchoolProfile,
    levels=st.frozensets(st.sampled_from(["НОО", "ООО", "СОО", "ДО"])),
    has_ovz=st.booleans(),
)


def test_demo_school_with_full_marks_is_high_with_no_deficits():
    school = SchoolProfile(levels=frozenset({"НОО", "ООО", "СОО"}), has_ovz=True)
    answers = {i.code: max(i.options, key=lambda o: o.points).code for i in DEMO.indicators}

    result = score(DEMO, school, answers)

    assert result.level == "high"
    assert result.share == 1.0
    assert result.deficits == ()
    assert [d.direction for d in result.directions] == [d.code for d in DEMO.directions]


@settings(max_examples=200, deadline=None)
@given(
    profile=profiles,
    answers=st.dictionaries(
        st.sampled_from(ALL_CODES) | st.text(max_size=5),
        st.sampled_from(ALL_OPTION_CODES) | st.text(max_size=5),
    ),
)
def test_score_never_raises_and_stays_within_bounds_for_random_answers(profile, answers):
    result = score(DEMO, profile, answers)

    assert 0 <= result.total_points <= result.max_points
    assert 0.0 <= result.share <= 1.0
    assert result.level in LEVELS
    assert len(result.directions) == 8
    for direction in result.directions:
        assert 0 <= direction.points <= direction.max_points
        assert direction.level in LEVELS
    assert len(set(result.unanswered) | set(result.invalid)) == len(result.unanswered) + len(
        result.invalid
    )


@settings(max_examples=100, deadline=None)
@given(profile=profiles, rnd=st.randoms(use_true_random=False))
def test_more_points_never_give_a_lower_level(profile, rnd):
    """B answers every indicator at least as well as A, so no level of B may be lower.

    Raising points can only lift a critical cap, never add one, so this holds with caps too.
    """
    lower, higher = {}, {}
    for item in DEMO.indicators:
        options = sorted(item.options, key=lambda o: o.points)
        # -1 leaves the indicator unanswered, which is worth as little as the lowest option.
        first, second = rnd.randint(-1, len(options) - 1), rnd.randint(-1, len(options) - 1)
        for answers, pick in ((lower, min(first, second)), (higher, max(first, second))):
            if pick >= 0:
                answers[item.code] = options[pick].code

    a = score(DEMO_COMPILED, profile, lower)
    b = score(DEMO_COMPILED, profile, higher)

    assert b.total_points >= a.total_points
    assert LEVEL_RANK[b.level] >= LEVEL_RANK[a.level]
    for da, db in zip(a.directions, b.directions, strict=True):
        assert db.points >= da.points
        assert LEVEL_RANK[db.level] >= LEVEL_RANK[da.level]


@given(
    base=st.floats(0, 1),
    medium=st.floats(0, 1),
    high=st.floats(0, 1),
    maximum=st.integers(1, 200),
    points=st.integers(0, 200),
    extra=st.integers(0, 200),
)
def test_thresholds_level_is_monotone_in_points(base, medium, high, maximum, points, extra):
    base, medium, high = sorted((base, medium, high))
    thresholds = Thresholds("share", base, medium, high)
    points = min(points, maximum)
    more = min(points + extra, maximum)

    assert (
        LEVEL_RANK[thresholds.level_for(more, maximum)]
        >= LEVEL_RANK[thresholds.level_for(points, maximum)]
    )


def test_scoring_a_thousand_demo_submissions_takes_well_under_a_second():
    school = SchoolProfile(levels=frozenset({"ООО", "СОО"}), has_ovz=True)
    answers = {i.code: i.options[len(i.options) // 2].code for i in DEMO.indicators}

    started = time.perf_counter()
    for _ in range(1000):
        score(DEMO, school, answers)

    assert time.perf_counter() - started < 1.0
