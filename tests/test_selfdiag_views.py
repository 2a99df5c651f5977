"""Self-diagnosis pages: rounds, the questionnaire with autosave, results, review, plans."""

import datetime

import pytest
from django.urls import reverse

from orgs.models import Organization
from selfdiag.models import Answer, Round, Submission
from tests.factories import (
    make_methodology,
    make_round,
    make_school,
    make_submission,
    travel_to_september_2025,
)

ALL_FULL = {"Z1": "yes", "Z2": "full", "Z3": "yes", "V1": "full", "S1": "full", "S2": "yes"}


@pytest.fixture
def september_2025():
    with travel_to_september_2025():
        yield


@pytest.fixture
def round_(world):
    return make_round(
        world.region,
        [world.school, world.sibling_school, world.other_school],
        name="Самодиагностика — весна 2025",
    )


def url(name, round_, school=None):
    args = [round_.pk] if school is None else [round_.pk, school.pk]
    return reverse(f"selfdiag:{name}", args=args)


def htmx_post(client, path, data):
    return client.post(path, data, HTTP_HX_REQUEST="true")


# Rounds --------------------------------------------------------------------------------------


def test_operator_opens_a_round_for_every_school_of_the_region_by_default(
    world, client_for, september_2025
):
    methodology = make_methodology()
    client = client_for(world.operator)
    response = client.post(
        reverse("selfdiag:round-create"),
        {
            "region": world.region.pk,
            "name": "Самодиагностика — осень 2025",
            "opens_on": "2025-10-01",
            "closes_on": "2025-11-15",
            "methodology": methodology.pk,
        },
    )
    round_ = Round.objects.get(name="Самодиагностика — осень 2025")
    assert response.status_code == 302
    assert response["Location"] == url("round-detail", round_)
    assert set(round_.schools.all()) == {world.school, world.sibling_school, world.other_school}
    assert round_.created_by == world.operator
    assert round_.status == Round.Status.OPEN


def test_a_round_can_be_limited_to_one_municipality(world, client_for, september_2025):
    methodology = make_methodology()
    client_for(world.operator).post(
        reverse("selfdiag:round-create"),
        {
            "region": world.region.pk,
            "name": "Гатчина",
            "opens_on": "2025-10-01",
            "closes_on": "2025-11-15",
            "methodology": methodology.pk,
            "municipality": world.municipality.pk,
        },
    )
    assert set(Round.objects.get().schools.all()) == {world.school, world.sibling_school}


def test_round_form_keeps_what_was_typed_when_dates_are_reversed(world, client_for, september_2025):
    methodology = make_methodology()
    response = client_for(world.operator).post(
        reverse("selfdiag:round-create"),
        {
            "region": world.region.pk,
            "name": "Раунд с ошибкой в датах",
            "opens_on": "2025-11-15",
            "closes_on": "2025-10-01",
            "methodology": methodology.pk,
            "schools": [world.school.pk],
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Окончание раньше начала" in page
    assert 'value="Раунд с ошибкой в датах"' in page
    assert f'value="{world.school.pk}"' in page and "checked" in page
    assert not Round.objects.exists()


def test_schools_of_another_region_cannot_be_put_into_a_round(world, client_for, september_2025):
    methodology = make_methodology()
    response = client_for(world.operator).post(
        reverse("selfdiag:round-create"),
        {
            "region": world.region.pk,
            "name": "Раунд",
            "opens_on": "2025-10-01",
            "closes_on": "2025-11-15",
            "methodology": methodology.pk,
            "schools": [world.foreign_school.pk],
        },
    )
    assert response.status_code == 200
    assert not Round.objects.exists()


def test_operator_closes_and_reopens_a_round(world, client_for, round_):
    client = client_for(world.operator)
    client.post(url("round-status", round_), {"status": "closed"})
    round_.refresh_from_db()
    assert round_.status == Round.Status.CLOSED
    client.post(url("round-status", round_), {"status": "open"})
    round_.refresh_from_db()
    assert round_.status == Round.Status.OPEN


def test_municipal_coordinator_sees_only_schools_of_the_district_on_the_round_page(
    world, client_for, round_
):
    page = client_for(world.municipal).get(url("round-detail", round_)).content.decode()
    assert world.school.short_name in page
    assert world.sibling_school.short_name in page
    assert world.other_school.short_name not in page


def test_school_coordinator_sees_only_own_school_on_the_round_page(world, client_for, round_):
    page = client_for(world.school_user).get(url("round-detail", round_)).content.decode()
    assert world.school.short_name in page
    assert world.sibling_school.short_name not in page


def test_round_page_filters_by_status_and_level_and_shows_progress(world, client_for, round_):
    make_submission(round_, world.school, ALL_FULL, status="accepted")
    make_submission(round_, world.sibling_school, {"Z1": "yes"})
    client = client_for(world.operator)
    page = client.get(url("round-detail", round_)).content.decode()
    assert "Отправили <strong>1</strong> из <strong>3</strong> школ" in page

    accepted = client.get(url("round-detail", round_), {"status": "accepted"}).content.decode()
    assert world.school.short_name in accepted
    assert world.sibling_school.short_name not in accepted
    not_started = client.get(url("round-detail", round_), {"status": "none"}).content.decode()
    assert world.other_school.short_name in not_started
    assert world.school.short_name not in not_started
    high = client.get(url("round-detail", round_), {"level": "high"}).content.decode()
    assert world.school.short_name in high
    assert world.sibling_school.short_name not in high


def _round_with(world, count, methodology):
    schools = [make_school(world.municipality) for _ in range(count)]
    round_ = make_round(world.region, schools, methodology=methodology)
    for school in schools:
        make_submission(round_, school, {"Z1": "yes"}, status="submitted")
    return round_


def test_round_page_queries_do_not_grow_with_schools(
    world, client_for, django_assert_max_num_queries
):
    methodology = make_methodology()
    small = _round_with(world, 2, methodology)
    large = _round_with(world, 25, methodology)
    client = client_for(world.operator)
    client.get(url("round-detail", small))  # warm the methodology cache
    with django_assert_max_num_queries(12) as small_queries:
        client.get(url("round-detail", small))
    with django_assert_max_num_queries(len(small_queries)) as large_queries:
        response = client.get(url("round-detail", large))
    assert response.content.decode().count("результат</a>") == 25
    assert len(large_queries) == len(small_queries)


def test_round_list_shows_progress_of_the_users_scope(world, client_for, round_):
    make_submission(round_, world.school, ALL_FULL, status="submitted")
    make_submission(round_, world.other_school, ALL_FULL, status="submitted")
    page = client_for(world.municipal).get(reverse("selfdiag:round-list")).content.decode()
    assert "Самодиагностика — весна 2025" in page
    assert "1 из 2" in page
    operator_page = client_for(world.operator).get(reverse("selfdiag:round-list")).content.decode()
    assert "2 из 3" in operator_page


def test_outsider_does_not_see_rounds_of_another_region(world, client_for, round_):
    page = client_for(world.outsider).get(reverse("selfdiag:round-list")).content.decode()
    assert round_.name not in page


# The questionnaire ---------------------------------------------------------------------------


def test_questionnaire_asks_only_indicators_that_apply_to_the_school(world, client_for):
    basic = make_school(world.municipality, teaches_soo=False, has_ovz_pupils=True)
    round_ = make_round(world.region, [world.school, basic])
    client = client_for(world.operator)
    full_page = client.get(url("questionnaire", round_, world.school)).content.decode()
    basic_page = client.get(url("questionnaire", round_, basic)).content.decode()
    assert "профильного обучения" in full_page  # Z3, СОО only
    assert "профильного обучения" not in basic_page
    assert "с обучающимися с ОВЗ" not in full_page  # V2, ОВЗ only
    assert "с обучающимися с ОВЗ" in basic_page
    assert "Отвечено 0 из 6" in full_page
    assert "Отвечено 0 из 6" in basic_page


def test_questionnaire_groups_questions_by_direction_with_anchors(world, client_for, round_):
    page = client_for(world.school_user).get(url("questionnaire", round_, world.school))
    html = page.content.decode()
    for code in ("znanie", "vospitanie", "sreda"):
        assert f'href="#dir-{code}"' in html
        assert f'id="dir-{code}"' in html
    assert 'hx-post="' + url("answer", round_, world.school) in html
    assert 'hx-trigger="change"' in html


def test_autosave_saves_one_answer_and_updates_the_progress(world, client_for, round_):
    client = client_for(world.school_user)
    response = htmx_post(
        client, url("answer", round_, world.school), {"indicator": "Z2", "option": "partly"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Сохранено" in html
    assert 'id="progress" hx-swap-oob="true"' in html
    assert "Отвечено 1 из 6" in html
    assert 'id="nav-count-znanie" hx-swap-oob="true">1/3' in html
    submission = Submission.objects.get(round=round_, school=world.school)
    assert submission.status == Submission.Status.DRAFT
    assert submission.answers_by_code() == {"Z2": "partly"}


def test_autosave_is_a_few_statements_whatever_was_answered_before(
    world, client_for, round_, django_assert_max_num_queries
):
    """Session, user, scope, round, school; then lock the submission, UPDATE the answer
    (INSERT the first time), touch the submission, read the answered ids for the counts (in a
    test also the SAVEPOINT and RELEASE of the transaction). No page render and no query per
    question, however many are already answered."""
    client = client_for(world.school_user)
    answer_url = url("answer", round_, world.school)
    htmx_post(client, answer_url, {"indicator": "Z1", "option": "yes"})
    with django_assert_max_num_queries(12):
        first = htmx_post(client, answer_url, {"indicator": "Z2", "option": "partly"})
    for code, option in ALL_FULL.items():
        htmx_post(client, answer_url, {"indicator": code, "option": option})
    with django_assert_max_num_queries(11):
        again = htmx_post(client, answer_url, {"indicator": "Z2", "option": "partly"})
    assert "Отвечено 2 из 6" in first.content.decode()
    html = again.content.decode()
    assert "Отвечено 6 из 6" in html
    assert 'id="nav-count-znanie" hx-swap-oob="true">3/3' in html
    assert "Без ответа:" not in html
    submission = Submission.objects.get(round=round_, school=world.school)
    assert submission.answers_by_code() == {**ALL_FULL, "Z2": "partly"}
    assert Answer.objects.get(submission=submission, indicator__code="Z2").answered_by == (
        world.school_user
    )


def test_answers_from_two_tabs_are_both_kept_and_a_changed_answer_replaces_the_old(
    world, client_for, round_
):
    client = client_for(world.school_user)
    answer_url = url("answer", round_, world.school)
    htmx_post(client, answer_url, {"indicator": "Z1", "option": "yes"})
    htmx_post(client, answer_url, {"indicator": "S1", "option": "partly"})
    htmx_post(client, answer_url, {"indicator": "S1", "option": "full"})
    submission = Submission.objects.get()
    assert submission.answers_by_code() == {"Z1": "yes", "S1": "full"}
    assert Answer.objects.count() == 2


def test_saved_answers_are_checked_when_the_questionnaire_is_opened_again(
    world, client_for, round_
):
    make_submission(round_, world.school, {"Z2": "partly"})
    page = client_for(world.school_user).get(url("questionnaire", round_, world.school))
    assert 'value="partly" checked' in page.content.decode()
    assert "Отвечено 1 из 6" in page.content.decode()


def test_an_answer_to_an_indicator_the_school_is_not_asked_is_refused(world, client_for):
    basic = make_school(world.municipality, teaches_soo=False)
    round_ = make_round(world.region, [basic])
    client = client_for(world.operator)
    response = htmx_post(client, url("answer", round_, basic), {"indicator": "Z3", "option": "yes"})
    assert response.status_code == 400
    response = htmx_post(client, url("answer", round_, basic), {"indicator": "Z1", "option": "42"})
    assert response.status_code == 400
    assert not Answer.objects.exists()


def test_answers_cannot_change_after_submitting(world, client_for, round_):
    make_submission(round_, world.school, ALL_FULL, status="submitted")
    client = client_for(world.school_user)
    response = htmx_post(
        client, url("answer", round_, world.school), {"indicator": "Z1", "option": "no"}
    )
    assert response.status_code == 409
    assert "не сохранён" in response.content.decode()
    assert Submission.objects.get().answers_by_code()["Z1"] == "yes"
    page = client.get(url("questionnaire", round_, world.school)).content.decode()
    assert "только для чтения" in page
    assert "hx-post" not in page
    assert "disabled" in page


def test_answering_in_a_closed_round_starts_no_questionnaire(world, client_for, round_):
    round_.close()
    response = htmx_post(
        client_for(world.school_user),
        url("answer", round_, world.school),
        {"indicator": "Z1", "option": "yes"},
    )
    assert response.status_code == 409
    assert "раунд закрыт" in response.content.decode()
    assert not Submission.objects.filter(round=round_, school=world.school).exists()


def test_a_draft_cannot_change_once_the_round_is_closed(world, client_for, round_):
    make_submission(round_, world.school, {"Z1": "yes"})
    round_.close()
    response = htmx_post(
        client_for(world.school_user),
        url("answer", round_, world.school),
        {"indicator": "Z1", "option": "no"},
    )
    assert response.status_code == 409


def test_viewer_reads_the_questionnaire_but_cannot_answer(world, client_for, round_):
    client = client_for(world.viewer)
    assert (
        "только для чтения"
        in client.get(url("questionnaire", round_, world.school)).content.decode()
    )
    response = htmx_post(
        client, url("answer", round_, world.school), {"indicator": "Z1", "option": "no"}
    )
    assert response.status_code == 403


def test_submit_button_warns_that_unanswered_questions_count_as_zero(world, client_for, round_):
    make_submission(round_, world.school, {"Z1": "yes"})
    page = client_for(world.school_user).get(url("questionnaire", round_, world.school))
    html = page.content.decode()
    assert "Без ответа: 5" in html
    assert (
        'data-confirm="Без ответа осталось вопросов: 5. Они будут засчитаны как 0 баллов.' in html
    )


def test_submitting_scores_the_answers_and_opens_the_result(world, client_for, round_):
    make_submission(round_, world.school, {"Z1": "yes", "Z2": "full", "V1": "full"})
    client = client_for(world.school_user)
    response = client.post(url("submit", round_, world.school), follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == url("result", round_, world.school)
    assert "Без ответа осталось 3 вопроса: засчитано 0 баллов" in html
    submission = Submission.objects.get()
    assert submission.status == Submission.Status.SUBMITTED
    assert submission.submitted_by == world.school_user
    assert (submission.total_points, submission.max_points) == (5, 9)


# Privacy -------------------------------------------------------------------------------------


def test_a_school_never_sees_another_schools_answers_or_results(world, client_for, round_):
    make_submission(round_, world.sibling_school, ALL_FULL, status="accepted")
    client = client_for(world.school_user)
    assert client.get(url("questionnaire", round_, world.sibling_school)).status_code == 404
    assert client.get(url("result", round_, world.sibling_school)).status_code == 404
    assert client.get(url("plan-from-deficits", round_, world.sibling_school)).status_code == 404
    export = client.get(url("round-export", round_))
    assert export.status_code == 200
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    assert [row[1] for row in sheet.iter_rows(min_row=3, values_only=True)] == []


def test_outsider_gets_not_found_for_the_round_and_its_schools(world, client_for, round_):
    make_submission(round_, world.school, ALL_FULL, status="submitted")
    client = client_for(world.outsider)
    assert client.get(url("round-detail", round_)).status_code == 404
    assert client.get(url("result", round_, world.school)).status_code == 404
    response = client.post(url("review", round_, world.school), {"action": "accept"})
    assert response.status_code == 404


# Review --------------------------------------------------------------------------------------


def test_operator_accepts_a_submission(world, client_for, round_):
    submission = make_submission(round_, world.school, ALL_FULL, status="submitted")
    client_for(world.operator).post(url("review", round_, world.school), {"action": "accept"})
    submission.refresh_from_db()
    assert submission.status == Submission.Status.ACCEPTED
    assert submission.reviewed_by == world.operator


def test_municipal_coordinator_returns_a_submission_and_the_school_sees_the_comment(
    world, client_for, round_
):
    submission = make_submission(round_, world.school, ALL_FULL, status="submitted")
    client_for(world.municipal).post(
        url("review", round_, world.school),
        {"action": "return", "comment": "Z2: курсы внеурочной деятельности не подтверждены."},
    )
    submission.refresh_from_db()
    assert submission.status == Submission.Status.RETURNED

    client = client_for(world.school_user)
    page = client.get(url("questionnaire", round_, world.school)).content.decode()
    assert "Анкета возвращена на доработку" in page
    assert "Z2: курсы внеурочной деятельности не подтверждены." in page
    assert "hx-post" in page  # editable again
    home = client.get(reverse("home")).content.decode()
    assert "возвращена на доработку" in home

    htmx_post(client, url("answer", round_, world.school), {"indicator": "Z2", "option": "partly"})
    client.post(url("submit", round_, world.school))
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED
    assert submission.total_points == 8


def test_returning_without_a_comment_is_refused(world, client_for, round_):
    submission = make_submission(round_, world.school, ALL_FULL, status="submitted")
    response = client_for(world.operator).post(
        url("review", round_, world.school), {"action": "return", "comment": ""}, follow=True
    )
    assert "Напишите, что нужно исправить" in response.content.decode()
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED


def test_school_coordinator_cannot_accept_own_submission(world, client_for, round_):
    submission = make_submission(round_, world.school, ALL_FULL, status="submitted")
    response = client_for(world.school_user).post(
        url("review", round_, world.school), {"action": "accept"}
    )
    assert response.status_code == 403
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED


def test_municipal_coordinator_cannot_review_a_school_of_another_district(
    world, client_for, round_
):
    make_submission(round_, world.other_school, ALL_FULL, status="submitted")
    response = client_for(world.municipal).post(
        url("review", round_, world.other_school), {"action": "accept"}
    )
    assert response.status_code == 404


# The result page ------------------------------------------------------------------------------


def test_result_page_shows_levels_chart_and_deficits_critical_first(world, client_for, round_):
    make_submission(
        round_,
        world.school,
        {"Z1": "no", "Z2": "partly", "Z3": "yes", "V1": "full", "S1": "full", "S2": "yes"},
        status="submitted",
    )
    html = client_for(world.school_user).get(url("result", round_, world.school)).content.decode()
    assert 'class="badge level-below_base">ниже базового' in html
    assert "<svg" in html and 'role="img"' in html
    assert html.count('class="chart-threshold"') >= 9  # three thresholds on each of three bars
    assert 'class="chart-bar level-high"' in html  # Воспитание: 2 of 2
    assert "style=" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]
    critical = html.index("Реализация федеральных рабочих программ")
    ordinary = html.index("Реализация курсов внеурочной деятельности")
    assert critical < ordinary
    assert "Создать мероприятия из дефицитов" in html
    assert "Проверка достоверности" not in html  # the school does not review itself


def test_result_page_shows_the_change_since_the_previous_round(world, client_for):
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
    make_submission(autumn, world.school, {**ALL_FULL, "Z2": "no"}, status="submitted")
    html = client_for(world.school_user).get(url("result", autumn, world.school)).content.decode()
    assert "По сравнению с раундом «Весна»" in html
    assert "+2" in html  # 5 -> 7 points in total
    assert "−2" in html  # Знание: 4 -> 2
    assert 'class="change change-up"' in html  # Воспитание: below_base -> high
    assert 'class="change change-down"' in html


def test_result_page_queries_do_not_grow_with_indicators(
    world, client_for, django_assert_max_num_queries
):
    small = make_round(world.region, [world.school], methodology=make_methodology())
    make_submission(small, world.school, {"Z1": "yes"}, status="submitted")
    demo = make_round(world.region, [world.school], methodology=make_methodology(demo=True))
    make_submission(demo, world.school, {"Z1": "yes", "Z2": "yes"}, status="submitted")
    client = client_for(world.operator)
    client.get(url("result", small, world.school))
    client.get(url("result", demo, world.school))
    with django_assert_max_num_queries(15) as small_queries:
        client.get(url("result", small, world.school))
    with django_assert_max_num_queries(len(small_queries)) as demo_queries:
        response = client.get(url("result", demo, world.school))
    assert response.content.decode().count('class="chart-bar level-') >= 8
    assert len(demo_queries) == len(small_queries)


def test_result_page_without_a_sent_submission_leads_to_the_questionnaire(
    world, client_for, round_
):
    make_submission(round_, world.school, {"Z1": "yes"})
    response = client_for(world.school_user).get(url("result", round_, world.school))
    assert response.status_code == 302
    assert response["Location"] == url("questionnaire", round_, world.school)


# Plans from deficits: tests/test_plan_from_deficits.py


# The home page -------------------------------------------------------------------------------


def test_school_sees_the_open_round_and_its_latest_result_on_the_home_page(world, client_for):
    methodology = make_methodology()
    earlier = make_round(
        world.region,
        [world.school],
        methodology=methodology,
        name="Весна 2025",
        status="closed",
    )
    make_submission(earlier, world.school, ALL_FULL, status="accepted")
    current = make_round(
        world.region,
        [world.school],
        methodology=methodology,
        name="Осень 2025",
        closes_on=datetime.date(2025, 11, 30),
    )
    html = client_for(world.school_user).get(reverse("home")).content.decode()
    assert "Открыт раунд «Осень 2025»" in html
    assert url("questionnaire", current, world.school) in html
    assert "Заполнить анкету" in html
    assert "Последний результат — «Весна 2025»" in html
    assert 'class="badge level-high"' in html


def test_operator_sees_the_progress_of_rounds_on_the_home_page(world, client_for, round_):
    make_submission(round_, world.school, ALL_FULL, status="submitted")
    html = client_for(world.operator).get(reverse("home")).content.decode()
    assert url("round-detail", round_) in html
    assert "1 из 3" in html


def test_superuser_home_page_still_opens(world, superuser, client_for, round_):
    assert client_for(superuser).get(reverse("home")).status_code == 200


def test_only_schools_can_be_put_into_rounds_in_the_form(world, client_for):
    make_methodology()
    page = client_for(world.operator).get(reverse("selfdiag:round-create")).content.decode()
    assert world.school.short_name in page
    assert Organization.objects.get(pk=world.omsu.pk).short_name not in page
