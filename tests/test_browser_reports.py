"""The deficit map and the dynamics in a real Chromium: colours, the cell dialog, the keyboard.

Set REPORTS_SCREENSHOTS=/some/dir to keep screenshots of the pages for a look by eye (they are
never written into the repository).
"""

import os
from pathlib import Path

import pytest

from tests.factories import make_methodology, make_round, make_school, make_scored_submissions
from tests.test_deficit_map import SPRING
from tests.test_dynamics import AUTUMN

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# portal.css: --level-below, --level-base, --level-medium, --level-high.
RGB = {
    "below_base": "rgb(201, 58, 58)",
    "base": "rgb(240, 163, 48)",
    "medium": "rgb(125, 187, 87)",
    "high": "rgb(42, 127, 79)",
}


@pytest.fixture
def rounds(world):
    return make_report_rounds(world)


def make_report_rounds(world):
    """Two scored rounds over four schools of two districts: the deficit map and the dynamics
    have something in every colour (also used by tests/test_browser_phone.py)."""
    import datetime

    schools = {
        "school": world.school,
        "sibling_school": world.sibling_school,
        "other_school": world.other_school,
        "luga_five": make_school(world.other_municipality, short_name="МОУ «Лужская СОШ № 5»"),
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
    make_scored_submissions(spring, {schools[key]: SPRING[key] for key in SPRING})
    make_scored_submissions(autumn, {schools[key]: AUTUMN[key] for key in schools})
    return {"spring": spring, "autumn": autumn, **schools}


def screenshot(page, name):
    directory = os.environ.get("REPORTS_SCREENSHOTS")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(directory) / f"{name}.png"), full_page=True)


def test_map_cells_wear_the_colour_of_their_level(world, rounds, login):
    page = login(world.operator)
    page.goto(f"{page.base_url}/reports/deficit-map/?round={rounds['spring'].pk}")
    row = page.locator(f'tr[data-school="{world.sibling_school.pk}"] td')
    colours = [
        row.nth(index).evaluate("cell => getComputedStyle(cell).backgroundColor")
        for index in range(4)
    ]
    assert colours == [RGB["below_base"], RGB["below_base"], RGB["high"], RGB["base"]]
    screenshot(page, "deficit-map")


def test_a_cell_opens_the_deficits_in_a_dialog_and_escape_returns_to_it(world, rounds, login):
    page = login(world.operator)
    page.goto(f"{page.base_url}/reports/deficit-map/?round={rounds['spring'].pk}")
    cell = page.locator(f'tr[data-school="{world.sibling_school.pk}"] a.map-link').first
    cell.focus()
    page.keyboard.press("Enter")
    dialog = page.locator("#deficit-dialog")
    dialog.get_by_role("heading", name="МБОУ «Гатчинская СОШ № 2»: Знание").wait_for()
    assert page.evaluate("document.activeElement.id") == "deficit-dialog-title"
    codes = dialog.locator("tbody .question-code").all_inner_texts()
    assert codes == ["Z1", "Z2"]
    assert dialog.locator(".badge.critical").count() == 1
    screenshot(page, "deficit-cell-dialog")
    page.keyboard.press("Escape")
    assert not dialog.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('map-link')")
    assert page.url.endswith(f"?round={rounds['spring'].pk}")  # the map stayed


def test_dynamics_page_shows_charts_and_the_counts(world, rounds, login):
    page = login(world.operator)
    page.goto(f"{page.base_url}/reports/dynamics/")
    # Two charts, each drawn wide (shown here at 1366 px) and narrow (for phones, hidden here).
    assert page.locator("svg.report-chart.chart-wide").count() == 2
    assert page.locator("svg.report-chart.chart-narrow").count() == 2
    assert page.locator("svg.report-chart:visible").count() == 2
    stats = page.locator("#summary-title + p + p").inner_text()
    assert "уровень вырос: 2" in stats and "снизился: 1" in stats
    screenshot(page, "dynamics")
    page.get_by_role("link", name="снизился", exact=True).click()
    assert page.locator("#dynamics-schools tbody tr").count() == 1
