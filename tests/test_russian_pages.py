"""Russian on the pages: numbers agree with their nouns, names in quotes of their own get inner
quotes, a deadline label does not repeat itself, selects start with a word, and the history
shows what the reader changed, not the bookkeeping."""

import datetime

import pytest
from django.urls import reverse

from inbox.templatetags.inbox_tags import days_phrase
from roadmaps.execution_forms import ExecutionReportForm
from roadmaps.history import MOVED, log_entries, log_rows
from roadmaps.models import Roadmap
from selfdiag.models import Submission
from tests.factories import (
    make_item,
    make_methodology,
    make_round,
    make_section,
    make_small_plan,
    make_submission,
)

ALL_FULL = {"Z1": "yes", "Z2": "full", "Z3": "yes", "V1": "full", "S1": "full", "S2": "yes"}


def plan_text(items_in_second_section: int) -> bytes:
    """A markdown plan: section 1 with one item (dated outside the period, and defining ШСК),
    section 2 with the given number of items."""
    rows = [
        "# План мероприятий МБОУ СОШ № 5 на 2024 год",
        "",
        "| № п/п | Содержание деятельности | Срок исполнения | Ответственный | Результат |",
        "|---|---|---|---|---|",
        "| 1 | 2 | 3 | 4 | 5 |",
        "",
        "### 1. Знание",
        "",
        "| 1.1 | Работа школьного спортивного клуба (далее – ШСК) | сентябрь 2030 | ШСК | План |",
        "",
        "### 2. Здоровье",
        "",
    ]
    rows += [
        f"| 2.{n} | Мероприятие {n} | май 2024 | ШСК | План |"
        for n in range(1, items_in_second_section + 1)
    ]
    return "\n".join(rows).encode()


def upload(client, tmp_path, data, owner):
    path = tmp_path / "plan.md"
    path.write_bytes(data)
    with open(path, "rb") as handle:
        return client.post(reverse("roadmaps:import"), {"file": handle, "owner": owner.pk})


def test_import_preview_and_message_count_in_russian(world, client_for, tmp_path):
    client = client_for(world.municipal)
    preview = upload(client, tmp_path, plan_text(21), world.omsu)
    page = preview.content.decode()
    assert "<strong>2</strong> раздела" in page
    assert "<strong>22</strong> мероприятия" in page
    assert "<strong>1</strong> сокращение" in page
    assert "<strong>1</strong> срок с предупреждением" in page
    initial = preview.context["form"].initial
    response = client.post(
        reverse("roadmaps:import-confirm"),
        {
            "token": initial["token"],
            "filename": initial["filename"],
            "owner": world.omsu.pk,
            "title": "План СОШ № 5",
            "period": "2024",
        },
        follow=True,
    )
    assert "План загружен: 2 раздела, 22 мероприятия." in response.content.decode()


def test_import_preview_of_five_items(world, client_for, tmp_path):
    page = upload(client_for(world.municipal), tmp_path, plan_text(4), world.omsu)
    assert "<strong>5</strong> мероприятий" in page.content.decode()


def test_plan_from_a_template_counts_its_items_and_quotes_the_owner(world, client_for):
    source = make_small_plan(world.institute, status=Roadmap.Status.APPROVED)
    make_item(source.sections.get(), number="1.2", title="Второе")
    assert source.items.count() == 2
    response = client_for(world.school_user).post(
        reverse("roadmaps:roadmap-from-template"),
        {
            "source": source.pk,
            "owner": world.school.pk,
            "title": "План школы",
            "period": "2024/2025",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "План создан на основе плана «ГАОУ ДПО „ЛОИРО“»: 2 мероприятия." in page


def test_result_page_writes_points_with_their_plural(world, client_for):
    methodology = make_methodology()
    spring = make_round(
        world.region,
        [world.school],
        methodology=methodology,
        name="Весна",
        opens_on=datetime.date(2025, 3, 1),
        closes_on=datetime.date(2025, 4, 30),
    )
    autumn = make_round(
        world.region,
        [world.school],
        methodology=methodology,
        name="Осень",
        opens_on=datetime.date(2025, 10, 1),
        closes_on=datetime.date(2025, 11, 30),
    )
    make_submission(spring, world.school, {**ALL_FULL, "V1": "no", "S1": "no"}, status="accepted")
    current = make_submission(autumn, world.school, {**ALL_FULL, "Z2": "no"}, status="submitted")
    url = reverse("selfdiag:result", args=[autumn.pk, world.school.pk])
    page = client_for(world.school_user).get(url).content.decode()
    assert "было 5 баллов" in page
    maximum = f"{current.max_points:g}"
    assert f"из {maximum} баллов" in page or f"из {maximum} балла" in page


def test_accepting_a_submission_quotes_a_school_name_with_quotes(world, client_for):
    round_ = make_round(world.region, [world.school])
    make_submission(round_, world.school, ALL_FULL, status="submitted")
    response = client_for(world.operator).post(
        reverse("selfdiag:review", args=[round_.pk, world.school.pk]),
        {"action": "accept"},
        follow=True,
    )
    assert Submission.objects.get().status == Submission.Status.ACCEPTED
    assert "Самодиагностика «МБОУ „Гатчинская СОШ № 1“» принята." in response.content.decode()


@pytest.mark.parametrize(
    ("days", "phrase"),
    [(1, "остался 1 день"), (2, "осталось 2 дня"), (5, "осталось 5 дней"),
     (11, "осталось 11 дней"), (21, "остался 21 день"), (22, "осталось 22 дня"),
     (25, "осталось 25 дней"), (-22, "просрочено на 22 дня")],
)  # fmt: skip
def test_inbox_days_agree_with_their_number(days, phrase):
    assert days_phrase(days) == phrase


# Wording


def test_deadline_preview_of_an_unscheduled_item_does_not_repeat_itself(world, client_for):
    plan = make_small_plan(world.omsu)
    response = client_for(world.municipal).get(
        reverse("roadmaps:deadline-preview", args=[plan.pk]),
        {"deadline_text": "по отдельному графику"},
    )
    page = response.content.decode()
    assert "Без срока:" not in page
    assert page.count("без срока") == 1


def test_deadline_preview_still_names_other_kinds(world, client_for):
    plan = make_small_plan(world.omsu)
    response = client_for(world.municipal).get(
        reverse("roadmaps:deadline-preview", args=[plan.pk]), {"deadline_text": "Февраль-март"}
    )
    assert "Даты:" in response.content.decode()


def test_report_status_select_starts_with_a_status_not_dashes(world):
    plan = make_small_plan(world.omsu, status=Roadmap.Status.APPROVED)
    form = ExecutionReportForm(item=plan.items.first())
    html = str(form["status"])
    assert "---------" not in html
    assert next(iter(form.fields["status"].choices)) == ("not_started", "не начато")


def test_report_without_a_status_is_refused_in_russian(world):
    plan = make_small_plan(world.omsu, status=Roadmap.Status.APPROVED)
    form = ExecutionReportForm({"status": "", "date": "2024-05-01"}, item=plan.items.first())
    assert not form.is_valid()
    assert form.errors["status"] == ["Обязательное поле."]


def test_history_hides_positions_and_says_a_section_moved(world, client_for):
    plan = make_small_plan(world.omsu)
    first = plan.sections.get()
    second = make_section(plan, number="2.", title="Второй раздел")
    make_item(second, number="2.1.", title="Пункт второго раздела")
    client = client_for(world.municipal)
    client.post(reverse("roadmaps:section-move", args=[first.pk]), {"direction": "down"})
    first.refresh_from_db()
    assert first.number == "2."
    rows = log_rows(plan, log_entries(plan))
    labels = [change["label"] for row in rows for change in row["changes"]]
    assert "порядок" not in labels
    assert "номер" in labels
    assert MOVED in [row["reason"] for row in rows]
    assert all(row["changes"] or row["reason"] for row in rows if row["action"] == "изменено")
    page = client.get(reverse("roadmaps:roadmap-history", args=[plan.pk])).content.decode()
    assert "Порядок" not in page


@pytest.mark.parametrize(
    ("n", "added", "removed", "unchanged"),
    [
        (1, "1 мероприятие добавлено", "1 мероприятие удалено", "1 мероприятие без изменений"),
        (2, "2 мероприятия добавлены", "2 мероприятия удалены", "2 мероприятия без изменений"),
        (5, "5 мероприятий добавлено", "5 мероприятий удалено", "5 мероприятий без изменений"),
        (11, "11 мероприятий добавлено", "11 мероприятий удалено", "11 мероприятий без изменений"),
        (21, "21 мероприятие добавлено", "21 мероприятие удалено", "21 мероприятие без изменений"),
        (22, "22 мероприятия добавлены", "22 мероприятия удалены", "22 мероприятия без изменений"),
        (25, "25 мероприятий добавлено", "25 мероприятий удалено", "25 мероприятий без изменений"),
    ],
)
def test_version_comparison_counts_items_in_russian(n, added, removed, unchanged):
    from types import SimpleNamespace

    from django.template.loader import render_to_string
    from django.utils.html import strip_tags

    diff = SimpleNamespace(added=n, removed=n, changed=n, unchanged_items=n)
    html = render_to_string("roadmaps/_compare_summary.html", {"diff": diff})
    text = " ".join(strip_tags(html).split())
    assert added in text and removed in text and unchanged in text
    assert added.replace("добавлен", "изменен") in text


def test_comparison_page_says_one_item_added_and_one_changed(world, client_for):
    plan = make_small_plan(world.omsu, status="approved")
    second = plan.revise(by=world.municipal)
    section = second.sections.first()
    make_item(section, number="9.9.", title="Новое мероприятие")
    page = client_for(world.municipal).get(reverse("roadmaps:roadmap-compare", args=[second.pk]))
    text = " ".join(page.content.decode().split())
    assert "1</strong> мероприятие добавлено" in text
    assert "0</strong> мероприятий удалено" in text
