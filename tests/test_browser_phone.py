"""Every main page on a phone (390 × 844) in a real Chromium: nothing wider than the screen.

The plan turns into stacked cards with the item's number and title on top, the item form into
one column, the header menu folds behind «Меню», wide tables scroll inside their own card. Each
test saves a screenshot under its tmp_path; set PHONE_SCREENSHOTS=/some/dir to keep them for a
look by eye (they are never written into the repository).
"""

import os
import shutil
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from roadmaps.importers import parse_document
from roadmaps.importing import save_parsed_roadmap
from roadmaps.models import Roadmap
from tests.factories import make_item, make_methodology, make_roadmap, make_round, make_section
from tests.test_browser_reports import make_report_rounds

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
FIXTURES = Path(__file__).parent / "fixtures" / "roadmaps"


@pytest.fixture
def regional_plan(world):
    """The Leningrad regional plan as imported: long titles, many responsible, real deadlines."""
    path = FIXTURES / "leningrad-oblast-2023-2024.txt"
    parsed = parse_document(path, filename=path.name)
    return save_parsed_roadmap(parsed, owner=world.institute, user=world.operator)


@pytest.fixture
def school_plan(world):
    """An approved school plan with an overdue item, so that monitoring has bars and rows."""
    import datetime

    roadmap = make_roadmap(world.school, status=Roadmap.Status.APPROVED)
    section = make_section(roadmap, number="1", title="Мероприятия недели грамотности")
    make_item(
        section,
        number="1.1",
        title="Диагностика читательской грамотности обучающихся 5–9 классов",
        deadline_text="до 01.03.2024",
        deadline_end=datetime.date(2024, 3, 1),
    )
    make_item(section, number="1.2", title="Педагогический совет по итогам диагностики")
    return roadmap


def no_wider_than_the_screen(page):
    widths = page.evaluate(
        "() => ({document: document.documentElement.scrollWidth, screen: window.innerWidth})"
    )
    assert widths["document"] <= widths["screen"], widths
    return widths


def widest_elements(page):
    """The elements that stick out past the right edge: the message says what to fix."""
    return page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
            .filter(el => {
                // Inside a box that scrolls (a table in its card) is fine.
                for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
                    if (getComputedStyle(up).overflowX !== 'visible') return false;
                }
                return true;
            })
            .slice(0, 8)
            .map(el => el.tagName.toLowerCase() + '.' + [...el.classList].join('.')
                 + ' ' + Math.round(el.getBoundingClientRect().right))"""
    )


def shoot(page, tmp_path, name):
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    keep = os.environ.get("PHONE_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / path.name)
    return path


def open_page(page, url, viewport=PHONE):
    page.set_viewport_size(viewport)
    page.goto(f"{page.base_url}{url}")
    page.wait_for_load_state("load")


def check(page, tmp_path, name):
    assert not widest_elements(page), widest_elements(page)
    no_wider_than_the_screen(page)
    return shoot(page, tmp_path, name)


def test_plan_is_stacked_cards_with_number_and_title_on_a_phone(
    world, regional_plan, login, tmp_path
):
    page = login(world.operator)
    open_page(page, reverse("roadmaps:roadmap-detail", args=[regional_plan.pk]))
    check(page, tmp_path, "plan")
    item = regional_plan.sections.first().items.first()
    row = page.locator(f"#item-{item.pk}")
    number, title = row.locator("td").nth(0), row.locator("td").nth(1)
    # One card: the number and the title side by side on top, the deadline below them.
    number_box, title_box = number.bounding_box(), title.bounding_box()
    assert number_box["y"] == title_box["y"]
    assert number_box["x"] + number_box["width"] <= title_box["x"]
    assert title_box["x"] + title_box["width"] <= PHONE["width"]
    assert row.locator(".deadline-cell").bounding_box()["y"] > title_box["y"]
    # Each cell is labelled with its column, since the table head is hidden.
    assert row.locator(".deadline-cell").get_attribute("data-label") == "Сроки"
    # The actions of the item stay with the card, and the card says which item it is.
    edit = page.locator(f"#item-{item.pk}-edit")
    edit.scroll_into_view_if_needed()
    assert page.evaluate(
        "el => el.getBoundingClientRect().right <= window.innerWidth", edit.element_handle()
    )
    # Scrolled down to the actions of a tall card, its number and title are still in sight.
    page.evaluate(
        "el => window.scrollTo(0, el.getBoundingClientRect().bottom + window.scrollY - 200)",
        edit.element_handle(),
    )
    assert row.bounding_box()["y"] < 0  # the card's top has scrolled away
    assert page.evaluate(
        "el => { const box = el.getBoundingClientRect();"
        " return box.top >= 0 && box.bottom <= window.innerHeight; }",
        number.element_handle(),
    )
    assert title.is_visible()


def test_item_form_is_one_column_on_a_phone(world, regional_plan, login, tmp_path):
    page = login(world.operator)
    open_page(page, reverse("roadmaps:roadmap-detail", args=[regional_plan.pk]))
    item = regional_plan.sections.first().items.first()
    page.locator(f"#item-{item.pk}-edit").click()
    form = page.locator(f"#item-{item.pk} form.inline-editor")
    expect(form).to_be_visible()
    check(page, tmp_path, "item-form-inline")
    box = form.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    # One column: «Сроки» and «Ответственные» come below «Мероприятие», inside the screen.
    title = form.get_by_label("Мероприятие").bounding_box()
    deadline = form.get_by_label("Сроки").bounding_box()
    responsible = form.locator(".responsible-field").bounding_box()
    assert title["y"] < deadline["y"] < responsible["y"]
    for field in (title, deadline, responsible):
        assert field["x"] + field["width"] <= PHONE["width"]
    save = form.get_by_role("button", name="Сохранить").bounding_box()
    assert save["y"] > responsible["y"]

    # The same form on its own page (without htmx).
    open_page(page, reverse("roadmaps:item-edit", args=[item.pk]))
    check(page, tmp_path, "item-form-page")


def test_questionnaire_fits_a_phone(world, login, tmp_path):
    round_ = make_round(world.region, [world.school], make_methodology(demo=True))
    page = login(world.school_user)
    open_page(page, reverse("selfdiag:questionnaire", args=[round_.pk, world.school.pk]))
    expect(page.locator("#progress")).to_be_visible()
    check(page, tmp_path, "questionnaire")


@pytest.mark.parametrize(
    "name,url",
    [
        ("home", "home"),
        ("plans", "roadmaps:roadmap-list"),
        ("inbox", "inbox:inbox"),
        ("monitoring", "roadmaps:monitoring"),
    ],
)
def test_operator_pages_fit_a_phone(world, regional_plan, school_plan, login, tmp_path, name, url):
    page = login(world.operator)
    open_page(page, reverse(url))
    check(page, tmp_path, name)


@pytest.mark.parametrize("name", ["deficit-map", "dynamics"])
def test_reports_fit_a_phone_and_their_tables_scroll_inside(world, login, tmp_path, name):
    rounds = make_report_rounds(world)
    page = login(world.operator)
    query = f"?round={rounds['spring'].pk}" if name == "deficit-map" else ""
    open_page(page, reverse(f"reports:{name}") + query)
    check(page, tmp_path, name)
    if name == "dynamics":
        charts_fit_without_scrolling(page)


def charts_fit_without_scrolling(page):
    """Each chart is the narrow picture at the width of its figure: the figure does not
    scroll sideways, and the text stays legible (at least 11 px)."""
    figures = page.locator("figure.chart-figure")
    assert figures.count() == 2
    for index in range(figures.count()):
        figure = figures.nth(index)
        sizes = figure.evaluate(
            """el => {
                const svg = [...el.querySelectorAll('svg')].find(s => s.getClientRects().length);
                const box = svg.getBoundingClientRect();
                return {scroll: el.scrollWidth, client: el.clientWidth, cls: svg.className.baseVal,
                        width: box.width, right: box.right, drawn: svg.viewBox.baseVal.width};
            }"""
        )
        assert sizes["scroll"] <= sizes["client"], sizes
        assert "chart-narrow" in sizes["cls"], sizes
        assert sizes["right"] <= PHONE["width"], sizes
        assert 13 * sizes["width"] / sizes["drawn"] >= 11, sizes
        expect(figure.locator("svg.chart-wide")).to_be_hidden()


def test_desktop_dynamics_shows_the_wide_charts(world, login):
    make_report_rounds(world)
    page = login(world.operator)
    open_page(page, reverse("reports:dynamics"), DESKTOP)
    expect(page.locator("svg.chart-wide").first).to_be_visible()
    expect(page.locator("svg.chart-narrow").first).to_be_hidden()


def test_menu_folds_on_a_phone_and_opens_without_script(world, login, tmp_path):
    page = login(world.operator)
    open_page(page, "/")
    nav = page.get_by_role("navigation", name="Основная навигация")
    expect(nav.get_by_role("link", name="Мониторинг")).to_be_hidden()
    header = page.locator(".site-header").bounding_box()
    assert header["height"] < PHONE["height"] / 8
    page.locator(".menu-toggle").click()
    expect(nav.get_by_role("link", name="Мониторинг")).to_be_visible()
    check(page, tmp_path, "menu-open")
    nav.get_by_role("link", name="Мониторинг").click()
    page.wait_for_url("**/roadmaps/monitoring/")


def test_desktop_keeps_the_table_and_the_open_menu(world, regional_plan, login, tmp_path):
    page = login(world.operator)
    open_page(page, reverse("roadmaps:roadmap-detail", args=[regional_plan.pk]), DESKTOP)
    nav = page.get_by_role("navigation", name="Основная навигация")
    expect(nav.get_by_role("link", name="Мониторинг")).to_be_visible()
    expect(page.locator(".menu-toggle")).to_be_hidden()
    expect(page.locator("#plan-table thead")).to_be_visible()
    item = regional_plan.sections.first().items.first()
    cells = page.locator(f"#item-{item.pk} td")
    # One table row: the number and the title side by side.
    assert cells.nth(0).bounding_box()["y"] == cells.nth(1).bounding_box()["y"]
    no_wider_than_the_screen(page)
    shoot(page, tmp_path, "desktop-plan")
    page.locator(f"#item-{item.pk}-edit").click()
    form = page.locator(f"#item-{item.pk} form.inline-editor")
    expect(form).to_be_visible()
    # Even where the plan is wider than its wrap, the form's fields are all in sight.
    box = form.bounding_box()
    assert box["x"] + box["width"] <= DESKTOP["width"]
    shoot(page, tmp_path, "desktop-item-form")
