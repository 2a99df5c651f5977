"""A school reports an item done; the district's monitoring bar moves."""

import datetime

import pytest

from roadmaps.models import Roadmap
from tests.factories import make_item, make_roadmap, make_section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def school_plan(world):
    """The school's approved plan for 2024: one item due in March (long overdue), one on a
    schedule of its own (never overdue)."""
    roadmap = make_roadmap(world.school, status=Roadmap.Status.APPROVED)
    section = make_section(roadmap, number="1", title="Мероприятия недели грамотности")
    overdue = make_item(
        section,
        title="Проведение Недели функциональной грамотности",
        deadline_text="март",
        deadline_kind="dates",
        deadline_start=datetime.date(2024, 3, 1),
        deadline_end=datetime.date(2024, 3, 31),
    )
    make_item(
        section,
        title="Участие в региональных семинарах",
        deadline_text="по отдельному графику",
        deadline_kind="unscheduled",
        deadline_start=None,
        deadline_end=None,
    )
    return roadmap, overdue


def gatchina_bar(page):
    page.goto(f"{page.base_url}/roadmaps/monitoring/")
    table = page.get_by_role("region", name="По муниципальным образованиям")
    row = table.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Гатчинский муниципальный округ")
    )
    return row.get_by_role("img").get_attribute("aria-label")


def log_out(page):
    page.get_by_role("button", name="Выйти").click()
    page.wait_for_url("**/accounts/login/")


def test_school_report_moves_the_municipal_monitoring_bar(world, school_plan, login):
    roadmap, item = school_plan
    page = login(world.municipal)
    assert gatchina_bar(page) == "Выполнено 0 из 2 (0 %), просрочено 1"
    log_out(page)

    login(world.school_user)
    page.goto(f"{page.base_url}/roadmaps/monitoring/")
    # The plan is listed with its bar; its overdue item has the report button in its row.
    plans = page.locator("#monitoring-plans")
    assert plans.get_by_role("link", name=roadmap.title).is_visible()
    toggle = page.get_by_role("link", name="Отчёт по мероприятию 1.1")
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.focus()
    page.keyboard.press("Enter")

    form_row = page.locator(f"#item-execution-{item.pk}")
    form_row.get_by_role("heading", name="Исполнение мероприятия 1.1").wait_for()
    # The script marks the link expanded once the row is in: wait for it, not a moment after.
    page.get_by_role("link", name="Отчёт по мероприятию 1.1", expanded=True).wait_for()
    form_row.get_by_role("combobox", name="Исполнение").select_option(label="выполнено")
    form_row.get_by_label("Что сделано").fill("Проведено 12 открытых уроков, 240 участников")
    form_row.get_by_label("Ссылка на подтверждение").fill("https://school1.gatchina.ru/news/120")
    form_row.get_by_role("button", name="Сохранить отчёт").click()

    form_row.get_by_text("Отчёт сохранён.").wait_for()
    assert form_row.get_by_role("link", name="ссылка").get_attribute("href") == (
        "https://school1.gatchina.ru/news/120"
    )
    badge = page.locator(f"#item-status-{item.pk}")
    assert badge.inner_text().strip() == "выполнено"
    # Escape closes the row and gives the focus back to the button.
    form_row.get_by_label("Что сделано").press("Escape")
    assert page.locator(f"#item-execution-{item.pk}").count() == 0
    assert page.evaluate("document.activeElement.dataset.reportToggle") == (
        f"item-execution-{item.pk}"
    )
    log_out(page)

    login(world.municipal)
    assert gatchina_bar(page) == "Выполнено 1 из 2 (50 %)"
    done = page.locator("#totals-bar rect.bar-done")
    assert done.get_attribute("width") == "500"


def test_report_form_errors_stay_in_the_row_with_what_was_typed(world, school_plan, login):
    _, item = school_plan
    page = login(world.school_user)
    page.goto(f"{page.base_url}/roadmaps/monitoring/")
    page.get_by_role("link", name="Отчёт по мероприятию 1.1").click()
    form_row = page.locator(f"#item-execution-{item.pk}")
    form_row.get_by_label("Что сделано").fill("Фотоотчёт")
    form_row.get_by_label("Файлы-подтверждения").set_input_files(
        {"name": "отчёт.pdf", "mimeType": "application/pdf", "buffer": b"MZ not a pdf"}
    )
    form_row.get_by_role("button", name="Сохранить отчёт").click()
    form_row.get_by_text("не похоже на PDF").wait_for()
    assert form_row.get_by_label("Что сделано").input_value() == "Фотоотчёт"
    assert page.locator(f"#item-status-{item.pk}").inner_text().split() == [
        "не",
        "начато",
        "просрочено",
    ]


DANGER_BG = "rgb(253, 232, 235)"
DONE_BG = "rgb(230, 244, 234)"


def row_colour(page, item):
    return page.locator(f"#item-{item.pk} td").first.evaluate(
        "cell => getComputedStyle(cell).backgroundColor"
    )


def test_report_filed_edited_and_withdrawn_recolours_the_plan_row_without_reload(
    world, school_plan, login
):
    roadmap, item = school_plan
    page = login(world.school_user)
    page.goto(f"{page.base_url}/roadmaps/{roadmap.pk}/")
    page.wait_for_load_state("load")
    # Anything set on the window survives only if the page is never reloaded.
    page.evaluate("window.notReloaded = true")
    assert row_colour(page, item) == DANGER_BG

    page.get_by_role("link", name="Отчёт по мероприятию 1.1").click()
    panel = page.locator(f"#item-execution-{item.pk}")
    panel.get_by_role("combobox", name="Исполнение").select_option(label="выполнено")
    panel.get_by_label("Что сделано").fill("Проведено 12 открытых уроков")
    panel.get_by_label("Файлы-подтверждения").set_input_files(
        [
            {"name": "Приказ.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"},
            {
                "name": "Фото.png",
                "mimeType": "image/png",
                "buffer": b"\x89PNG\r\n\x1a\n" + b"0" * 8,
            },
        ]
    )
    panel.get_by_role("button", name="Сохранить отчёт").click()
    panel.get_by_text("Отчёт сохранён.").wait_for()
    assert panel.get_by_role("link", name="Приказ.pdf").is_visible()
    assert panel.get_by_role("link", name="Фото.png").is_visible()
    assert page.locator(f"#item-status-{item.pk}").inner_text().strip() == "выполнено"
    assert row_colour(page, item) == DONE_BG

    panel.get_by_role("link", name="Исправить отчёт от").click()
    panel.get_by_role("group", name="Исправить отчёт от").wait_for()
    assert panel.get_by_label("Что сделано").input_value() == "Проведено 12 открытых уроков"
    panel.get_by_label("Что сделано").fill("Проведено 14 открытых уроков")
    panel.get_by_role("button", name="Сохранить исправление").click()
    panel.get_by_text("Отчёт исправлен.").wait_for()
    assert panel.get_by_text("Проведено 14 открытых уроков").is_visible()
    assert row_colour(page, item) == DONE_BG

    page.once("dialog", lambda dialog: dialog.accept())
    panel.get_by_role("button", name="Отозвать отчёт от").click()
    panel.get_by_text("отозван.").wait_for()
    assert panel.get_by_text("отозван ", exact=False).first.is_visible()
    assert page.locator(f"#item-status-{item.pk}").inner_text().split() == [
        "не",
        "начато",
        "просрочено",
    ]
    assert row_colour(page, item) == DANGER_BG
    assert page.evaluate("window.notReloaded") is True
