"""Self-diagnosis as domain operations: starting, sending and reviewing a school's questionnaire
(selfdiag.models.Submission), who may do what (the require_* helpers of selfdiag.access) and a
round's progress (SubmissionQuerySet.progress), apart from the pages and the API that call them.
A refused step writes nothing; the page and the API give the same reason for the same refusal.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from orgs.models import Organization
from selfdiag.access import (
    READ_ONLY_MESSAGE,
    REVIEWERS_MESSAGE,
    ROUND_MANAGERS_MESSAGE,
    ROUND_OPENERS_MESSAGE,
    require_can_answer,
    require_can_plan,
    require_can_review,
    require_round_manager,
    require_round_opener,
)
from selfdiag.models import DirectionResult, Round, Submission, SubmissionError
from selfdiag.plans import PLAN_WRITERS_MESSAGE
from selfdiag.querysets import Progress
from selfdiag.rounds import progress_by_municipality
from tests.factories import make_api_client, make_round, make_school, make_submission

ALL_FULL = {"Z1": "yes", "Z2": "full", "Z3": "yes", "V1": "full", "S1": "full", "S2": "yes"}


@pytest.fixture
def round_(world):
    return make_round(world.region, [world.school, world.sibling_school, world.other_school])


def _row(submission) -> dict:
    """Everything stored of a submission, to show that a refused step changed nothing."""
    return {
        **Submission.objects.filter(pk=submission.pk).values().get(),
        "results": DirectionResult.objects.filter(submission=submission).count(),
    }


def _refused(step, message: str, submission) -> None:
    before = _row(submission)
    with pytest.raises(SubmissionError) as refusal:
        step()
    assert str(refusal.value) == message
    assert _row(submission) == before


# Starting --------------------------------------------------------------------------------------


def test_starting_a_questionnaire_creates_a_draft_once(world, round_):
    submission, created = Submission.start(round_, world.school)
    assert created and submission.status == Submission.Status.DRAFT
    again, created_again = Submission.start(round_, world.school)
    assert (again.pk, created_again) == (submission.pk, False)
    assert Submission.objects.filter(round=round_, school=world.school).count() == 1


def test_a_questionnaire_is_not_started_in_a_closed_round(world, round_):
    round_.close()
    with pytest.raises(SubmissionError) as refusal:
        Submission.start(round_, world.school)
    assert str(refusal.value) == "Раунд закрыт: новую анкету не начать."
    assert not Submission.objects.exists()


def test_an_existing_questionnaire_of_a_closed_round_is_returned_not_refused(world, round_):
    draft = make_submission(round_, world.school, {"Z1": "yes"})
    round_.close()
    assert Submission.start(round_, world.school) == (draft, False)


# Sending ---------------------------------------------------------------------------------------


def test_sending_a_draft_stores_its_result(world, round_):
    submission = make_submission(round_, world.school, {"Z1": "yes", "Z2": "full"})
    submission.submit(by=world.school_user)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED
    assert submission.submitted_by == world.school_user
    assert submission.submitted_at is not None and submission.is_scored
    assert submission.unanswered_count == 4
    assert DirectionResult.objects.filter(submission=submission).count() == 3


def test_a_returned_questionnaire_is_sent_again_even_in_a_closed_round(world, round_):
    submission = make_submission(round_, world.school, ALL_FULL, status="returned")
    round_.close()
    submission.submit(by=world.school_user)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED


@pytest.mark.parametrize(
    ("status", "message"),
    [
        ("submitted", "Анкета уже отправлена: отправить её ещё раз нельзя."),
        ("accepted", "Анкета уже принята: отправить её ещё раз нельзя."),
    ],
)
def test_a_sent_questionnaire_is_not_sent_again(world, round_, status, message):
    submission = make_submission(round_, world.school, ALL_FULL, status=status)
    _refused(lambda: submission.submit(by=world.school_user), message, submission)


def test_a_draft_of_a_closed_round_is_not_sent(world, round_):
    submission = make_submission(round_, world.school, ALL_FULL)
    round_.close()
    submission.round = round_
    _refused(
        lambda: submission.submit(by=world.school_user),
        "Раунд закрыт: анкету больше не отправить.",
        submission,
    )


def test_sending_reads_the_state_under_the_lock_not_the_copy_in_memory(world, round_):
    submission = make_submission(round_, world.school, ALL_FULL)
    stale = Submission.objects.get(pk=submission.pk)
    submission.submit(by=world.school_user)
    _refused(
        lambda: stale.submit(by=world.municipal),
        "Анкета уже отправлена: отправить её ещё раз нельзя.",
        submission,
    )
    assert stale.status == Submission.Status.SUBMITTED


def test_a_round_closed_meanwhile_stops_sending_a_draft(world, round_):
    submission = Submission.objects.select_related("round").get(
        pk=make_submission(round_, world.school, ALL_FULL).pk
    )
    Round.objects.get(pk=round_.pk).close()
    assert submission.round.is_open  # the copy in memory does not know yet
    _refused(
        lambda: submission.submit(by=world.school_user),
        "Раунд закрыт: анкету больше не отправить.",
        submission,
    )


# Reviewing -------------------------------------------------------------------------------------


def test_accepting_a_sent_questionnaire_records_the_reviewer_and_the_comment(world, round_):
    submission = make_submission(round_, world.school, ALL_FULL, status="submitted")
    submission.review(by=world.operator, accept=True, comment="  Всё подтверждено.  ")
    submission.refresh_from_db()
    assert submission.status == Submission.Status.ACCEPTED
    assert submission.reviewed_by == world.operator and submission.reviewed_at is not None
    assert submission.review_comment == "Всё подтверждено."


def test_accepting_without_a_comment_keeps_the_one_written_before(world, round_):
    submission = make_submission(round_, world.school, ALL_FULL, status="returned")
    submission.submit(by=world.school_user)
    submission.review(by=world.operator, accept=True)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.ACCEPTED
    assert submission.review_comment == "Проверьте ответы."


@pytest.mark.parametrize("status", ["submitted", "accepted"])
def test_a_sent_or_accepted_questionnaire_is_returned_with_what_to_correct(world, round_, status):
    submission = make_submission(round_, world.school, ALL_FULL, status=status)
    submission.review(by=world.municipal, accept=False, comment="Проверьте S1.")
    submission.refresh_from_db()
    assert submission.status == Submission.Status.RETURNED
    assert submission.reviewed_by == world.municipal
    assert submission.review_comment == "Проверьте S1."
    assert submission.is_editable


@pytest.mark.parametrize(
    ("status", "message"),
    [
        ("draft", "Принять можно только отправленную анкету; эта анкета заполняется."),
        (
            "returned",
            "Принять можно только отправленную анкету; эта анкета возвращена на доработку.",
        ),
        ("accepted", "Принять можно только отправленную анкету; эта анкета принята."),
    ],
)
def test_only_a_sent_questionnaire_is_accepted(world, round_, status, message):
    submission = make_submission(round_, world.school, ALL_FULL, status=status)
    _refused(lambda: submission.review(by=world.operator, accept=True), message, submission)


@pytest.mark.parametrize(
    ("status", "label"), [("draft", "заполняется"), ("returned", "возвращена на доработку")]
)
def test_only_a_sent_or_accepted_questionnaire_is_returned(world, round_, status, label):
    submission = make_submission(round_, world.school, ALL_FULL, status=status)
    _refused(
        lambda: submission.review(by=world.operator, accept=False, comment="Проверьте S1."),
        f"Вернуть можно только отправленную или принятую анкету; эта анкета {label}.",
        submission,
    )


@pytest.mark.parametrize("comment", ["", "   \n"])
def test_returning_needs_a_comment(world, round_, comment):
    submission = make_submission(round_, world.school, ALL_FULL, status="submitted")
    _refused(
        lambda: submission.review(by=world.operator, accept=False, comment=comment),
        "Напишите, что нужно исправить.",
        submission,
    )


def test_of_two_reviewers_the_second_sees_what_the_first_decided(world, round_):
    submission = make_submission(round_, world.school, ALL_FULL, status="submitted")
    stale = Submission.objects.get(pk=submission.pk)
    submission.review(by=world.municipal, accept=False, comment="Проверьте S1.")
    _refused(
        lambda: stale.review(by=world.operator, accept=True),
        "Принять можно только отправленную анкету; эта анкета возвращена на доработку.",
        submission,
    )


# Who may ---------------------------------------------------------------------------------------


def _reason(check) -> str | None:
    try:
        check()
    except PermissionDenied as refusal:
        return str(refusal)
    return None


def test_writers_of_the_school_answer_and_a_viewer_reads_only(world):
    assert _reason(lambda: require_can_answer(world.school_user, world.school)) is None
    assert _reason(lambda: require_can_answer(world.municipal, world.school)) is None
    assert _reason(lambda: require_can_answer(world.viewer, world.school)) == READ_ONLY_MESSAGE
    assert _reason(lambda: require_can_plan(world.viewer, world.school)) == PLAN_WRITERS_MESSAGE
    assert _reason(lambda: require_can_plan(world.school_user, world.school)) is None


def test_the_municipality_and_the_region_review_but_not_the_school_itself(world):
    assert _reason(lambda: require_can_review(world.operator, world.other_school)) is None
    assert _reason(lambda: require_can_review(world.municipal, world.school)) is None
    for user, school in [
        (world.school_user, world.school),
        (world.municipal, world.other_school),
        (world.viewer, world.school),
    ]:
        assert _reason(lambda u=user, s=school: require_can_review(u, s)) == REVIEWERS_MESSAGE


def test_only_the_regional_operator_opens_and_closes_rounds(world, round_):
    assert _reason(lambda: require_round_manager(world.operator, round_)) is None
    assert require_round_opener(world.operator) == [world.region]
    for user in (world.municipal, world.school_user, world.viewer):
        assert _reason(lambda u=user: require_round_manager(u, round_)) == ROUND_MANAGERS_MESSAGE
        assert _reason(lambda u=user: require_round_opener(u)) == ROUND_OPENERS_MESSAGE


# The same reason on the page and in the API ----------------------------------------------------


def _page_reason(client, method: str, path: str) -> str:
    response = getattr(client, method)(path)
    assert response.status_code == 403, response.content
    return response.content.decode()


@pytest.mark.parametrize(
    ("role", "page", "api", "message"),
    [
        ("viewer", ("post", "selfdiag:answer", "school"), "answers", READ_ONLY_MESSAGE),
        ("viewer", ("post", "selfdiag:submit", "school"), "submit", READ_ONLY_MESSAGE),
        ("school", ("post", "selfdiag:review", "school"), "review", REVIEWERS_MESSAGE),
        (
            "viewer",
            ("get", "selfdiag:plan-from-deficits", "school"),
            "plan-from-deficits",
            PLAN_WRITERS_MESSAGE,
        ),
        (
            "municipal",
            ("post", "selfdiag:round-status", None),
            "round-close",
            ROUND_MANAGERS_MESSAGE,
        ),
        ("municipal", ("get", "selfdiag:round-create", ""), "round-list", ROUND_OPENERS_MESSAGE),
    ],
)
def test_the_page_and_the_api_refuse_with_the_same_reason(
    world, client_for, round_, role, page, api, message
):
    users = {"viewer": world.viewer, "school": world.school_user, "municipal": world.municipal}
    user = users[role]
    submission = make_submission(round_, world.school, ALL_FULL, status="submitted")
    before = _row(submission)
    method, name, school = page
    args = [] if school == "" else [round_.pk] if school is None else [round_.pk, world.school.pk]
    assert message in _page_reason(client_for(user), method, reverse(name, args=args))

    if api.startswith("round-"):
        path = reverse(f"api:{api}", args=[] if api == "round-list" else [round_.pk])
    else:
        path = reverse(f"api:submission-{api}", args=[submission.pk])
    payload = {"action": "accept"} if api == "review" else {"answers": {"Z1": "no"}}
    response = make_api_client(user).post(path, payload, format="json")
    assert response.status_code == 403, response.content
    assert response.json()["detail"] == message
    assert _row(submission) == before
    round_.refresh_from_db()
    assert round_.is_open and Round.objects.count() == 1


def test_the_page_and_the_api_refuse_to_send_a_sent_questionnaire_with_the_same_words(
    world, client_for, round_
):
    submission = make_submission(round_, world.school, ALL_FULL, status="submitted")
    message = "Анкета уже отправлена: отправить её ещё раз нельзя."
    page = client_for(world.school_user).post(
        reverse("selfdiag:submit", args=[round_.pk, world.school.pk]), follow=True
    )
    assert message in page.content.decode()
    response = make_api_client(world.school_user).post(
        reverse("api:submission-submit", args=[submission.pk])
    )
    assert (response.status_code, response.json()["detail"]) == (409, message)


def test_the_page_and_the_api_refuse_to_accept_a_returned_questionnaire_with_the_same_words(
    world, client_for, round_
):
    submission = make_submission(round_, world.school, ALL_FULL, status="returned")
    message = "Принять можно только отправленную анкету; эта анкета возвращена на доработку."
    page = client_for(world.operator).post(
        reverse("selfdiag:review", args=[round_.pk, world.school.pk]),
        {"action": "accept"},
        follow=True,
    )
    assert message in page.content.decode()
    response = make_api_client(world.operator).post(
        reverse("api:submission-review", args=[submission.pk]), {"action": "accept"}
    )
    assert (response.status_code, response.json()["detail"]) == (409, message)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.RETURNED


# Progress --------------------------------------------------------------------------------------


@pytest.fixture
def busy_round(world, round_):
    """One school in each state but «not started»: the school's and its sibling's district
    (Гатчинский) and the other district (Лужский)."""
    make_submission(round_, world.school, ALL_FULL, status="submitted")
    make_submission(round_, world.sibling_school, {"Z1": "yes"})
    make_submission(round_, world.other_school, ALL_FULL, status="accepted")
    return round_


def test_progress_counts_questionnaires_by_state(busy_round):
    (row,) = Submission.objects.filter(round=busy_round).progress("round_id")
    assert row == {
        "round_id": busy_round.pk,
        "started": 3,
        "draft": 1,
        "submitted": 1,
        "returned": 0,
        "accepted": 1,
        "done": 2,
    }


def test_rounds_carry_the_progress_of_the_schools_asked_about(world, busy_round):
    empty = make_round(world.region, [world.school], name="Осень 2025")
    rounds = {
        r.pk: r for r in Round.objects.with_progress(Organization.objects.for_user(world.municipal))
    }
    mine = rounds[busy_round.pk]
    assert (mine.school_total, mine.started, mine.draft, mine.done) == (2, 2, 1, 1)
    assert (rounds[empty.pk].school_total, rounds[empty.pk].done) == (1, 0)
    everyone = Round.objects.with_progress(Organization.objects.all()).get(pk=busy_round.pk)
    assert (everyone.school_total, everyone.done, everyone.accepted) == (3, 2, 1)


def test_a_questionnaire_of_a_school_taken_out_of_the_round_is_not_counted(world, busy_round):
    busy_round.schools.remove(world.other_school)
    counted = Round.objects.with_progress(Organization.objects.all()).get(pk=busy_round.pk)
    assert (counted.school_total, counted.started, counted.done) == (2, 2, 1)
    assert sum(progress_by_municipality(world.operator, busy_round), Progress()).done == 1


def test_progress_by_municipality_adds_up_to_the_round(world, busy_round):
    extra = make_school(world.municipality, short_name="МБОУ «Гатчинская СОШ № 4»")
    busy_round.schools.add(extra)
    lines = progress_by_municipality(world.operator, busy_round)
    assert [(line.name, line.total, line.started, line.done) for line in lines] == [
        ("Гатчинский муниципальный округ", 3, 2, 1),
        ("Лужский муниципальный район", 1, 1, 1),
    ]
    total = sum(lines, Progress())
    assert (total.total, total.not_started, total.draft, total.done) == (4, 1, 1, 2)
    mine = progress_by_municipality(world.municipal, busy_round)
    assert [(line.name, line.total) for line in mine] == [("Гатчинский муниципальный округ", 3)]


def test_the_round_page_the_list_the_home_page_and_the_api_count_alike(
    world, client_for, busy_round
):
    client = client_for(world.municipal)
    detail = client.get(reverse("selfdiag:round-detail", args=[busy_round.pk]))
    counts = detail.context["counts"]
    assert (counts.total, counts.done, counts.draft, counts.not_started) == (2, 1, 1, 0)
    assert "1 из 2" in client.get(reverse("selfdiag:round-list")).content.decode()
    assert "1 из 2" in client.get(reverse("home")).content.decode()
    body = make_api_client(world.municipal).get(reverse("api:round-detail", args=[busy_round.pk]))
    assert (body.json()["school_count"], body.json()["done_count"]) == (2, 1)


def test_the_autosave_finds_only_a_school_of_the_round_in_the_users_scope(world, client_for):
    """The autosave looks up the round and the school in one query (access.get_round_and_school):
    a school outside the user's scope, or in scope but not taking part in the round, is a 404
    with nothing saved; the same school in a round it takes part in is saved."""
    round_ = make_round(world.region, [world.school, world.other_school])
    not_in_round = world.sibling_school
    municipal = client_for(world.municipal)

    def post(school):
        path = reverse("selfdiag:answer", args=[round_.pk, school.pk])
        return municipal.post(path, {"indicator": "Z1", "option": "yes"}, HTTP_HX_REQUEST="true")

    assert post(world.other_school).status_code == 404  # another municipality's school
    assert post(not_in_round).status_code == 404  # in scope, not in the round
    assert not Submission.objects.filter(round=round_).exists()
    assert post(world.school).status_code == 200
    saved = Submission.objects.get(round=round_, school=world.school)
    assert dict(saved.answers.values_list("indicator__code", "option__code")) == {"Z1": "yes"}
    missing_round = reverse("selfdiag:answer", args=[round_.pk + 1000, world.school.pk])
    assert municipal.post(missing_round, {"indicator": "Z1", "option": "no"}).status_code == 404
