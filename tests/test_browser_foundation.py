import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_operator_logs_in_and_sees_the_region_with_keyboard_only(world, page):
    page.goto(f"{page.base_url}/accounts/login/")
    page.keyboard.press("Tab")  # the skip link comes first
    page.get_by_label("Имя пользователя").focus()
    page.keyboard.type("operator")
    page.keyboard.press("Tab")
    page.keyboard.type("pass-for-tests")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{page.base_url}/")
    assert page.get_by_role("heading", name="ГАОУ ДПО «ЛОИРО»").is_visible()
    assert page.get_by_role("link", name="Гатчинский муниципальный округ").is_visible()


def test_school_coordinator_opening_another_school_gets_not_found(world, login):
    page = login(world.school_user)
    response = page.goto(f"{page.base_url}/orgs/organizations/{world.sibling_school.pk}/")
    assert response.status == 404
    assert page.get_by_role("heading", name="Страница не найдена").is_visible()
