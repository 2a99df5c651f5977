"""The inbox in the browser: a district sends its plan up, the regional operator's home page shows
it under «Ожидает моих действий» with the count in the menu, and its link opens the approval."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import make_small_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_submitted_plan_waits_in_the_operators_inbox(world, page, login):
    page.on("dialog", lambda dialog: dialog.accept())
    plan = make_small_plan(world.omsu)

    login(world.municipal)
    page.goto(f"{page.base_url}/roadmaps/{plan.pk}/")
    page.wait_for_load_state("load")
    page.get_by_role("button", name="Направить на согласование").click()
    expect(page.locator("#plan-status")).to_have_text("на согласовании")
    # The district sees whom it waits for.
    expect(page.locator("#reviewers")).to_contain_text("Проверяет: ГАОУ ДПО «ЛОИРО»")
    page.get_by_role("button", name="Выйти").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))

    login(world.operator)
    page.wait_for_load_state("load")
    nav = page.get_by_role("navigation", name="Основная навигация")
    expect(nav.get_by_role("link", name="Ожидает действий (1)")).to_be_visible()
    inbox = page.get_by_role("region", name="Ожидает моих действий")
    expect(inbox).to_contain_text("Планы на согласование (1)")
    expect(inbox).to_contain_text(world.omsu.short_name)
    inbox.get_by_role("link", name=plan.title).click()
    page.wait_for_url(re.compile(rf"/roadmaps/{plan.pk}/approve/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Утверждение плана")

    # The full page lists it too, and is reached from the menu with the keyboard.
    page.goto(f"{page.base_url}/")
    page.wait_for_load_state("load")
    nav.get_by_role("link", name="Ожидает действий (1)").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/inbox/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ожидает моих действий")
    expect(page.get_by_text("1 запись")).to_be_visible()
