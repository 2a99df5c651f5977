"""Notifications: who is told what when a plan or a questionnaire moves, an item is assigned, a
round opens or a job finishes; the letters (through a real SMTP server), the e-mail settings,
unsubscribing without logging in, the page, the header's counter and the API."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from notifications.mail import unsubscribe_token
from notifications.models import EmailPreference, Notification
from roadmaps.editing import write_item
from roadmaps.models import Roadmap, WorkflowError
from selfdiag.models import Submission
from tests.factories import (
    make_item,
    make_party,
    make_round,
    make_section,
    make_small_plan,
    make_submission,
    make_user,
    travel_to_september_2025,
)

BASE = "https://portal.example.ru"
Kind = Notification.Kind


@pytest.fixture
def cast(world, settings, immediate_tasks):
    """The cast with e-mail addresses; links in letters point at BASE."""
    settings.PORTAL_BASE_URL = BASE
    for user in (world.operator, world.municipal, world.school_user, world.viewer):
        user.email = f"{user.username}@example.ru"
        user.save(update_fields=["email"])
    return world


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run the block and then what waits for its commit (the test's transaction never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def kinds(user):
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def approve(roadmap, by):
    roadmap.approve(
        by=by,
        kind="распоряжение",
        number="231-р",
        date=datetime.date(2024, 2, 29),
        name="Ю.В. Ступак",
        position="Начальник",
    )


# Plans ---------------------------------------------------------------------------------------


def test_a_submitted_district_plan_tells_the_regional_operator_by_notification_and_letter(
    cast, commit, smtp_server
):
    plan = make_small_plan(cast.omsu)
    with commit():
        plan.submit(by=cast.municipal)

    notification = Notification.objects.get(recipient=cast.operator)
    assert notification.kind == Kind.PLAN_SUBMITTED
    assert "направлен вам на согласование" in notification.text
    assert notification.link == f"/roadmaps/{plan.pk}/"
    assert notification.obj == plan
    # The author, the school and the viewer are not told; nor anyone in another region.
    assert Notification.objects.count() == 1

    [letter] = smtp_server.wait_for(1)
    assert letter["To"] == "operator@example.ru"
    assert smtp_server.subject(letter).startswith("План направлен на согласование")
    body = smtp_server.text(letter)
    assert "Здравствуйте, operator!" in body
    assert "Комитет образования Гатчинского МО" in body
    assert f"{BASE}/roadmaps/{plan.pk}/" in body
    assert f'href="{BASE}/roadmaps/{plan.pk}/"' in smtp_server.html(letter)
    token = unsubscribe_token(cast.operator)
    assert letter["List-Unsubscribe"].strip() == f"<{BASE}/notifications/unsubscribe/{token}/>"
    assert letter["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"{BASE}/notifications/unsubscribe/{token}/" in body
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_a_returned_plan_tells_the_owners_writers_with_the_comment(cast, commit, smtp_server):
    plan = make_small_plan(cast.omsu, status="review")
    with commit():
        plan.return_for_revision(by=cast.operator, comment="Уточните срок мероприятия 1.1.")

    assert kinds(cast.municipal) == [Kind.PLAN_RETURNED]
    assert kinds(cast.operator) == []  # whoever returned it is not told
    [letter] = smtp_server.wait_for(1, "municipal@")
    assert smtp_server.subject(letter).startswith("План возвращён на доработку")
    assert "Комментарий: Уточните срок мероприятия 1.1." in smtp_server.text(letter)


def test_an_approved_plan_tells_the_owners_writers(cast, commit, smtp_server):
    plan = make_small_plan(cast.omsu, status="review")
    with commit():
        approve(plan, cast.operator)

    [notification] = Notification.objects.filter(recipient=cast.municipal)
    assert notification.kind == Kind.PLAN_APPROVED
    assert "утверждён распоряжением от 29.02.2024 № 231-р." in notification.text
    [letter] = smtp_server.wait_for(1)
    assert smtp_server.subject(letter).startswith("План утверждён")


def test_a_school_plan_is_reviewed_by_its_municipality(cast, commit):
    plan = make_small_plan(cast.school)
    with commit():
        plan.submit(by=cast.school_user)
    assert kinds(cast.municipal) == [Kind.PLAN_SUBMITTED]
    assert kinds(cast.operator) == []


def test_a_refused_workflow_step_tells_nobody(cast, commit, smtp_server):
    plan = make_small_plan(cast.omsu, status="approved")
    with commit(), pytest.raises(WorkflowError):
        plan.submit(by=cast.municipal)
    assert not Notification.objects.exists()
    assert smtp_server.messages == []


def test_the_plan_page_and_the_api_notify_through_the_same_step(
    cast, commit, client_for, api, smtp_server
):
    by_page = make_small_plan(cast.omsu)
    by_api = make_small_plan(cast.omsu, title="План мероприятий Гатчинского МО (API)")
    with commit():
        response = client_for(cast.municipal).post(
            reverse("roadmaps:roadmap-submit", args=[by_page.pk])
        )
    assert response.status_code == 302
    with commit():
        response = api("municipal").post(f"/api/v1/roadmaps/{by_api.pk}/submit/")
    assert response.status_code == 200, response.content
    assert set(
        Notification.objects.filter(recipient=cast.operator).values_list("object_id", flat=True)
    ) == {by_page.pk, by_api.pk}
    assert len(smtp_server.wait_for(2)) == 2


# Self-diagnosis ------------------------------------------------------------------------------


def test_a_questionnaire_goes_to_its_reviewers_and_back_to_the_school(cast, commit, smtp_server):
    round_ = make_round(cast.region, [cast.school, cast.sibling_school])
    submission = make_submission(round_, cast.school, {"Z1": "yes"})

    with commit():
        submission.submit(by=cast.school_user)
    assert kinds(cast.municipal) == [Kind.SUBMISSION_SUBMITTED]
    assert kinds(cast.school_user) == []

    with commit():
        submission.review(by=cast.municipal, accept=False, comment="Проверьте ответ на Z1.")
    [returned] = Notification.objects.filter(recipient=cast.school_user)
    assert returned.kind == Kind.SUBMISSION_RETURNED
    assert returned.link == reverse("selfdiag:questionnaire", args=[round_.pk, cast.school.pk])
    letter = smtp_server.wait_for(1, "school@")[0]
    assert "Комментарий: Проверьте ответ на Z1." in smtp_server.text(letter)

    with commit():
        submission.submit(by=cast.school_user)
        submission.review(by=cast.operator, accept=True)
    assert Submission.objects.get().status == Submission.Status.ACCEPTED
    assert kinds(cast.school_user) == [Kind.SUBMISSION_ACCEPTED, Kind.SUBMISSION_RETURNED]
    assert len(smtp_server.wait_for(2, "school@")) == 2


def test_opening_a_round_tells_the_coordinators_of_its_schools(cast, commit, client_for):
    from tests.factories import make_methodology

    other_coordinator = make_user("luga")
    from orgs.models import Membership

    Membership.objects.create(
        user=other_coordinator,
        organization=cast.other_school,
        role=Membership.Role.SCHOOL_COORDINATOR,
    )
    with travel_to_september_2025(), commit():
        response = client_for(cast.operator).post(
            reverse("selfdiag:round-create"),
            {
                "region": cast.region.pk,
                "name": "Самодиагностика — осень 2025",
                "opens_on": "2025-10-01",
                "closes_on": "2025-11-15",
                "methodology": make_methodology().pk,
                "municipality": cast.municipality.pk,
            },
        )
    assert response.status_code == 302
    [notification] = Notification.objects.filter(kind=Kind.ROUND_OPENED)
    assert notification.recipient == cast.school_user  # not the Luga school, not outside
    assert "до 15.11.2025" in notification.text


# Items and jobs ------------------------------------------------------------------------------


def test_naming_a_municipality_responsible_in_the_regional_plan_tells_its_writers(cast, commit):
    regional = make_small_plan(cast.institute)
    item = regional.items.get()
    make_party(regional, cast.omsu.short_name, organization=cast.omsu)
    values = {
        "number": item.number,
        "title": item.title,
        "deadline_text": "до 1 марта 2024",
        "result": "",
        "responsible": ["ИМЦ", cast.omsu.short_name],
        "directions": [],
    }
    with commit():
        assert write_item(item, values, user=cast.operator)
    [notification] = Notification.objects.filter(kind=Kind.ITEM_ASSIGNED)
    assert notification.recipient == cast.municipal
    assert "Совещание с координаторами проекта" in notification.text
    assert "до 1 марта 2024" in notification.text

    # Saving the item again with the same responsible tells nobody again.
    item.refresh_from_db()
    with commit():
        assert write_item(item, {**values, "title": "Совещание"}, user=cast.operator)
    assert Notification.objects.filter(kind=Kind.ITEM_ASSIGNED).count() == 1


def test_a_finished_job_tells_its_author(cast, commit):
    from jobs.operations import start_plan_pdf

    plan = make_small_plan(cast.omsu)
    with commit():
        job = start_plan_pdf(cast.municipal, plan)
    [notification] = Notification.objects.filter(recipient=cast.municipal)
    assert notification.kind == Kind.JOB_FINISHED
    assert "файл готов" in notification.text
    assert notification.link == reverse("jobs:job-detail", args=[job.pk])


# E-mail preferences and unsubscribing --------------------------------------------------------


def test_digest_and_none_preferences_send_no_immediate_letter(cast, commit, smtp_server):
    EmailPreference.set_mode(cast.municipal, EmailPreference.Mode.DIGEST)
    plan = make_small_plan(cast.omsu, status="review")
    with commit():
        plan.return_for_revision(by=cast.operator, comment="Исправьте.")
    EmailPreference.set_mode(cast.operator, EmailPreference.Mode.NONE)
    with commit():
        plan.submit(by=cast.municipal)
    assert kinds(cast.municipal) == [Kind.PLAN_RETURNED]
    assert kinds(cast.operator) == [Kind.PLAN_SUBMITTED]
    assert smtp_server.messages == []


def test_the_settings_page_saves_the_choice_and_refuses_nonsense(cast, client_for):
    client = client_for(cast.school_user)
    page = client.get(reverse("notifications:settings"))
    assert re.search(r'value="immediate"[^>]*checked', page.content.decode())

    response = client.post(reverse("notifications:settings"), {"mode": "weekly"})
    assert response.status_code == 200
    assert "Выберите один из предложенных вариантов." in response.content.decode()
    assert not EmailPreference.objects.exists()

    response = client.post(reverse("notifications:settings"), {"mode": "digest"}, follow=True)
    assert "Настройки писем сохранены." in response.content.decode()
    assert EmailPreference.mode_of(cast.school_user) == EmailPreference.Mode.DIGEST


def test_the_unsubscribe_link_works_in_one_click_without_logging_in(cast):
    url = reverse("notifications:unsubscribe", args=[unsubscribe_token(cast.operator)])
    response = Client().get(url)
    assert response.status_code == 200
    assert "Письма отключены" in response.content.decode()
    assert EmailPreference.mode_of(cast.operator) == EmailPreference.Mode.NONE


def test_mail_clients_unsubscribe_by_post_without_a_csrf_token(cast):
    url = reverse("notifications:unsubscribe", args=[unsubscribe_token(cast.municipal)])
    response = Client(enforce_csrf_checks=True).post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert EmailPreference.mode_of(cast.municipal) == EmailPreference.Mode.NONE


def test_a_forged_unsubscribe_link_changes_nothing(cast):
    token = unsubscribe_token(cast.operator)
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    response = Client().get(reverse("notifications:unsubscribe", args=[forged]))
    assert response.status_code == 404
    assert "Ссылка недействительна" in response.content.decode()
    assert not EmailPreference.objects.exists()


# The page and the header ---------------------------------------------------------------------


def _notify(user, n=1, **kwargs):
    for i in range(n):
        kwargs.setdefault("kind", Kind.PLAN_APPROVED)
        Notification.objects.create(
            recipient=user, text=f"План № {i} утверждён.", link="/roadmaps/", **kwargs
        )


def test_the_list_shows_unread_first_and_marks_them_read(cast, client_for):
    _notify(cast.municipal, read_at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC))
    _notify(cast.municipal, 2)
    _notify(cast.operator)
    client = client_for(cast.municipal)
    html = client.get(reverse("notifications:list")).content.decode()
    assert "У вас 2 непрочитанных уведомления." in html
    ids = [int(pk) for pk in re.findall(r'id="notification-(\d+)"', html)]
    assert len(ids) == 3
    assert Notification.objects.get(pk=ids[-1]).read_at is not None

    # Without JS: a POST and back to the list.
    response = client.post(reverse("notifications:read", args=[ids[0]]))
    assert response.status_code == 302
    assert Notification.objects.get(pk=ids[0]).is_read
    # With htmx: the item alone comes back, read.
    response = client.post(reverse("notifications:read", args=[ids[1]]), HTTP_HX_REQUEST="true")
    assert 'id="notification-' in response.content.decode()
    assert "Отметить прочитанным" not in response.content.decode()
    assert (
        "У вас нет непрочитанных уведомлений."
        in client.get(reverse("notifications:list")).content.decode()
    )
    assert Notification.objects.filter(recipient=cast.operator, read_at__isnull=True).exists()


def test_opening_a_notification_from_the_list_marks_it_read(cast, client_for):
    _notify(cast.municipal)
    _notify(cast.operator)
    mine = Notification.objects.get(recipient=cast.municipal)
    other = Notification.objects.get(recipient=cast.operator)
    client = client_for(cast.municipal)
    assert (
        f'href="/notifications/{mine.pk}/open/"'
        in client.get(reverse("notifications:list")).content.decode()
    )
    response = client.get(reverse("notifications:open", args=[mine.pk]))
    assert (response.status_code, response["Location"]) == (302, "/roadmaps/")
    assert Notification.objects.get(pk=mine.pk).is_read
    assert client.get(reverse("notifications:open", args=[other.pk])).status_code == 404
    assert not Notification.objects.get(pk=other.pk).is_read


def test_mark_all_read_and_someone_elses_notification(cast, client_for):
    _notify(cast.operator)
    _notify(cast.municipal, 3)
    client = client_for(cast.municipal)
    other = Notification.objects.get(recipient=cast.operator)
    assert client.post(reverse("notifications:read", args=[other.pk])).status_code == 404
    assert client.get(reverse("notifications:read", args=[other.pk])).status_code == 405
    response = client.post(reverse("notifications:read-all"), follow=True)
    assert "Отмечено прочитанными: 3." in response.content.decode()
    assert not Notification.objects.filter(recipient=cast.municipal, read_at__isnull=True)
    assert Notification.objects.get(pk=other.pk).read_at is None


def test_the_header_counter_agrees_in_number(cast, client_for):
    client = client_for(cast.municipal)
    page = client.get(reverse("home")).content.decode()
    assert f'hx-get="{reverse("notifications:badge")}"' in page
    assert 'id="unread-count"' not in client.get(reverse("notifications:badge")).content.decode()
    for n, words in ((1, "1 непрочитанное уведомление"), (4, "4 непрочитанных уведомления")):
        Notification.objects.filter(recipient=cast.municipal).delete()
        _notify(cast.municipal, n)
        badge = client.get(reverse("notifications:badge")).content.decode()
        assert f'aria-hidden="true">{n}</span>' in badge
        assert f'<span class="visually-hidden">: {words}</span>' in badge
    _notify(cast.municipal, 7)
    badge = client.get(reverse("notifications:badge")).content.decode()
    assert ">11<" in badge and "11 непрочитанных уведомлений" in badge


def test_the_list_page_queries_do_not_grow_with_notifications(
    cast, client_for, django_assert_max_num_queries
):
    client = client_for(cast.municipal)
    _notify(cast.municipal, 2)
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("notifications:list"))
    _notify(cast.municipal, 40)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("notifications:list"))


# The API -------------------------------------------------------------------------------------


def test_the_api_lists_own_notifications_unread_first_and_marks_them_read(cast, api):
    _notify(cast.municipal, read_at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC))
    _notify(cast.municipal, 2, kind=Kind.PLAN_RETURNED)
    _notify(cast.operator)
    client = api("municipal")
    body = client.get("/api/v1/notifications/").json()
    assert body["count"] == 3
    assert [row["is_read"] for row in body["results"]] == [False, False, True]
    first = body["results"][0]
    assert first["kind"] == "plan_returned"
    assert first["kind_display"] == "план возвращён на доработку"
    assert first["url"].endswith("/roadmaps/")
    unread = client.get("/api/v1/notifications/", {"unread": "true"}).json()
    assert unread["count"] == 2

    marked = client.post(f"/api/v1/notifications/{first['id']}/read/").json()
    assert marked["is_read"] is True and marked["read_at"]
    assert client.post("/api/v1/notifications/read-all/").json() == {"marked": 1}
    assert client.get("/api/v1/notifications/", {"unread": "true"}).json()["count"] == 0

    other = Notification.objects.get(recipient=cast.operator)
    response = client.post(f"/api/v1/notifications/{other.pk}/read/")
    assert response.status_code == 404
    assert "другому пользователю" in response.json()["detail"]
    assert Notification.objects.get(pk=other.pk).read_at is None


def test_the_api_schema_describes_notifications(client_for, cast):
    schema = client_for(cast.operator).get("/api/schema/", HTTP_ACCEPT="application/json")
    paths = schema.json()["paths"]
    assert {"/api/v1/notifications/", "/api/v1/notifications/read-all/"} <= set(paths)
    assert "post" in paths["/api/v1/notifications/{id}/read/"]


def test_notifications_of_a_deleted_plan_go_with_it(cast, commit):
    plan = make_small_plan(cast.omsu)
    with commit():
        plan.submit(by=cast.municipal)
    Roadmap.objects.filter(pk=plan.pk).delete()
    # The notification stays (its text says what it was); its object is gone.
    assert Notification.objects.get().obj is None


def test_a_section_and_item_of_a_plan_can_be_named_without_a_directory_link(cast, commit):
    """A party that is not a directory organization tells nobody."""
    regional = make_small_plan(cast.institute)
    section = make_section(regional, number="2.", title="Методическое сопровождение")
    item = make_item(section, number="2.1.", title="Семинар")
    values = {
        "number": item.number,
        "title": item.title,
        "deadline_text": "март 2024",
        "result": "",
        "responsible": ["Все ОО"],
        "directions": [],
    }
    with commit():
        assert write_item(item, values, user=cast.operator)
    assert not Notification.objects.exists()


# Settings ------------------------------------------------------------------------------------

PRINT_MAIL = (
    "import json; from portal import settings as s; print(json.dumps([s.EMAIL_BACKEND, "
    "s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_USE_TLS, s.DEFAULT_FROM_EMAIL, "
    "s.PORTAL_BASE_URL, s.REMINDER_DAYS]))"
)


def _mail_settings(**env):
    import json
    import os
    import subprocess
    import sys

    names = ("EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_USE_TLS")
    environment = {k: v for k, v in os.environ.items() if k not in names}
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "-c", PRINT_MAIL],
        env={**environment, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    return result, json.loads(result.stdout) if result.returncode == 0 else None


def test_mail_settings_come_from_the_environment():
    _, defaults = _mail_settings()
    assert defaults[0] == "django.core.mail.backends.console.EmailBackend"
    assert defaults[6:] == ["http://127.0.0.1:8000", 7]
    _, production = _mail_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="smtp.example.ru",
        EMAIL_PORT="587",
        EMAIL_HOST_USER="portal@example.ru",
        EMAIL_USE_TLS="1",
        DEFAULT_FROM_EMAIL="Портал <portal@example.ru>",
        PORTAL_BASE_URL="https://portal.example.ru/",
        REMINDER_DAYS="3",
    )
    assert production == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.example.ru",
        587,
        "portal@example.ru",
        True,
        "Портал <portal@example.ru>",
        "https://portal.example.ru",
        3,
    ]
    for bad, message in (
        ({"EMAIL_PORT": "smtp"}, "EMAIL_PORT must be an integer"),
        ({"EMAIL_USE_TLS": "1", "EMAIL_USE_SSL": "1"}, "not both"),
        ({"REMINDER_DAYS": "0"}, "REMINDER_DAYS must be a positive number"),
    ):
        result, _ = _mail_settings(**bad)
        assert result.returncode != 0 and message in result.stderr
