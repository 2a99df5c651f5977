"""A school reports one quarter of a quarterly item from the plan's page, by keyboard."""

import datetime
import os

import pytest
from django.utils import timezone

from roadmaps import editing
from roadmaps.execution import add_report
from roadmaps.models import Item, Roadmap
from tests.factories import make_roadmap, make_section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def quarterly(world):
    """This year's school plan with a quarterly item whose first quarter is reported done.
    The live server runs on the real clock, so the plan is this year's whatever the date."""
    year = timezone.localdate().year
    roadmap = make_roadmap(
        world.school,
        period_start=datetime.date(year, 1, 1),
        period_end=datetime.date(year, 12, 31),
    )
    section = make_section(roadmap, number="1", title="Мониторинг")
    item = editing.add_item(
        section,
        {
            "number": "",
            "title": "Мониторинг реализации дорожной карты",
            "deadline_text": "ежеквартально, до 25 числа",
            "result": "Справка",
            "responsible": ["Директор"],
            "directions": [],
        },
        user=world.school_user,
    )
    add_report(
        item,
        author=world.school_user,
        status="done",
        date=datetime.date(year, 3, 20),
        occurrence=item.occurrences.get(index=0),
    )
    Roadmap.objects.filter(pk=roadmap.pk).update(status=Roadmap.Status.APPROVED)
    return roadmap, item


def test_a_quarter_is_reported_from_the_plan_page_and_the_line_of_periods_follows(
    world, quarterly, login, tmp_path
):
    roadmap, item = quarterly
    year = roadmap.period_start.year
    page = login(world.school_user)
    page.goto(f"{page.base_url}/roadmaps/{roadmap.pk}/")
    page.wait_for_load_state("load")
    periods = page.locator(f"#item-status-{item.pk} .occurrences li")
    assert periods.count() == 4
    assert periods.nth(0).inner_text() == f"I кв. {year} ✓"
    assert periods.nth(0).get_attribute("title").startswith(f"I квартал {year}: срок 25.03.")
    # The line stays within its cell at 1366 px.
    cell = page.locator(f"#item-{item.pk} td").nth(6).bounding_box()
    line = page.locator(f"#item-status-{item.pk} .occurrences").bounding_box()
    assert line["x"] + line["width"] <= cell["x"] + cell["width"] + 1
    page.screenshot(path=os.environ.get("OCCURRENCE_SCREENSHOT", tmp_path / "plan.png"))

    toggle = page.get_by_role("link", name="Отчёт по мероприятию 1.1")
    toggle.focus()
    page.keyboard.press("Enter")
    row = page.locator(f"#item-execution-{item.pk}")
    row.get_by_role("heading", name="Исполнение мероприятия 1.1").wait_for()
    chosen = row.get_by_label("Отчёт за")
    # The earliest quarter not done is offered first.
    assert chosen.evaluate("select => select.selectedOptions[0].text").startswith(
        f"II квартал {year} — срок 25.06.{year}"
    )
    row.get_by_role("combobox", name="Исполнение").select_option(label="выполнено")
    row.get_by_label("Что сделано").fill("Справка за II квартал")
    row.get_by_role("button", name="Сохранить отчёт").click()
    row.get_by_text("Отчёт сохранён.").wait_for()

    assert periods.nth(1).inner_text() == f"II кв. {year} ✓"
    assert page.locator(f"#item-status-{item.pk} .badge").first.inner_text() == "выполняется"
    assert row.get_by_role("cell", name=f"II квартал {year}").count() == 1
    item.refresh_from_db()
    assert item.status == Item.Status.IN_PROGRESS
