"""Dynamics between two rounds: level changes and changes of points, checked against hand counts.

Spring and autumn answers of four schools (the small test methodology, see test_deficit_map.py):

    school               spring: Зн / Восп / Среда / total     autumn: Зн / Восп / Среда / total
    Гатчинская СОШ № 1   4 high / 1 base / 3 high / 8 high     2 base / 1 base / 2 medium / 5 base
    Гатчинская СОШ № 2   2 below* / 2 high / 1 base / 5 below* 4 high / 2 high / 3 high / 9 high
    Лужская СОШ № 3      2 base / 0 below / 2 medium / 4 below 1 below / 0 below / 3 high / 4 below
    Лужская СОШ № 5      3 medium / 1 base / 2 medium / 6 base 4 high / 2 high / 2 medium / 8 high
    Гатчинская ООШ № 4   (nothing in spring)                    everything: 9 high
Overall: СОШ № 1 down (−3), СОШ № 2 up (+4), СОШ № 3 same (0), СОШ № 5 up (+2); the ООШ is in
autumn only. Directions (mean change of points over the four): Знание (−2+2−1+1)/4 = 0, up 2,
down 2; Воспитание (0+0+0+1)/4 = 0.25, up 1, same 3; Среда (−1+2+1+0)/4 = 0.5, up 2, same 1,
down 1.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from selfdiag.dynamics import build_dynamics, signed
from selfdiag.models import DirectionResult, Submission
from tests.factories import make_methodology, make_round, make_school, make_scored_submissions

SPRING = {
    "school": {"Z1": "yes", "Z2": "full", "Z3": "yes", "V1": "partly", "S1": "full", "S2": "yes"},
    "sibling_school": {
        "Z1": "no",
        "Z2": "partly",
        "Z3": "yes",
        "V1": "full",
        "S1": "partly",
        "S2": "no",
    },
    "other_school": {"Z1": "yes", "Z2": "partly", "Z3": "no", "V1": "no", "S1": "full", "S2": "no"},
    "luga_five": {
        "Z1": "yes",
        "Z2": "full",
        "Z3": "no",
        "V1": "partly",
        "S1": "partly",
        "S2": "yes",
    },
}
EVERYTHING = {"Z1": "yes", "Z2": "full", "Z3": "yes", "V1": "full", "S1": "full", "S2": "yes"}
AUTUMN = {
    "school": {
        "Z1": "yes",
        "Z2": "partly",
        "Z3": "no",
        "V1": "partly",
        "S1": "partly",
        "S2": "yes",
    },
    "sibling_school": EVERYTHING,
    "other_school": {"Z1": "yes", "Z2": "no", "Z3": "no", "V1": "no", "S1": "full", "S2": "yes"},
    "luga_five": {
        "Z1": "yes",
        "Z2": "full",
        "Z3": "yes",
        "V1": "full",
        "S1": "partly",
        "S2": "yes",
    },
    "basic": EVERYTHING,
}


def spring_and_autumn(world) -> dict:
    """The spring and autumn rounds of the region's five schools, answered as SPRING and
    AUTUMN say (the hand counts in this module's tests); the API's tests read them too."""
    schools = {
        "school": world.school,
        "sibling_school": world.sibling_school,
        "other_school": world.other_school,
        "luga_five": make_school(world.other_municipality, short_name="МОУ «Лужская СОШ № 5»"),
        "basic": make_school(world.municipality, short_name="МБОУ «Гатчинская ООШ № 4»"),
    }
    methodology = make_methodology()
    spring = make_round(world.region, schools.values(), methodology, name="Весна 2025")
    autumn = make_round(
        world.region,
        schools.values(),
        methodology,
        name="Осень 2025",
        opens_on=datetime.date(2025, 10, 1),
        closes_on=datetime.date(2025, 11, 30),
    )
    make_scored_submissions(spring, {schools[key]: answers for key, answers in SPRING.items()})
    make_scored_submissions(autumn, {schools[key]: answers for key, answers in AUTUMN.items()})
    return {"spring": spring, "autumn": autumn, **schools}


@pytest.fixture
def rounds(world):
    return spring_and_autumn(world)


def dynamics_for(user, rounds, municipality=None):
    return build_dynamics(
        rounds["spring"],
        rounds["autumn"],
        submissions=Submission.objects.for_user(user).scored(),
        results=DirectionResult.objects.for_user(user).counted(),
        municipality=municipality,
    )


def tally(t):
    return (t.up, t.same, t.down)


def test_overall_level_changes_are_counted_up_same_down(world, rounds):
    result = dynamics_for(world.operator, rounds)
    assert tally(result.total.tally) == (2, 1, 1)
    assert {row.name: (row.change, row.overall.delta) for row in result.schools} == {
        "МБОУ «Гатчинская СОШ № 1»": ("down", -3),
        "МБОУ «Гатчинская СОШ № 2»": ("up", 4),
        "МОУ «Лужская СОШ № 3»": ("same", 0),
        "МОУ «Лужская СОШ № 5»": ("up", 2),
    }
    assert result.total.mean_delta == pytest.approx(0.75)


def test_a_school_with_a_result_in_one_round_only_is_left_out_and_counted(world, rounds):
    result = dynamics_for(world.operator, rounds)
    assert "МБОУ «Гатчинская ООШ № 4»" not in [row.name for row in result.schools]
    assert (result.only_before, result.only_after) == (0, 1)


def test_per_municipality_counts_and_mean_change(world, rounds):
    result = dynamics_for(world.operator, rounds)
    assert [(a.name, tally(a.tally), a.mean_delta) for a in result.areas] == [
        ("Гатчинский муниципальный округ", (1, 0, 1), 0.5),
        ("Лужский муниципальный район", (1, 1, 0), 1.0),
    ]


def test_per_direction_mean_change_of_points_and_level_counts(world, rounds):
    result = dynamics_for(world.operator, rounds)
    assert [s.direction.code for s in result.directions] == ["znanie", "vospitanie", "sreda"]
    assert [s.mean_delta for s in result.directions] == pytest.approx([0, 0.25, 0.5])
    assert [tally(s.tally) for s in result.directions] == [(2, 0, 2), (1, 3, 0), (2, 1, 1)]
    luga_five = next(row for row in result.schools if row.name == "МОУ «Лужская СОШ № 5»")
    assert [(d.before, d.after, d.delta, d.change) for d in luga_five.directions] == [
        ("medium", "high", 1, "up"),
        ("base", "high", 1, "up"),
        ("medium", "medium", 0, "same"),
    ]


def test_municipal_coordinator_sees_the_dynamics_of_the_municipality_only(world, rounds):
    result = dynamics_for(world.municipal, rounds)
    assert [row.name for row in result.schools] == [
        "МБОУ «Гатчинская СОШ № 1»",
        "МБОУ «Гатчинская СОШ № 2»",
    ]
    assert tally(result.total.tally) == (1, 0, 1)
    assert [s.mean_delta for s in result.directions] == pytest.approx([0, 0, 0.5])


def test_page_defaults_to_the_two_latest_rounds_with_results(client_for, world, rounds):
    make_round(
        world.region,
        [world.school],
        name="Зима 2026",
        opens_on=datetime.date(2026, 1, 10),
        closes_on=datetime.date(2026, 2, 10),
    )
    response = client_for(world.operator).get(reverse("reports:dynamics"))
    assert (response.context["before"], response.context["after"]) == (
        rounds["spring"],
        rounds["autumn"],
    )
    html = response.content.decode()
    assert "уровень вырос: <strong>2</strong>" in html
    assert "снизился: <strong>1</strong>" in html


def test_page_lists_the_schools_whose_level_went_down(client_for, world, rounds):
    response = client_for(world.operator).get(
        reverse("reports:dynamics"),
        {"before": rounds["spring"].pk, "after": rounds["autumn"].pk, "change": "down"},
    )
    html = response.content.decode()
    rows = html[html.index('id="dynamics-schools"') :]
    assert "Гатчинская СОШ № 1" in rows
    for name in ("Гатчинская СОШ № 2", "Лужская СОШ № 3", "Лужская СОШ № 5"):
        assert name not in rows
    assert 'data-change="down"' in rows and 'data-change="up"' not in rows
    assert "−3" in rows


def test_page_shows_both_charts_as_inline_svg_without_styles(client_for, world, rounds):
    response = client_for(world.operator).get(reverse("reports:dynamics"))
    html = response.content.decode()
    # Each chart twice: wide for a screen and paper, narrow (labels above bars) for a phone.
    assert html.count('<svg class="report-chart chart-wide"') == 2
    assert html.count('<svg class="report-chart chart-narrow"') == 2
    assert "Среднее изменение баллов по направлениям" in html
    assert "style=" not in html
    assert "+0,5 (школ: 4)" in html  # Образовательная среда


def test_municipality_filter_keeps_its_schools(client_for, world, rounds):
    response = client_for(world.operator).get(
        reverse("reports:dynamics"), {"municipality": world.other_municipality.pk}
    )
    result = response.context["dynamics"]
    assert [row.name for row in result.schools] == [
        "МОУ «Лужская СОШ № 3»",
        "МОУ «Лужская СОШ № 5»",
    ]


def test_same_round_twice_asks_for_two_rounds(client_for, world, rounds):
    spring = rounds["spring"].pk
    response = client_for(world.operator).get(
        reverse("reports:dynamics"), {"before": spring, "after": spring}
    )
    assert response.status_code == 200
    assert "Выберите два разных раунда" in response.content.decode()


def test_outsider_gets_404_for_rounds_of_another_region(client_for, world, rounds):
    response = client_for(world.outsider).get(
        reverse("reports:dynamics"),
        {"before": rounds["spring"].pk, "after": rounds["autumn"].pk},
    )
    assert response.status_code == 404


def test_school_coordinator_sees_only_the_own_school(client_for, world, rounds):
    response = client_for(world.school_user).get(reverse("reports:dynamics"))
    assert [row.name for row in response.context["dynamics"].schools] == [
        "МБОУ «Гатчинская СОШ № 1»"
    ]


def test_signed_numbers_are_written_the_russian_way():
    values = (1.5, -0.25, 0, 0.04, 0.005, 0.004, 3, 0.75, None)
    assert [signed(v) for v in values] == [
        "+1,5",
        "−0,25",
        "0",
        "+0,04",
        "+0,01",
        "0",
        "+3",
        "+0,75",
        "—",
    ]


def test_queries_do_not_grow_with_the_number_of_schools(client_for, world):
    client = client_for(world.operator)

    def region(count):
        schools = [make_school(world.municipality) for _ in range(count)]
        methodology = make_methodology(version=f"test-{count}")
        before = make_round(world.region, schools, methodology)
        after = make_round(world.region, schools, methodology, closes_on=datetime.date(2025, 5, 1))
        make_scored_submissions(before, dict.fromkeys(schools, SPRING["school"]))
        make_scored_submissions(after, dict.fromkeys(schools, EVERYTHING))
        return {"before": before.pk, "after": after.pk}

    small, large = region(5), region(60)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("reports:dynamics"), small).status_code == 200
    with CaptureQueriesContext(connection) as captured_large:
        response = client.get(reverse("reports:dynamics"), large)
    assert len(response.context["dynamics"].schools) == 60
    assert len(captured_large) == len(captured) <= 10


def test_delta_chart_draws_growth_right_of_zero_and_decline_left():
    import re

    from reports.svg import diverging_bars

    svg = str(diverging_bars([("Знание", 2, "+2"), ("Здоровье", -1, "−1")], title="Δ"))
    zero = float(re.search(r'<line x1="([\d.]+)"', svg)[1])
    bars = [
        (float(x), float(width), fill)
        for x, width, fill in re.findall(
            r'<rect x="([\d.]+)" y="\d+" width="([\d.]+)" height="\d+" fill="(#\w+)"', svg
        )
    ]
    (growth_x, growth_width, growth_fill), (decline_x, decline_width, decline_fill) = bars
    assert growth_x == zero and growth_fill == "#1e7a3d"
    assert decline_x + decline_width == pytest.approx(zero) and decline_fill == "#b00020"
    assert growth_width == pytest.approx(2 * decline_width, abs=0.1)
    assert "style=" not in svg


def test_narrow_charts_are_phone_wide_with_labels_above_their_bars():
    import re

    from reports.svg import NARROW_WIDTH, Segment, diverging_bars, stacked_rows

    label = "Бокситогорский муниципальный район"  # longer than 240 units of label
    svg = str(diverging_bars([(label, 2, "+2"), ("Здоровье", -1, "−1")], title="Δ", narrow=True))
    assert f'viewBox="0 0 {NARROW_WIDTH} ' in svg
    # The label starts at the left edge, on its own line, and is not cut at 240 units.
    assert re.search(r'<text x="0" y="\d+" text-anchor="start"[^>]*>' + label, svg)
    svg = str(
        stacked_rows(
            [(label, [Segment("up", "вырос", 3)], "школ: 3")],
            [("up", "вырос", "#1e7a3d")],
            title="Δ",
            narrow=True,
        )
    )
    assert f'viewBox="0 0 {NARROW_WIDTH} ' in svg
    assert re.search(r'<text x="0" y="\d+" text-anchor="start"[^>]*>' + label, svg)
