"""Notifications in a real browser, with letters through a real SMTP server: a district plan
goes to the region and back, then is approved; a school's questionnaire goes to the district
and back, then is accepted. Each side sees the counter in the header, the notification on its
page and the letter with the link (and the comment) in its mailbox."""

import re

import pytest
from playwright.sync_api import expect

from roadmaps.models import Roadmap
from selfdiag.models import Submission
from tests.factories import make_round, make_small_plan, make_submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ALL_ANSWERS = {"Z1": "yes", "Z2": "full", "Z3": "yes", "V1": "full", "S1": "full", "S2": "yes"}


@pytest.fixture
def mailboxes(world, settings, live_server, smtp_server, immediate_tasks):
    """The cast with addresses; letters link to the live server (settings reach its thread)."""
    settings.PORTAL_BASE_URL = live_server.url
    for user in (world.operator, world.municipal, world.school_user):
        user.email = f"{user.username}@example.ru"
        user.save(update_fields=["email"])
    return smtp_server


def logout(page):
    page.get_by_role("button", name="Выйти").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))


def counter_shows(page, n):
    page.wait_for_load_state("load")
    expect(page.locator("#notifications-link #unread-count")).to_have_text(str(n))


def letter_to(server, address, count):
    letters = server.wait_for(count, address)
    assert len(letters) == count, [server.subject(m) for m in letters]
    return letters[-1]


def test_a_plan_and_a_questionnaire_go_back_and_forth_with_notifications_and_letters(
    world, page, login, mailboxes
):
    page.on("dialog", lambda dialog: dialog.accept())
    plan = make_small_plan(world.omsu)
    plan_url = f"{page.base_url}/roadmaps/{plan.pk}/"

    # The municipal coordinator sends the district plan to the region.
    login(world.municipal)
    page.goto(plan_url)
    page.get_by_role("button", name="Направить на согласование").click()
    expect(page.locator("#plan-status")).to_have_text("на согласовании")
    logout(page)

    # The regional operator sees it counted in the header, and has a letter.
    letter = letter_to(mailboxes, "operator@", 1)
    assert mailboxes.subject(letter).startswith("План направлен на согласование")
    assert plan_url in mailboxes.text(letter)
    assert (
        letter["List-Unsubscribe"]
        .strip()
        .startswith(f"<{page.base_url}/notifications/unsubscribe/")
    )
    login(world.operator)
    counter_shows(page, 1)
    page.locator("#notifications-link").click()
    page.wait_for_load_state("load")
    expect(page.locator("#unread-summary")).to_have_text("У вас 1 непрочитанное уведомление.")
    page.get_by_role("link", name=re.compile("направлен вам на согласование")).click()
    page.wait_for_url(plan_url)
    # …returns the plan with a comment.
    page.get_by_role("link", name="Вернуть на доработку").click()
    page.get_by_label("Что нужно исправить").fill("Уточните срок мероприятия 1.1: только апрель.")
    page.get_by_role("button", name="Вернуть на доработку").click()
    expect(page.locator("#plan-status")).to_have_text("возвращена на доработку")
    logout(page)

    # The municipal coordinator sees the comment on the notifications page and in the letter.
    letter = letter_to(mailboxes, "municipal@", 1)
    assert mailboxes.subject(letter).startswith("План возвращён на доработку")
    assert "Комментарий: Уточните срок мероприятия 1.1: только апрель." in mailboxes.text(letter)
    login(world.municipal)
    counter_shows(page, 1)
    page.goto(f"{page.base_url}/notifications/")
    page.wait_for_load_state("load")
    item = page.locator(".notification.is-unread")
    expect(item).to_contain_text("только апрель")
    # Marked read in place (htmx), from the keyboard.
    item.get_by_role("button", name="Отметить прочитанным").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".notification.is-unread")).to_have_count(0)
    page.reload()
    page.wait_for_load_state("load")
    expect(page.locator("#notifications-link #unread-count")).to_have_count(0)
    # …and sends the plan again.
    page.goto(plan_url)
    page.get_by_role("button", name="Направить на согласование").click()
    expect(page.locator("#plan-status")).to_have_text("на согласовании")
    logout(page)

    # The operator approves it; the district gets the letter.
    letter_to(mailboxes, "operator@", 2)
    login(world.operator)
    counter_shows(page, 1)
    page.goto(plan_url)
    page.get_by_role("link", name="Утвердить").click()
    page.get_by_label("Вид документа").fill("распоряжение")
    page.get_by_label("Номер документа").fill("231-р")
    page.get_by_label("Дата документа").fill("2024-02-29")
    page.get_by_label("Подписант (фамилия и инициалы)").fill("Ю.В. Ступак")
    page.get_by_label("Должность подписанта").fill("Начальник отдела образования")
    page.get_by_role("button", name="Утвердить").click()
    expect(page.locator("#plan-status")).to_have_text("утверждена")
    logout(page)
    letter = letter_to(mailboxes, "municipal@", 2)
    assert mailboxes.subject(letter).startswith("План утверждён")
    assert "утверждён распоряжением от 29.02.2024 № 231-р" in mailboxes.text(letter)
    assert Roadmap.objects.get().status == Roadmap.Status.APPROVED

    # The questionnaire: the school sends it to the district.
    round_ = make_round(world.region, [world.school], name="Самодиагностика — осень 2025")
    make_submission(round_, world.school, ALL_ANSWERS)
    questionnaire = f"{page.base_url}/selfdiag/rounds/{round_.pk}/schools/{world.school.pk}/"
    login(world.school_user)
    page.goto(questionnaire)
    page.wait_for_load_state("load")
    page.get_by_role("button", name="Отправить анкету").click()
    page.wait_for_url(re.compile(r"/result/$"))
    logout(page)

    # The municipal coordinator is told, opens the result from the notification and returns it.
    letter = letter_to(mailboxes, "municipal@", 3)
    assert mailboxes.subject(letter).startswith("Анкета самодиагностики отправлена")
    login(world.municipal)
    counter_shows(page, 2)  # the plan's approval, not opened yet, and the questionnaire
    page.locator("#notifications-link").click()
    page.get_by_role("link", name=re.compile("отправила анкету самодиагностики")).click()
    page.wait_for_url(re.compile(r"/result/$"))
    page.get_by_label("Комментарий для школы").fill("Z2: приложите план внеурочной деятельности.")
    page.get_by_role("button", name="Вернуть на доработку").click()
    expect(page.get_by_text("возвращена на доработку.")).to_be_visible()
    logout(page)

    # The school reads the comment in the letter and in the notification, and sends again.
    letter = letter_to(mailboxes, "school@", 1)
    assert mailboxes.subject(letter).startswith("Анкета самодиагностики возвращена")
    assert "Комментарий: Z2: приложите план внеурочной деятельности." in mailboxes.text(letter)
    assert questionnaire in mailboxes.text(letter)
    login(world.school_user)
    counter_shows(page, 1)
    page.locator("#notifications-link").click()
    page.get_by_role("link", name=re.compile("возвращена на доработку")).click()
    page.wait_for_url(questionnaire)
    page.wait_for_load_state("load")
    page.get_by_role("button", name="Отправить анкету").click()
    page.wait_for_url(re.compile(r"/result/$"))
    logout(page)

    # The district accepts it; the school gets the letter.
    letter_to(mailboxes, "municipal@", 4)
    login(world.municipal)
    page.goto(f"{questionnaire}result/")
    page.get_by_role("button", name="Принять").click()
    expect(page.get_by_text("принята.")).to_be_visible()
    letter = letter_to(mailboxes, "school@", 2)
    assert mailboxes.subject(letter).startswith("Анкета самодиагностики принята")
    assert Submission.objects.get().status == Submission.Status.ACCEPTED
