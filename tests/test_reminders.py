"""The daily reminders (`manage.py send_reminders`): deadlines of each organization's items as
the monitoring page counts them, questionnaires not sent before a round closes, the digest of
unread notifications; each sent once, through a real SMTP server."""

import datetime
import io
import itertools
import re

import pytest
from django.core.management import CommandError, call_command
from django.http import QueryDict

from notifications.models import EmailPreference, Notification, SentReminder
from notifications.reminders import send_reminders
from roadmaps.models import Item
from roadmaps.monitoring import monitored_plans
from selfdiag.models import Submission
from tests.factories import (
    make_item,
    make_round,
    make_section,
    make_small_plan,
    make_submission,
)

TODAY = datetime.date(2024, 6, 10)
BASE = "https://portal.example.ru"


@pytest.fixture
def cast(world, settings):
    settings.PORTAL_BASE_URL = BASE
    settings.REMINDER_DAYS = 7
    for user in (world.operator, world.municipal, world.school_user, world.viewer):
        user.email = f"{user.username}@example.ru"
        user.save(update_fields=["email"])
    return world


def dated(section, title, end, status="not_started"):
    return make_item(
        section,
        number=f"{section.number}{section.items.count() + 1}.",
        title=title,
        deadline_text=f"до {end:%d.%m.%Y}",
        deadline_kind="until",
        deadline_start=None,
        deadline_end=end,
        status=status,
    )


@pytest.fixture
def plans(cast):
    """Approved plans of the district office and of the school with items around TODAY."""
    district = make_small_plan(cast.omsu, status="approved")
    district.items.update(status="done")
    section = make_section(district, number="2.", title="Мониторинг")
    items = {
        "overdue": dated(section, "Анализ результатов ВПР", datetime.date(2024, 5, 31)),
        "overdue_started": dated(
            section, "Семинар для заместителей", datetime.date(2024, 6, 9), "in_progress"
        ),
        "done_late": dated(section, "Отчёт в ЛОИРО", datetime.date(2024, 5, 1), "done"),
        "due": dated(section, "Совещание директоров", datetime.date(2024, 6, 14)),
        "due_last_day": dated(section, "Приказ о наставничестве", datetime.date(2024, 6, 17)),
        "later": dated(section, "Августовская конференция", datetime.date(2024, 8, 28)),
    }
    draft = make_small_plan(cast.omsu, title="Черновик плана на 2024 год")
    dated(draft.sections.get(), "Не утверждено — не напоминаем", datetime.date(2024, 5, 1))
    school_plan = make_small_plan(cast.school, status="approved")
    school_section = make_section(school_plan, number="2.", title="Школьная команда")
    items["school_overdue"] = dated(
        school_section, "Школьный методический совет", datetime.date(2024, 6, 3)
    )
    school_plan.items.exclude(pk=items["school_overdue"].pk).update(status="done")
    return items


def page_overdue(user):
    """The overdue list of the monitoring page as the page selects it (default filters)."""
    selected = monitored_plans(user, QueryDict())
    return (
        Item.objects.for_user(user).filter(roadmap__in=selected.plans.values("pk")).overdue(TODAY)
    )


def test_each_organization_gets_its_overdue_and_due_items_once(cast, plans, smtp_server):
    sent = send_reminders(TODAY)
    assert (sent.deadlines, sent.failed) == (2, 0)

    [district] = smtp_server.to("municipal@")
    assert smtp_server.subject(district).startswith(
        "Сроки мероприятий: Комитет образования Гатчинского МО"
    )
    text = smtp_server.text(district)
    assert "просрочено 2 мероприятия" in text
    assert "в ближайшие 7 дней (до 17.06.2024) наступает срок 2 мероприятий" in text
    for name in ("overdue", "overdue_started", "due", "due_last_day"):
        assert plans[name].title in text
    for name in ("done_late", "later"):
        assert plans[name].title not in text
    assert "Не утверждено" not in text
    assert "Просрочено на 10 дней: срок истёк 31.05.2024" in text
    assert "Просрочено на 1 день: срок истёк 09.06.2024" in text
    assert f"{BASE}/roadmaps/{plans['due'].roadmap_id}/#item-{plans['due'].pk}" in text
    assert "Срок — 14.06.2024 («до 14.06.2024»), через 4 дня." in text
    assert district["List-Unsubscribe"]

    [school] = smtp_server.to("school@")
    assert "Школьный методический совет" in smtp_server.text(school)
    # The regional operator and the viewer own no plan with deadlines: nothing for them.
    assert smtp_server.to("operator@") == smtp_server.to("viewer@") == []


def overdue_titles(text):
    """The titles of the entries the letter marks overdue (the line above «Просрочено на…»)."""
    lines = [line.strip() for line in text.splitlines()]
    return {
        re.sub(r"^(\d+\. )?\S+ ", "", title)
        for title, note in itertools.pairwise(lines)
        if note.startswith("Просрочено на")
    }


def test_the_letter_lists_exactly_the_monitoring_pages_overdue_items(cast, plans, smtp_server):
    send_reminders(TODAY)
    school = smtp_server.text(smtp_server.to("school@")[0])
    assert overdue_titles(school) == {item.title for item in page_overdue(cast.school_user)}

    # The district's coordinator watches the district's schools too; the letter of the
    # district office carries its own plans' part of the page.
    district = smtp_server.text(smtp_server.to("municipal@")[0])
    page = page_overdue(cast.municipal)
    assert overdue_titles(district) == {
        item.title for item in page.filter(roadmap__owner=cast.omsu)
    }
    assert set(page) == {plans["overdue"], plans["overdue_started"], plans["school_overdue"]}


def test_running_twice_a_day_sends_each_letter_once(cast, plans, smtp_server):
    assert send_reminders(TODAY).deadlines == 2
    again = send_reminders(TODAY)
    assert (again.deadlines, again.round_closing, again.digests) == (0, 0, 0)
    assert len(smtp_server.messages) == 2
    assert SentReminder.objects.count() == 2
    # The next day is another day.
    assert send_reminders(TODAY + datetime.timedelta(days=1)).deadlines == 2
    assert len(smtp_server.messages) == 4


def test_the_command_is_idempotent_too(cast, plans, smtp_server):
    out = io.StringIO()
    call_command("send_reminders", "--date", TODAY.isoformat(), stdout=out)
    assert "о сроках — 2" in out.getvalue()
    call_command("send_reminders", "--date", TODAY.isoformat(), stdout=out)
    assert "о сроках — 0" in out.getvalue()
    assert len(smtp_server.messages) == 2


def test_the_command_refuses_a_bad_date_in_russian(cast):
    with pytest.raises(CommandError, match="ГГГГ-ММ-ДД"):
        call_command("send_reminders", "--date", "10.06.2024")
    with pytest.raises(CommandError, match="положительное число"):
        call_command("send_reminders", "--days", "0")


def test_a_letter_that_could_not_be_sent_is_tried_again_next_run(
    cast, plans, smtp_server, settings
):
    settings.EMAIL_PORT = smtp_server.port
    smtp_server.stop()
    failed = send_reminders(TODAY)
    assert (failed.deadlines, failed.failed) == (0, 2)
    assert not SentReminder.objects.exists()
    with pytest.raises(CommandError, match="не отправлена"):
        call_command("send_reminders", "--date", TODAY.isoformat(), stdout=io.StringIO())

    from tests.smtp import SmtpServer, use_smtp

    server = SmtpServer()
    server.start()
    try:
        use_smtp(settings, server)
        assert send_reminders(TODAY).deadlines == 2
        assert len(server.messages) == 2
    finally:
        server.stop()


def test_days_and_preferences_are_respected(cast, plans, smtp_server):
    EmailPreference.set_mode(cast.school_user, EmailPreference.Mode.NONE)
    sent = send_reminders(TODAY, days=2)
    assert sent.deadlines == 1
    text = smtp_server.text(smtp_server.to("municipal@")[0])
    assert "Совещание директоров" not in text  # due in 4 days, beyond 2
    assert smtp_server.to("school@") == []


# Rounds --------------------------------------------------------------------------------------


def test_schools_that_have_not_sent_are_reminded_once_before_the_round_closes(cast, smtp_server):
    round_ = make_round(
        cast.region,
        [cast.school, cast.sibling_school],
        name="Весна 2024",
        opens_on=datetime.date(2024, 5, 1),
        closes_on=datetime.date(2024, 6, 15),
    )
    make_submission(round_, cast.sibling_school, {"Z1": "yes"}, status="submitted")
    far = make_round(
        cast.region,
        [cast.school],
        name="Осень 2024",
        opens_on=datetime.date(2024, 6, 1),
        closes_on=datetime.date(2024, 10, 1),
    )
    assert far.submissions.count() == 0

    sent = send_reminders(TODAY)
    assert sent.round_closing == 1
    [notification] = Notification.objects.filter(kind=Notification.Kind.ROUND_CLOSING)
    assert notification.recipient == cast.school_user
    assert "до окончания осталось 5 дней (15.06.2024)" in notification.text
    assert notification.emailed_at is not None
    [letter] = smtp_server.to("school@")
    assert smtp_server.subject(letter).startswith("Раунд самодиагностики скоро закроется")
    assert f"{BASE}/selfdiag/rounds/{round_.pk}/schools/{cast.school.pk}/" in smtp_server.text(
        letter
    )

    # The next days of the window remind nobody again.
    for day in (TODAY, TODAY + datetime.timedelta(days=1), datetime.date(2024, 6, 15)):
        assert send_reminders(day).round_closing == 0
    assert Notification.objects.filter(kind=Notification.Kind.ROUND_CLOSING).count() == 1
    assert len(smtp_server.to("school@")) == 1


def test_a_returned_questionnaire_counts_as_not_sent(cast, smtp_server):
    round_ = make_round(
        cast.region,
        [cast.school],
        opens_on=datetime.date(2024, 5, 1),
        closes_on=datetime.date(2024, 6, 12),
    )
    submission = make_submission(round_, cast.school, {"Z1": "yes"}, status="submitted")
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.RETURNED)
    assert send_reminders(TODAY).round_closing == 1
    assert "осталось 2 дня" in smtp_server.text(smtp_server.to("school@")[0])


# The digest ----------------------------------------------------------------------------------


def test_the_daily_digest_carries_unread_notifications_once(cast, smtp_server):
    EmailPreference.set_mode(cast.operator, EmailPreference.Mode.DIGEST)
    EmailPreference.set_mode(cast.municipal, EmailPreference.Mode.NONE)
    for user in (cast.operator, cast.municipal):
        for text in ("План «А» направлен вам на согласование.", "План «Б» направлен вам."):
            Notification.objects.create(
                recipient=user, kind=Notification.Kind.PLAN_SUBMITTED, text=text, link="/roadmaps/"
            )
    Notification.objects.create(
        recipient=cast.operator,
        kind=Notification.Kind.PLAN_APPROVED,
        text="Уже прочитано.",
        read_at=datetime.datetime(2024, 6, 9, tzinfo=datetime.UTC),
    )

    assert send_reminders(TODAY).digests == 1
    [letter] = smtp_server.messages
    assert letter["To"] == "operator@example.ru"
    assert smtp_server.subject(letter).startswith("Сводка: 2 непрочитанных уведомления")
    text = smtp_server.text(letter)
    assert "План «А»" in text and "План «Б»" in text and "Уже прочитано" not in text
    assert f"{BASE}/roadmaps/" in text

    assert send_reminders(TODAY).digests == 0
    # Tomorrow: nothing new, no letter.
    assert send_reminders(TODAY + datetime.timedelta(days=1)).digests == 0
    assert len(smtp_server.messages) == 1


def test_the_task_runs_the_same_reminders(cast, plans, smtp_server, immediate_tasks):
    import time_machine

    from notifications.tasks import send_reminders as task

    with time_machine.travel(datetime.datetime(2024, 6, 10, 9, tzinfo=datetime.UTC), tick=False):
        result = task.enqueue()
    assert result.return_value["deadlines"] == 2
    assert len(smtp_server.messages) == 2


def test_reminders_queries_do_not_grow_with_items(
    cast, plans, smtp_server, django_assert_max_num_queries
):
    with django_assert_max_num_queries(60) as few:
        send_reminders(TODAY)
    SentReminder.objects.all().delete()
    section = plans["due"].section
    for n in range(30):
        dated(section, f"Ещё мероприятие {n}", datetime.date(2024, 6, 1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        send_reminders(TODAY)
