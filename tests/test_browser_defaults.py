"""In a real browser: the favicon, and «выбрать все» of the deficits worked by the keyboard."""

import datetime

import pytest
from playwright.sync_api import expect

from tests.factories import make_round, make_submission
from tests.test_selfdiag_views import ALL_FULL, url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_every_page_has_an_icon_and_old_clients_find_favicon_ico(world, page):
    page.goto(f"{page.base_url}/accounts/login/")
    icons = page.locator("link[rel=icon]")
    expect(icons).to_have_count(2)
    svg = page.request.get(page.base_url + icons.first.get_attribute("href"))
    assert svg.ok and svg.headers["content-type"].startswith("image/svg+xml")
    png = page.request.get(page.base_url + icons.nth(1).get_attribute("href"))
    assert png.ok and png.body()[:8] == b"\x89PNG\r\n\x1a\n"
    ico = page.request.get(f"{page.base_url}/favicon.ico")
    assert ico.ok and ico.body()[:4] == b"\x00\x00\x01\x00"


def test_all_deficits_are_ticked_and_cleared_with_the_keyboard(world, login):
    round_ = make_round(
        world.region,
        [world.school],
        opens_on=datetime.date(2025, 3, 1),
        closes_on=datetime.date(2025, 4, 30),
    )
    make_submission(
        round_,
        world.school,
        {**ALL_FULL, "Z1": "no", "S1": "partly", "S2": "no"},
        status="submitted",
    )
    page = login(world.school_user)
    page.goto(page.base_url + url("plan-from-deficits", round_, world.school))
    page.wait_for_load_state("load")
    rows = page.locator("input[name$='-include']")
    assert rows.count() >= 2
    select_all = page.get_by_label("выбрать все")
    expect(select_all).to_be_visible()
    # A critical deficit is ticked already: «выбрать все» shows «some».
    assert select_all.evaluate("box => box.indeterminate") is True

    select_all.focus()
    page.keyboard.press("Space")
    for i in range(rows.count()):
        expect(rows.nth(i)).to_be_checked()
    expect(select_all).to_be_checked()

    page.keyboard.press("Space")
    for i in range(rows.count()):
        expect(rows.nth(i)).not_to_be_checked()

    # Ticking one row by the keyboard makes it «some» again.
    rows.first.focus()
    page.keyboard.press("Space")
    assert select_all.evaluate("box => box.indeterminate") is True
    expect(select_all).not_to_be_checked()


def test_choosing_a_template_fills_the_name_and_period_unless_typed(world, login):
    from tests.factories import make_small_plan

    regional = make_small_plan(
        world.institute,
        status="approved",
        title="План Ленинградской области на 2024/2025 учебный год",
        period_start=datetime.date(2024, 9, 1),
        period_end=datetime.date(2025, 8, 31),
    )
    page = login(world.municipal)
    page.goto(f"{page.base_url}/roadmaps/from-template/")
    page.wait_for_load_state("load")
    expect(page.get_by_label("Чей план")).to_have_value(str(world.omsu.pk))
    page.get_by_label("На основе плана").select_option(str(regional.pk))
    expect(page.get_by_label("Наименование")).to_have_value(regional.title)
    expect(page.get_by_label("Период")).to_have_value("2024/2025")
    # What the user typed stays when another choice is made.
    page.get_by_label("Наименование").fill("План Гатчинского МО")
    page.get_by_label("На основе плана").select_option("")
    page.get_by_label("На основе плана").select_option(str(regional.pk))
    expect(page.get_by_label("Наименование")).to_have_value("План Гатчинского МО")
