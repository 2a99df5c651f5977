"""The deficit map: cells, municipality tallies, filters, scope, Excel, PDF and query counts.

The world (tests/conftest.py) has two Gatchina schools and one Luga school; a second Luga school
and a Gatchina basic school that only started its form are added here. With the small test
methodology (Знание: Z1 critical 0/1, Z2 0/1/2, Z3 0/1 for СОО; Воспитание: V1 0/1/2;
Образовательная среда: S1 0/1/2, S2 0/1, levels by points 1/2/3) the spring round gives,
counted by hand:

    school                   Знание          Воспитание      Среда           overall
    Гатчинская СОШ № 1       4/4 high        1/2 base        3 high          8/9 high
    Гатчинская СОШ № 2       2/4 below*      2/2 high        1 base          5/9 below* (capped)
    Лужская СОШ № 3          2/4 base        0/2 below       2 medium        4/9 below
    Лужская СОШ № 5          3/4 medium      1/2 base        2 medium        6/9 base
    Гатчинская ООШ № 4       (draft: no result)
"""

import copy
import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from reports.deficits import tally_bar
from selfdiag.access import schools_in_scope
from selfdiag.deficit_map import build_deficit_map
from selfdiag.models import DirectionResult
from tests.factories import (
    SMALL_METHODOLOGY,
    make_methodology,
    make_round,
    make_school,
    make_scored_submissions,
    make_submission,
)

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
CODES = ["znanie", "vospitanie", "sreda"]


@pytest.fixture
def rounds(world):
    """The spring round counted above, an autumn one where every school scores the maximum, and
    a newer winter round nobody has answered yet."""
    schools = {
        "school": world.school,
        "sibling_school": world.sibling_school,
        "other_school": world.other_school,
        "luga_five": make_school(world.other_municipality, short_name="МОУ «Лужская СОШ № 5»"),
        "gymnasium": make_school(world.municipality, short_name="МБОУ «Гатчинская ООШ № 4»"),
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
    winter = make_round(
        world.region,
        schools.values(),
        methodology,
        name="Зима 2026",
        opens_on=datetime.date(2026, 1, 10),
        closes_on=datetime.date(2026, 2, 10),
    )
    make_scored_submissions(spring, {schools[key]: SPRING[key] for key in SPRING})
    make_submission(spring, schools["gymnasium"], {"Z1": "yes"})  # a draft: not counted
    make_scored_submissions(autumn, {schools[key]: EVERYTHING for key in SPRING})
    return {"spring": spring, "autumn": autumn, "winter": winter, **schools}


def map_for(user, round_, municipality=None):
    return build_deficit_map(
        round_,
        schools=schools_in_scope(user, round_),
        results=DirectionResult.objects.for_user(user).counted(),
        municipality=municipality,
    )


def levels(dmap):
    return {
        row.name: (row.level, [cell.level if cell else None for cell in row.cells])
        for row in dmap.schools
    }


def test_each_cell_holds_the_schools_level_in_that_direction(world, rounds):
    dmap = map_for(world.operator, rounds["spring"])
    assert [d.code for d in dmap.directions] == CODES
    assert levels(dmap) == {
        "МБОУ «Гатчинская ООШ № 4»": ("", [None, None, None]),
        "МБОУ «Гатчинская СОШ № 1»": ("high", ["high", "base", "high"]),
        "МБОУ «Гатчинская СОШ № 2»": ("below_base", ["below_base", "high", "base"]),
        "МОУ «Лужская СОШ № 3»": ("below_base", ["base", "below_base", "medium"]),
        "МОУ «Лужская СОШ № 5»": ("base", ["medium", "base", "medium"]),
    }
    sibling = next(row for row in dmap.schools if row.pk == world.sibling_school.pk)
    znanie = sibling.cells[0]
    assert (znanie.points, znanie.max_points, znanie.share, znanie.capped) == (2, 4, 0.5, True)
    assert sibling.cells[2].points == 1 and sibling.cells[2].capped is False


def test_schools_are_grouped_by_municipality_in_name_order(world, rounds):
    dmap = map_for(world.operator, rounds["spring"])
    assert [(row.municipality_name, row.name) for row in dmap.schools][:3] == [
        ("Гатчинский муниципальный округ", "МБОУ «Гатчинская ООШ № 4»"),
        ("Гатчинский муниципальный округ", "МБОУ «Гатчинская СОШ № 1»"),
        ("Гатчинский муниципальный округ", "МБОУ «Гатчинская СОШ № 2»"),
    ]


def test_municipality_tallies_count_schools_at_each_level_with_shares(world, rounds):
    dmap = map_for(world.operator, rounds["spring"])
    gatchina, luga = dmap.areas
    assert (gatchina.name, gatchina.schools, gatchina.reported) == (
        "Гатчинский муниципальный округ",
        3,
        2,
    )
    assert (luga.name, luga.schools, luga.reported) == ("Лужский муниципальный район", 2, 2)

    def counts(tally):
        return [tally.counts[level] for level in ("below_base", "base", "medium", "high")]

    assert counts(gatchina.overall) == [1, 0, 0, 1]
    assert [counts(t) for t in gatchina.directions] == [[1, 0, 0, 1], [0, 1, 0, 1], [0, 1, 0, 1]]
    assert [counts(t) for t in luga.directions] == [[0, 1, 1, 0], [1, 1, 0, 0], [0, 0, 2, 0]]
    assert [t.below_base_share for t in gatchina.directions] == [0.5, 0, 0]
    assert [t.below_base_share for t in luga.directions] == [0, 0.5, 0]
    assert [t.mean_share for t in gatchina.directions] == pytest.approx([0.75, 0.75, 2 / 3])
    assert [t.mean_share for t in luga.directions] == pytest.approx([0.625, 0.25, 2 / 3])

    total = dmap.total
    assert (total.schools, total.reported) == (5, 4)
    assert counts(total.overall) == [2, 1, 0, 1]
    assert [counts(t) for t in total.directions] == [[1, 1, 1, 1], [1, 2, 0, 1], [0, 1, 2, 1]]
    assert [t.below_base_share for t in total.directions] == [0.25, 0.25, 0]
    assert [t.mean_share for t in total.directions] == pytest.approx([0.6875, 0.5, 2 / 3])
    # The overall level has no share of points behind it in the map: no mean is made up.
    assert total.overall.mean_share is None


def test_map_opens_on_the_latest_round_with_results(client_for, world, rounds):
    response = client_for(world.operator).get(reverse("reports:deficit-map"))
    assert response.context["round"] == rounds["autumn"]
    # Every school scored the maximum in autumn: high everywhere.
    assert {row.level for row in response.context["dmap"].schools if row.level} == {"high"}


def test_round_filter_shows_the_chosen_round(client_for, world, rounds):
    response = client_for(world.operator).get(
        reverse("reports:deficit-map"), {"round": rounds["spring"].pk}
    )
    assert response.context["round"] == rounds["spring"]
    assert levels(response.context["dmap"])["МОУ «Лужская СОШ № 5»"][0] == "base"


def test_a_round_without_results_shows_its_schools_with_empty_cells(client_for, world, rounds):
    response = client_for(world.operator).get(
        reverse("reports:deficit-map"), {"round": rounds["winter"].pk}
    )
    dmap = response.context["dmap"]
    assert (dmap.total.schools, dmap.reported) == (5, 0)
    assert "нет результатов" in response.content.decode()


def test_municipality_filter_keeps_that_municipalitys_schools(client_for, world, rounds):
    response = client_for(world.operator).get(
        reverse("reports:deficit-map"),
        {"round": rounds["spring"].pk, "municipality": world.other_municipality.pk},
    )
    dmap = response.context["dmap"]
    assert [row.name for row in dmap.schools] == ["МОУ «Лужская СОШ № 3»", "МОУ «Лужская СОШ № 5»"]
    assert [area.name for area in dmap.areas] == ["Лужский муниципальный район"]
    assert dmap.total.schools == 2


def test_municipal_coordinator_sees_only_the_schools_of_the_municipality(world, rounds):
    dmap = map_for(world.municipal, rounds["spring"])
    assert [row.name for row in dmap.schools] == [
        "МБОУ «Гатчинская ООШ № 4»",
        "МБОУ «Гатчинская СОШ № 1»",
        "МБОУ «Гатчинская СОШ № 2»",
    ]
    assert [area.name for area in dmap.areas] == ["Гатчинский муниципальный округ"]


def test_school_coordinator_sees_only_the_schools_own_row(client_for, world, rounds):
    response = client_for(world.school_user).get(
        reverse("reports:deficit-map"), {"round": rounds["spring"].pk}
    )
    assert response.status_code == 200
    dmap = response.context["dmap"]
    assert [row.name for row in dmap.schools] == ["МБОУ «Гатчинская СОШ № 1»"]
    assert "Гатчинская СОШ № 2" not in response.content.decode()


def test_municipal_coordinator_gets_404_for_another_municipality(client_for, world, rounds):
    response = client_for(world.municipal).get(
        reverse("reports:deficit-map"),
        {"round": rounds["spring"].pk, "municipality": world.other_municipality.pk},
    )
    assert response.status_code == 404


def test_outsider_gets_404_for_a_round_of_another_region(client_for, world, rounds):
    client = client_for(world.outsider)
    for name in ("reports:deficit-map", "reports:deficit-map-xlsx", "reports:deficit-map-pdf"):
        assert client.get(reverse(name), {"round": rounds["spring"].pk}).status_code == 404
    assert client.get(reverse("reports:deficit-map"), {"round": "x"}).status_code == 404


def test_outsider_without_rounds_sees_an_empty_map(client_for, world, rounds):
    response = client_for(world.outsider).get(reverse("reports:deficit-map"))
    assert response.status_code == 200
    assert "Раундов самодиагностики, доступных вам, пока нет" in response.content.decode()


def test_page_colours_each_cell_by_level_and_links_it_to_the_deficits(client_for, world, rounds):
    response = client_for(world.operator).get(
        reverse("reports:deficit-map"), {"round": rounds["spring"].pk}
    )
    html = response.content.decode()
    row = re.search(rf'<tr data-school="{world.sibling_school.pk}">(.*?)</tr>', html, re.S)[1]
    assert re.findall(r'class="map-cell level-(\w+)"', row) == [
        "below_base",
        "below_base",
        "high",
        "base",
    ]
    url = reverse("reports:deficit-cell", args=[rounds["spring"].pk, world.sibling_school.pk])
    assert f'href="{url}?direction=znanie"' in row
    assert "НБ</span> 50 %*" in row  # capped by the critical indicator
    assert "style=" not in html and "<script>" not in html


# The cell behind the map ------------------------------------------------------------------------


def cell_url(rounds, school, code):
    url = reverse("reports:deficit-cell", args=[rounds["spring"].pk, school.pk])
    return f"{url}?direction={code}"


def test_cell_lists_the_schools_deficits_in_that_direction_critical_first(world, client_for):
    # Z3 is the critical indicator here, so «critical first» differs from indicator order.
    data = {**copy.deepcopy(SMALL_METHODOLOGY), "version": "test-critical-last"}
    for indicator in data["indicators"]:
        indicator["critical"] = indicator["code"] == "Z3"
    round_ = make_round(world.region, [world.school], make_methodology(data))
    make_submission(
        round_,
        world.school,
        {"Z1": "no", "Z2": "partly", "Z3": "no", "V1": "no", "S1": "full", "S2": "yes"},
        status="submitted",
    )
    url = reverse("reports:deficit-cell", args=[round_.pk, world.school.pk])
    response = client_for(world.operator).get(url, {"direction": "znanie"})
    assert response.status_code == 200
    deficits = response.context["deficits"]
    assert [(d.indicator_code, d.critical, d.points, d.max_points) for d in deficits] == [
        ("Z3", True, 0, 1),
        ("Z1", False, 0, 1),
        ("Z2", False, 1, 2),
    ]
    # The codes as the list shows them: a bare «Z1» could also turn up inside a random CSRF token.
    codes = re.findall(r'class="question-code">([^<]+)<', response.content.decode())
    assert codes == ["Z3", "Z1", "Z2"]  # critical first; V1 is another direction's deficit


def test_cell_is_a_fragment_for_htmx_and_a_page_otherwise(client_for, world, rounds):
    client = client_for(world.operator)
    url = cell_url(rounds, world.sibling_school, "znanie")
    page = client.get(url)
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert "<html" in page.content.decode()
    assert "<html" not in fragment.content.decode()
    assert [d.indicator_code for d in fragment.context["deficits"]] == ["Z1", "Z2"]


def test_cell_outside_the_users_scope_is_404(client_for, world, rounds):
    assert (
        client_for(world.school_user).get(cell_url(rounds, world.sibling_school, "znanie"))
    ).status_code == 404
    assert (
        client_for(world.municipal).get(cell_url(rounds, world.other_school, "znanie"))
    ).status_code == 404
    assert (
        client_for(world.outsider).get(cell_url(rounds, world.school, "znanie"))
    ).status_code == 404


def test_cell_of_a_school_without_a_counted_result_is_404(client_for, world, rounds):
    client = client_for(world.operator)
    assert client.get(cell_url(rounds, rounds["gymnasium"], "znanie")).status_code == 404
    assert client.get(cell_url(rounds, world.school, "no-such-direction")).status_code == 404
    no_direction = reverse("reports:deficit-cell", args=[rounds["spring"].pk, world.school.pk])
    assert client.get(no_direction).status_code == 404


# Excel and PDF ----------------------------------------------------------------------------------


def test_excel_colours_each_cell_by_level_with_a_legend_and_frozen_header(
    client_for, world, rounds
):
    response = client_for(world.operator).get(
        reverse("reports:deficit-map-xlsx"), {"round": rounds["spring"].pk}
    )
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content))["Карта дефицитов"]
    rows = [list(row) for row in sheet.iter_rows()]
    header = next(i for i, row in enumerate(rows) if row[1].value == "Школа")
    assert [c.value for c in rows[header]] == [
        "Муниципальное образование",
        "Школа",
        "Общий уровень",
        "Знание",
        "Воспитание",
        "Образовательная среда",
    ]
    assert sheet.freeze_panes == f"C{header + 2}"

    def fill(cell):
        return cell.fill.fgColor.rgb[-6:] if cell.fill.fill_type == "solid" else None

    legend = next(row for row in rows[:header] if row[0].value == "Обозначения:")
    assert [(c.value, fill(c)) for c in legend[1:5]] == [
        ("ниже базового", "C93A3A"),
        ("базовый", "F0A330"),
        ("средний", "7DBB57"),
        ("высокий", "2A7F4F"),
    ]
    body = {row[1].value: [(c.value, fill(c)) for c in row[2:6]] for row in rows[header + 1 :]}
    assert body["МБОУ «Гатчинская СОШ № 2»"] == [
        ("ниже базового", "C93A3A"),
        ("ниже базового*", "C93A3A"),
        ("высокий", "2A7F4F"),
        ("базовый", "F0A330"),
    ]
    assert body["МОУ «Лужская СОШ № 5»"] == [
        ("базовый", "F0A330"),
        ("средний", "7DBB57"),
        ("базовый", "F0A330"),
        ("средний", "7DBB57"),
    ]
    assert body["МБОУ «Гатчинская ООШ № 4»"] == [(None, None)] * 4


def test_excel_municipality_sheet_holds_the_tallies(client_for, world, rounds):
    response = client_for(world.operator).get(
        reverse("reports:deficit-map-xlsx"), {"round": rounds["spring"].pk}
    )
    sheet = load_workbook(io.BytesIO(response.content))["Муниципалитеты"]
    rows = {(row[0], row[1]): row[2:] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows[("Лужский муниципальный район", "Воспитание")] == (2, 1, 1, 0, 0, 0.5, 0.25)
    assert rows[("Итого", "Знание")] == (4, 1, 1, 1, 1, 0.25, 0.6875)
    assert rows[("Итого", "Общий уровень")][:6] == (4, 2, 1, 0, 1, 0.5)


def pdf_text(data: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages
    )


def test_pdf_holds_the_school_names_and_the_legend(client_for, world, rounds):
    response = client_for(world.operator).get(
        reverse("reports:deficit-map-pdf"), {"round": rounds["spring"].pk}
    )
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    text = pdf_text(response.content)
    for name in (
        "Гатчинская СОШ № 1",
        "Гатчинская СОШ № 2",
        "Лужская СОШ № 3",
        "Лужская СОШ № 5",
        "Гатчинская ООШ № 4",
    ):
        assert name in text
    assert "Обозначения:" in text
    for label in ("ниже базового", "базовый", "средний", "высокий", "нет результата"):
        assert label in text
    assert "Весна 2025" in text
    assert "НБ 50*" in text  # the sibling school's capped Знание


def test_pdf_repeats_the_table_header_on_every_page(client_for, world):
    schools = [make_school(world.municipality) for _ in range(70)]
    round_ = make_round(world.region, schools)
    make_scored_submissions(round_, dict.fromkeys(schools, EVERYTHING))
    response = client_for(world.operator).get(
        reverse("reports:deficit-map-pdf"), {"round": round_.pk}
    )
    pages = [
        " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(response.content)).pages
    ]
    map_pages = pages[pages.index(next(p for p in pages if "Школы по направлениям" in p)) :]
    assert len(map_pages) > 1
    for page in map_pages:
        assert "Школа Общий уровень Знание" in page


# Query counts -----------------------------------------------------------------------------------


def _region_of(world, count):
    schools = [
        make_school(world.municipality if n % 2 else world.other_municipality) for n in range(count)
    ]
    round_ = make_round(world.region, schools)
    make_scored_submissions(round_, dict.fromkeys(schools, SPRING["school"]))
    return round_


def _queries(client, url, params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "name", ["reports:deficit-map", "reports:deficit-map-xlsx", "reports:deficit-map-pdf"]
)
def test_queries_do_not_grow_with_the_number_of_schools(
    client_for, world, name, django_assert_max_num_queries
):
    client = client_for(world.operator)
    small, large = _region_of(world, 5), _region_of(world, 60)
    baseline = _queries(client, reverse(name), {"round": small.pk})
    with django_assert_max_num_queries(baseline):
        response = client.get(reverse(name), {"round": large.pk})
    assert response.status_code == 200
    assert baseline <= 12


def test_municipality_bar_splits_its_width_by_the_level_counts(world, rounds):
    total = map_for(world.operator, rounds["spring"]).total
    svg = str(tally_bar(total.directions[1], "Итого, Воспитание"))  # below 1, base 2, high 1
    widths = [
        (fill, float(width))
        for width, fill in re.findall(
            r'<rect x="[\d.]+" y="0" width="([\d.]+)" height="12" fill="(#\w+)"><title>', svg
        )
    ]
    assert widths == [("#c93a3a", 30), ("#f0a330", 60), ("#2a7f4f", 30)]
    assert "ниже базового — 1, базовый — 2, высокий — 1" in svg
