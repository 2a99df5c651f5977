"""A district plan in the browser: imported, edited in place, sent up, returned, fixed, approved
and frozen, then revised into a new version whose changes the comparison page shows."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from roadmaps.models import Item, Roadmap

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAMPLE = Path(__file__).parent / "fixtures" / "roadmaps" / "spb-kirovsky-2024.docx"


def logout(page):
    page.get_by_role("button", name="Выйти").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))


def open_plan(page, roadmap):
    page.goto(f"{page.base_url}/roadmaps/{roadmap.pk}/")


def edit_deadline_with_the_keyboard(page, item, text):
    """Open the item's editor from its «Изменить» button, retype the deadline, save with
    Ctrl+Enter; returns the preview text seen before saving."""
    page.locator(f"#item-{item.pk}-edit").focus()
    page.keyboard.press("Enter")
    deadline = page.locator(f"#item-{item.pk}-deadline")
    expect(deadline).to_be_visible()
    expect(page.locator(f"#item-{item.pk}-title")).to_be_focused()
    deadline.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type(text, delay=20)
    return deadline


def test_a_district_plan_from_import_to_approval_and_a_new_version(world, page, login):
    if not SAMPLE.exists():
        pytest.skip(f"{SAMPLE} is missing")
    page.on("dialog", lambda dialog: dialog.accept())

    # The municipal coordinator imports the district plan from Word.
    login(world.municipal)
    page.goto(f"{page.base_url}/roadmaps/import/")
    page.get_by_label("Документ плана").set_input_files(str(SAMPLE))
    page.get_by_label("Чей это план").select_option(str(world.omsu.pk))
    page.get_by_role("button", name="Распознать документ").click()
    page.get_by_role("button", name="Сохранить план").click()
    page.wait_for_url(re.compile(r"/roadmaps/\d+/$"))
    roadmap = Roadmap.objects.get(owner=world.omsu)
    item = roadmap.items.get(number__startswith="1.1", section__number__startswith="1")
    expect(page.locator(f"#item-{item.pk}")).to_contain_text("01.02.2024–31.03.2024")

    # …edits a deadline in place: the dates appear as they type, saving needs no reload.
    page.evaluate("window.stillTheSamePage = true")
    deadline = edit_deadline_with_the_keyboard(page, item, "Апрель-май")
    expect(page.locator(f"#item-{item.pk}-deadline-preview")).to_contain_text(
        "01.04.2024–31.05.2024"
    )
    deadline.press("Control+Enter")
    row = page.locator(f"#item-{item.pk}")
    expect(row).not_to_have_class(re.compile("edit-row"))
    expect(row).to_contain_text("Апрель-май")
    expect(row).to_contain_text("01.04.2024–31.05.2024")
    expect(page.locator(f"#item-{item.pk}-edit")).to_be_focused()
    assert page.evaluate("window.stillTheSamePage") is True
    item.refresh_from_db()
    assert (item.deadline_text, str(item.deadline_end)) == ("Апрель-май", "2024-05-31")

    # …and sends the plan to the region.
    page.get_by_role("button", name="Направить на согласование").click()
    expect(page.locator("#plan-status")).to_have_text("на согласовании")
    expect(page.locator(f"#item-{item.pk}-edit")).to_have_count(0)
    logout(page)

    # The regional operator returns it with a comment.
    login(world.operator)
    open_plan(page, roadmap)
    page.get_by_role("link", name="Вернуть на доработку").click()
    page.get_by_label("Что нужно исправить").fill("Уточните срок мероприятия 1.1: только апрель.")
    page.get_by_role("button", name="Вернуть на доработку").click()
    expect(page.locator("#plan-status")).to_have_text("возвращена на доработку")
    logout(page)

    # The municipal coordinator sees the comment, fixes the deadline and sends it again.
    login(world.municipal)
    open_plan(page, roadmap)
    expect(page.get_by_role("note")).to_contain_text("только апрель")
    deadline = edit_deadline_with_the_keyboard(page, item, "Апрель")
    expect(page.locator(f"#item-{item.pk}-deadline-preview")).to_contain_text(
        "01.04.2024–30.04.2024"
    )
    page.locator(f"#item-{item.pk}").get_by_role("button", name="Сохранить").click()
    expect(page.locator(f"#item-{item.pk}")).to_contain_text("01.04.2024–30.04.2024")
    page.get_by_role("button", name="Направить на согласование").click()
    expect(page.locator("#plan-status")).to_have_text("на согласовании")
    logout(page)

    # The operator approves it: document, date, signatory.
    login(world.operator)
    open_plan(page, roadmap)
    page.get_by_role("link", name="Утвердить").click()
    page.get_by_label("Вид документа").fill("распоряжение")
    page.get_by_label("Номер документа").fill("231-р")
    page.get_by_label("Дата документа").fill("2024-02-29")
    page.get_by_label("Подписант (фамилия и инициалы)").fill("Ю.В. Ступак")
    page.get_by_label("Должность подписанта").fill("Начальник отдела образования")
    page.get_by_role("button", name="Утвердить").click()
    expect(page.locator("#plan-status")).to_have_text("утверждена")
    approval = page.get_by_role("complementary", name="Гриф утверждения")
    expect(approval).to_contain_text("УТВЕРЖДЕН")
    expect(approval).to_contain_text("распоряжением")
    expect(approval).to_contain_text("от 29.02.2024 № 231-р")
    expect(approval).to_contain_text("Ю.В. Ступак")

    # Read-only now: no edit controls, and a POST is refused.
    expect(page.get_by_role("link", name="Изменить")).to_have_count(0)
    expect(page.get_by_role("button", name="+ Добавить раздел")).to_have_count(0)
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    refused = page.request.post(
        f"{page.base_url}/roadmaps/items/{item.pk}/edit/",
        form={"title": "Правка утверждённого плана", "lock_version": "0"},
        headers={"X-CSRFToken": csrf, "Referer": page.url},
    )
    assert refused.status == 403
    assert "только для чтения" in refused.text()
    logout(page)

    # The municipal coordinator makes a new version and changes the item there.
    login(world.municipal)
    open_plan(page, roadmap)
    page.get_by_role("button", name="Актуализировать").click()
    page.wait_for_url(re.compile(r"/roadmaps/\d+/$"))
    revised = Roadmap.objects.get(previous_version=roadmap)
    assert page.url.endswith(f"/roadmaps/{revised.pk}/")
    expect(page.locator("#plan-status")).to_have_text("черновик")
    copy = Item.objects.get(roadmap=revised, key=item.key)
    deadline = edit_deadline_with_the_keyboard(page, copy, "Апрель-июнь")
    deadline.press("Control+Enter")
    expect(page.locator(f"#item-{copy.pk}")).to_contain_text("01.04.2024–30.06.2024")

    page.get_by_role("link", name="Сравнить версии").click()
    expect(page.get_by_role("heading", name="Сравнение версий плана")).to_be_visible()
    comparison = page.locator(".compare-table")
    expect(comparison).to_contain_text("Версия 1 (утверждена) → версия 2 (черновик)")
    expect(comparison.locator("tr.change-changed")).to_have_count(1)
    expect(comparison.locator("tr.change-changed")).to_contain_text(item.number)
    expect(comparison.locator("ins")).to_contain_text(["Апрель-июнь"])
    expect(comparison.locator("del")).to_contain_text(["Апрель"])


def test_items_are_added_moved_and_deleted_with_the_keyboard(world, page, login):
    from tests.factories import make_item, make_small_plan

    plan = make_small_plan(world.omsu)
    section = plan.sections.get()
    first = plan.items.get()
    second = make_item(section, number="1.2.", title="Семинар для заместителей директоров")
    page.on("dialog", lambda dialog: dialog.accept())
    login(world.municipal)
    open_plan(page, plan)

    # Move the second item up: the focus stays on its button, the numbers follow the order.
    page.locator(f"#item-{second.pk}-up").focus()
    page.keyboard.press("Enter")
    rows = page.locator(f"#block-{section.pk} tr.item-row")
    expect(rows.first).to_contain_text("Семинар для заместителей директоров")
    expect(rows.first.locator("td.num")).to_have_text("1.1.")
    expect(page.locator(f"#item-{second.pk}-up")).to_be_focused()

    # Add an item with a responsible party the plan does not have yet. The block was just
    # swapped in: wait until htmx has settled it, or Enter follows the plain link.
    page.wait_for_function(
        "!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )
    page.get_by_role("link", name="+ мероприятие в раздел 1.").focus()
    page.keyboard.press("Enter")
    editor = page.locator(f"#new-item-{section.pk}")
    title = editor.get_by_role("textbox", name="Мероприятие", exact=True)
    expect(title).to_be_focused()
    expect(editor.get_by_label("№")).to_have_value("1.3.")
    editor.get_by_role("textbox", name="Мероприятие", exact=True).fill(
        "Родительское собрание по итогам самодиагностики"
    )
    editor.get_by_label("Ответственный 1").fill("ИМЦ")
    editor.get_by_role("button", name="+ ещё ответственный").click()
    expect(editor.get_by_label("Ответственный 3")).to_be_focused()
    page.keyboard.type("Руководители ОО")
    editor.get_by_role("button", name="Сохранить").click()
    added = page.locator("tr.item-row", has_text="Родительское собрание")
    expect(added).to_contain_text("ИМЦ, Руководители ОО")
    assert plan.parties.filter(name="Руководители ОО").exists()

    # Escape closes an editor without saving.
    page.locator(f"#item-{first.pk}-edit").focus()
    page.keyboard.press("Enter")
    title = page.locator(f"#item-{first.pk}-title")
    expect(title).to_be_visible()
    title.fill("Не сохранять")
    page.keyboard.press("Escape")
    expect(page.locator(f"#item-{first.pk}")).to_contain_text("Совещание с координаторами")

    # Delete asks first; the items below move up a number.
    page.locator(f"#item-{second.pk}").get_by_role("button", name="Удалить").click()
    expect(page.locator(f"#item-{second.pk}")).to_have_count(0)
    expect(page.locator(f"#block-{section.pk} tr.item-row td.num")).to_have_text(["1.1.", "1.2."])
