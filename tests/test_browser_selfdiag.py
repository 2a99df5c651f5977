"""Self-diagnosis in a real browser: autosave that survives a reload, submit, review."""

import re

import pytest
from playwright.sync_api import expect

from selfdiag.models import Submission
from tests.factories import make_round, make_submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def choose(page, anchor, label):
    page.locator(f"#{anchor}").get_by_label(label, exact=True).check()
    expect(page.locator(f"#{anchor}-status")).to_contain_text("Сохранено")


def test_school_coordinator_answers_reloads_finishes_and_sees_the_result(world, login):
    round_ = make_round(world.region, [world.school], name="Самодиагностика — осень 2025")
    page = login(world.school_user)
    page.get_by_role("link", name="Заполнить анкету", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("Самодиагностика: "))).to_be_visible()
    expect(page.locator("#progress")).to_contain_text("Отвечено 0 из 6")
    # htmx binds the autosave forms on DOMContentLoaded; the heading is visible before that,
    # and an answer chosen in between would post nothing (it failed CI under load).
    page.wait_for_load_state("load")

    # Keyboard first: focus the first option of Z1 and move to «да» with an arrow key.
    page.locator("#q-1").get_by_label("нет", exact=True).focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator("#q-1-status")).to_contain_text("Сохранено")
    choose(page, "q-2", "частично")
    choose(page, "q-4", "да, в полном объёме")
    expect(page.locator("#progress")).to_contain_text("Отвечено 3 из 6")
    expect(page.locator("#submission-status")).to_have_text("заполняется")

    page.reload()
    expect(page.locator("#progress")).to_contain_text("Отвечено 3 из 6")
    expect(page.locator("#q-1").get_by_label("да", exact=True)).to_be_checked()
    expect(page.locator("#q-2").get_by_label("частично", exact=True)).to_be_checked()
    expect(page.locator("#q-4").get_by_label("да, в полном объёме", exact=True)).to_be_checked()

    choose(page, "q-3", "да")
    choose(page, "q-5", "да, в полном объёме")
    expect(page.locator("#progress")).to_contain_text("Отвечено 5 из 6")
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Отправить анкету").click()

    page.wait_for_url(re.compile(r"/result/$"))
    assert "Без ответа осталось вопросов: 1" in dialogs[0]
    expect(page.get_by_role("heading", name=re.compile("Уровень школы"))).to_contain_text(
        "средний"  # 7 of 9
    )
    expect(page.locator("svg.chart")).to_be_visible()
    expect(page.get_by_text("Без ответа остался 1 вопрос: засчитано 0 баллов.")).to_be_visible()
    submission = Submission.objects.get(round=round_, school=world.school)
    assert submission.status == Submission.Status.SUBMITTED
    assert (submission.total_points, submission.max_points) == (7, 9)


def test_operator_returns_a_submission_and_the_school_reads_the_comment(world, login):
    round_ = make_round(world.region, [world.school], name="Самодиагностика — осень 2025")
    make_submission(
        round_,
        world.school,
        {"Z1": "yes", "Z2": "full", "Z3": "yes", "V1": "full", "S1": "full", "S2": "yes"},
        status="submitted",
    )
    page = login(world.operator)
    page.goto(f"{page.base_url}/selfdiag/rounds/{round_.pk}/")
    page.get_by_role("link", name=f"Результат: {world.school.short_name}").click()
    expect(page.get_by_role("heading", name=re.compile("Уровень школы"))).to_contain_text("высокий")
    page.get_by_label("Комментарий для школы").fill(
        "Z2: в плане внеурочной деятельности нет курса «Разговоры о важном» для 10–11 классов."
    )
    page.get_by_role("button", name="Вернуть на доработку").click()
    expect(page.get_by_text("возвращена на доработку.")).to_be_visible()

    page.get_by_role("button", name="Выйти").click()
    page = login(world.school_user)
    expect(page.get_by_text("Анкета возвращена на доработку")).to_be_visible()
    page.get_by_role("link", name="Продолжить заполнение").click()
    page.wait_for_load_state("load")  # htmx loaded before the first autosave
    expect(page.locator(".review-comment")).to_have_text(
        "Z2: в плане внеурочной деятельности нет курса «Разговоры о важном» для 10–11 классов."
    )
    choose(page, "q-2", "частично")
    page.get_by_role("button", name="Отправить анкету").click()
    page.wait_for_url(re.compile(r"/result/$"))
    assert Submission.objects.get().status == Submission.Status.SUBMITTED
