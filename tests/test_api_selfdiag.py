"""The self-diagnosis API: what each role sees, who writes what, the workflow as the pages run
it, results and deficits, the deficit map (JSON, Excel, PDF) and query counts.

The spring round of the region has three schools (the small test methodology, see
tests/test_deficit_map.py for the levels counted by hand):

    school           Гатчинская СОШ № 1   sent: Знание high, Воспитание base, Среда high; 1 deficit
    sibling          Гатчинская СОШ № 2   a draft with one answer (nothing counted)
    other            Лужская СОШ № 3      accepted: overall below base; 4 deficits
    foreign          the outsider's school, in a round of Тюменская область: sent, 1 deficit
"""

import datetime
import io
import re
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from selfdiag.models import Answer, Deficit, DirectionResult, Round, Submission
from tests.factories import (
    make_api_client,
    make_methodology,
    make_round,
    make_school,
    make_scored_submissions,
    make_submission,
    make_user,
)
from tests.test_deficit_map import EVERYTHING, SPRING

ROLES = ("anonymous", "operator", "municipal", "school", "viewer", "outsider", "superuser")
CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
READ_ONLY = "У вас есть доступ к этой анкете только для чтения."
REVIEWERS = "Проверяет анкету региональный оператор или муниципальный координатор."


@dataclass
class Data:
    methodology: object
    round: Round
    foreign_round: Round
    school: Submission
    sibling: Submission
    other: Submission
    foreign: Submission


@pytest.fixture
def data(world):
    methodology = make_methodology()
    round_ = make_round(
        world.region,
        [world.school, world.sibling_school, world.other_school],
        methodology,
        name="Весна 2025",
    )
    foreign_round = make_round(
        world.foreign_region, [world.foreign_school], methodology, name="Тюмень: весна 2025"
    )
    return Data(
        methodology=methodology,
        round=round_,
        foreign_round=foreign_round,
        school=make_submission(round_, world.school, SPRING["school"], status="submitted"),
        sibling=make_submission(round_, world.sibling_school, {"Z1": "yes"}),
        other=make_submission(
            round_, world.other_school, SPRING["other_school"], status="accepted"
        ),
        foreign=make_submission(
            foreign_round, world.foreign_school, SPRING["school"], status="submitted"
        ),
    )


def _results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def _ids(response):
    return {row["id"] for row in _results(response)}


def _url(name, *args):
    return reverse(f"api:{name}", args=args)


def _submission_url(submission, action="detail"):
    return _url(f"submission-{action}", submission.pk)


def _detail_text(response):
    detail = response.json()["detail"]
    assert CYRILLIC.search(detail), detail
    return detail


# What each role sees

VISIBLE_SUBMISSIONS = {
    "operator": {"school", "sibling", "other"},
    "municipal": {"school", "sibling"},
    "school": {"school"},
    "viewer": {"school", "sibling", "other"},
    "outsider": {"foreign"},
    "superuser": {"school", "sibling", "other", "foreign"},
}
# Results count from sent and accepted questionnaires: the sibling's draft has none.
VISIBLE_RESULTS = {role: names - {"sibling"} for role, names in VISIBLE_SUBMISSIONS.items()}
VISIBLE_ROUNDS = {
    "operator": {"round"},
    "municipal": {"round"},
    "school": {"round"},
    "viewer": {"round"},
    "outsider": {"foreign_round"},
    "superuser": {"round", "foreign_round"},
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_lists_the_submissions_of_its_schools(role, api, data):
    response = api(role).get(_url("submission-list"))
    if role == "anonymous":
        assert response.status_code == 401
        return
    assert _ids(response) == {getattr(data, name).pk for name in VISIBLE_SUBMISSIONS[role]}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_lists_the_rounds_of_its_region_or_its_schools(role, api, data):
    response = api(role).get(_url("round-list"))
    if role == "anonymous":
        assert response.status_code == 401
        return
    assert _ids(response) == {getattr(data, name).pk for name in VISIBLE_ROUNDS[role]}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_lists_the_counted_direction_results_of_its_schools(role, api, data):
    response = api(role).get(_url("direction-result-list"), {"page_size": 200})
    if role == "anonymous":
        assert response.status_code == 401
        return
    rows = _results(response)
    expected = {getattr(data, name).pk for name in VISIBLE_RESULTS[role]}
    assert {row["submission"] for row in rows} == expected
    assert len(rows) == 3 * len(expected)  # three directions each


@pytest.mark.parametrize("role", ROLES)
def test_each_role_lists_the_counted_deficits_of_its_schools(role, api, data):
    response = api(role).get(_url("deficit-list"), {"page_size": 200})
    if role == "anonymous":
        assert response.status_code == 401
        return
    rows = _results(response)
    expected = {getattr(data, name).pk for name in VISIBLE_RESULTS[role]}
    assert {row["submission"] for row in rows} == expected
    assert len(rows) == Deficit.objects.filter(submission_id__in=expected).count()


@pytest.mark.parametrize("role", ROLES)
def test_methodologies_are_public_to_every_participant(role, api, data):
    list_response = api(role).get(_url("methodology-list"))
    detail_response = api(role).get(_url("methodology-detail", data.methodology.pk))
    if role == "anonymous":
        assert (list_response.status_code, detail_response.status_code) == (401, 401)
        return
    assert _ids(list_response) == {data.methodology.pk}
    assert detail_response.status_code == 200


def test_a_user_without_a_role_sees_no_self_diagnosis(data):
    client = make_api_client(make_user("nobody"))
    for name in ("methodology-list", "round-list", "submission-list", "deficit-list"):
        assert _ids(client.get(_url(name))) == set()
    assert client.get(_url("methodology-detail", data.methodology.pk)).status_code == 404
    assert client.get(_url("round-detail", data.round.pk)).status_code == 404
    assert client.get(_url("round-deficit-map", data.round.pk)).status_code == 404


SUBMISSION_STATUSES = {
    # submission: the roles that may not open it (404); anonymous always 401.
    "school": {"outsider"},
    "sibling": {"school", "outsider"},
    "other": {"municipal", "school", "outsider"},
    "foreign": {"operator", "municipal", "school", "viewer"},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", SUBMISSION_STATUSES)
def test_a_submission_opens_inside_the_scope_only(name, role, api, data):
    response = api(role).get(_submission_url(getattr(data, name)))
    expected = 401 if role == "anonymous" else 404 if role in SUBMISSION_STATUSES[name] else 200
    assert response.status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_a_round_opens_for_its_region_and_its_schools_only(role, api, data):
    client = api(role)
    own = client.get(_url("round-detail", data.round.pk)).status_code
    foreign = client.get(_url("round-detail", data.foreign_round.pk)).status_code
    if role == "anonymous":
        assert (own, foreign) == (401, 401)
    elif role == "outsider":
        assert (own, foreign) == (404, 200)
    elif role == "superuser":
        assert (own, foreign) == (200, 200)
    else:
        assert (own, foreign) == (200, 404)


def test_round_counts_the_schools_of_the_users_scope(api, data):
    def counts(role):
        row = api(role).get(_url("round-detail", data.round.pk)).json()
        return row["school_count"], row["done_count"]

    # The school's and the Luga school's questionnaires are done; the sibling's is a draft.
    assert counts("operator") == (3, 2)
    assert counts("municipal") == (2, 1)
    assert counts("school") == (1, 1)


def test_methodology_detail_nests_directions_indicators_and_options_in_order(api, data):
    body = api("school").get(_url("methodology-detail", data.methodology.pk)).json()
    assert body["version"] == "test-small"
    assert body["indicator_count"] == 7
    assert body["thresholds"] == {"mode": "share", "base": 0.5, "medium": 0.7, "high": 0.85}
    assert [d["code"] for d in body["directions"]] == ["znanie", "vospitanie", "sreda"]
    znanie, vospitanie, sreda = body["directions"]
    assert [i["code"] for i in znanie["indicators"]] == ["Z1", "Z2", "Z3"]
    z1, z2, z3 = znanie["indicators"]
    assert z1["critical"] is True and z2["critical"] is False
    assert z3["levels"] == ["СОО"]
    assert [(o["code"], o["points"]) for o in z2["options"]] == [
        ("no", 0),
        ("partly", 1),
        ("full", 2),
    ]
    assert vospitanie["indicators"][1]["ovz_only"] is True
    assert sreda["thresholds"]["mode"] == "points"


def test_submission_detail_keys_answers_by_indicator_code_with_value_and_points(api, data):
    body = api("school").get(_submission_url(data.school)).json()
    assert body["answers"]["V1"] == {"value": "partly", "label": "частично", "points": 1}
    assert body["answers"]["Z2"] == {"value": "full", "label": "да, в полном объёме", "points": 2}
    assert set(body["answers"]) == set(SPRING["school"])
    assert body["status"] == "submitted" and body["status_label"] == "отправлена"
    assert (body["level"], body["total_points"], body["max_points"]) == ("high", 8, 9)
    assert [(d["direction"], d["points"], d["level"]) for d in body["direction_results"]] == [
        ("znanie", 4, "high"),
        ("vospitanie", 1, "base"),
        ("sreda", 3, "high"),
    ]
    assert body["deficit_count"] == 1
    # Sent: the school waits for the review.
    assert (body["can_edit"], body["can_review"]) == (False, False)
    reviewer = api("municipal").get(_submission_url(data.school)).json()
    assert (reviewer["can_edit"], reviewer["can_review"]) == (False, True)


def test_a_draft_can_be_edited_by_its_school_writers_and_not_by_a_viewer(api, data):
    assert api("municipal").get(_submission_url(data.sibling)).json()["can_edit"] is True
    viewer = api("viewer").get(_submission_url(data.sibling)).json()
    assert (viewer["can_edit"], viewer["can_review"]) == (False, False)
    assert viewer["answers"] == {"Z1": {"value": "yes", "label": "да", "points": 1}}
    assert viewer["direction_results"] == []


# Filters


def test_submissions_filter_by_round_school_municipality_status_and_level(api, data, world):
    client = api("operator")
    url = _url("submission-list")
    assert _ids(client.get(url, {"status": "draft"})) == {data.sibling.pk}
    assert _ids(client.get(url, {"status": "accepted"})) == {data.other.pk}
    assert _ids(client.get(url, {"level": "high"})) == {data.school.pk}
    assert _ids(client.get(url, {"municipality": world.other_municipality.pk})) == {data.other.pk}
    assert _ids(client.get(url, {"school": world.school.pk})) == {data.school.pk}
    assert _ids(client.get(url, {"round": data.round.pk})) == {
        data.school.pk,
        data.sibling.pk,
        data.other.pk,
    }
    assert _ids(client.get(url, {"search": "Лужская"})) == {data.other.pk}


def test_filtering_by_an_object_outside_the_scope_is_refused_not_confirmed(api, data, world):
    client = api("municipal")
    assert client.get(_url("submission-list"), {"school": world.other_school.pk}).status_code == 400
    response = client.get(_url("deficit-list"), {"round": data.foreign_round.pk})
    assert response.status_code == 400
    assert client.get(_url("submission-list"), {"level": "genius"}).status_code == 400
    assert client.get(_url("round-list"), {"year": "дважды"}).status_code == 400


def test_rounds_filter_by_status_methodology_year_and_dates(api, data, world):
    closed = make_round(
        world.region,
        [world.school],
        data.methodology,
        name="Осень 2024",
        status="closed",
        opens_on=datetime.date(2024, 10, 1),
        closes_on=datetime.date(2024, 11, 30),
    )
    other_methodology = make_methodology(version="test-other")
    autumn = make_round(world.region, [world.school], other_methodology, name="Осень 2025")
    client = api("school")
    url = _url("round-list")
    assert _ids(client.get(url, {"status": "closed"})) == {closed.pk}
    assert _ids(client.get(url, {"year": 2024})) == {closed.pk}
    assert _ids(client.get(url, {"year": 2025})) == {data.round.pk, autumn.pk}
    assert _ids(client.get(url, {"methodology": other_methodology.pk})) == {autumn.pk}
    assert _ids(client.get(url, {"closes_on__lte": "2024-12-31"})) == {closed.pk}
    assert _ids(client.get(url, {"opens_on__gte": "2025-01-01"})) == {data.round.pk, autumn.pk}


def test_direction_results_filter_by_direction_level_and_critical_cap(api, data, world):
    client = api("operator")
    url = _url("direction-result-list")
    rows = _results(client.get(url, {"direction": "vospitanie"}))
    assert {(r["school_name"], r["points"], r["max_points"], r["level"]) for r in rows} == {
        ("МБОУ «Гатчинская СОШ № 1»", 1, 2, "base"),
        ("МОУ «Лужская СОШ № 3»", 0, 2, "below_base"),
    }
    assert {r["level_label"] for r in rows} == {"базовый", "ниже базового"}
    high = _results(client.get(url, {"level": "high"}))
    assert {(r["school"], r["direction"]) for r in high} == {
        (world.school.pk, "znanie"),
        (world.school.pk, "sreda"),
    }
    luga = _results(client.get(url, {"municipality": world.other_municipality.pk}))
    assert {r["submission"] for r in luga} == {data.other.pk}
    assert _results(client.get(url, {"capped_by_critical": "true"})) == []


def test_deficits_filter_by_school_direction_indicator_and_criticality(api, data, world):
    client = api("operator")
    url = _url("deficit-list")
    luga = _results(client.get(url, {"school": world.other_school.pk}))
    assert [(d["indicator"], d["points"], d["max_points"]) for d in luga] == [
        ("Z2", 1, 2),
        ("Z3", 0, 1),
        ("V1", 0, 2),
        ("S2", 0, 1),
    ]
    assert luga[0]["indicator_wording"] == "Реализация курсов внеурочной деятельности"
    assert [d["indicator"] for d in _results(client.get(url, {"direction": "sreda"}))] == ["S2"]
    assert {d["school"] for d in _results(client.get(url, {"indicator": "V1"}))} == {
        world.school.pk,
        world.other_school.pk,
    }
    assert _results(client.get(url, {"critical": "true"})) == []


def test_a_critical_deficit_is_listed_first_and_found_by_the_filter(api, data, world):
    client = api("municipal")
    answered = client.post(
        _submission_url(data.sibling, "answers"), {"answers": {"Z1": "no"}}, format="json"
    )
    assert answered.status_code == 200
    assert client.post(_submission_url(data.sibling, "submit")).status_code == 200
    rows = _results(client.get(_url("deficit-list"), {"school": world.sibling_school.pk}))
    assert rows[0]["indicator"] == "Z1" and rows[0]["critical"] is True
    critical = _results(client.get(_url("deficit-list"), {"critical": "true"}))
    assert [(d["school"], d["indicator"]) for d in critical] == [(world.sibling_school.pk, "Z1")]


def test_results_of_a_returned_submission_are_not_counted(api, data, world):
    api("operator").post(
        _submission_url(data.other, "review"), {"action": "return", "comment": "Проверьте V1."}
    )
    client = api("viewer")
    assert {r["submission"] for r in _results(client.get(_url("direction-result-list")))} == {
        data.school.pk
    }
    assert {r["submission"] for r in _results(client.get(_url("deficit-list")))} == {data.school.pk}


# Writes: who may, as the pages allow

WRITERS = {
    # The sibling school is written by its district and region (not by the school's
    # coordinator, who does not see it) and read by the viewer.
    "anonymous": 401,
    "operator": 200,
    "municipal": 200,
    "school": 404,
    "viewer": 403,
    "outsider": 404,
    "superuser": 200,
}


@pytest.mark.parametrize("role", ROLES)
def test_saving_an_answer_needs_a_writer_of_the_school(role, api, data, world, superuser):
    response = api(role).post(
        _submission_url(data.sibling, "answers"), {"answers": {"Z2": "full"}}, format="json"
    )
    assert response.status_code == WRITERS[role]
    saved = Answer.objects.filter(submission=data.sibling, indicator__code="Z2")
    if WRITERS[role] == 200:
        answer = saved.select_related("option").get()
        assert answer.option.code == "full"
        users = {"operator": world.operator, "municipal": world.municipal}
        assert answer.answered_by == users.get(role, superuser)
        assert response.json()["answers"]["Z2"]["points"] == 2
    else:
        assert not saved.exists()
    if WRITERS[role] == 403:
        assert _detail_text(response) == READ_ONLY


@pytest.mark.parametrize("role", ROLES)
def test_submitting_needs_a_writer_of_the_school(role, api, data):
    response = api(role).post(_submission_url(data.sibling, "submit"))
    assert response.status_code == WRITERS[role]
    data.sibling.refresh_from_db()
    if WRITERS[role] == 200:
        assert data.sibling.status == "submitted"
        assert data.sibling.is_scored
        assert response.json()["status"] == "submitted"
    else:
        assert data.sibling.status == "draft"
        assert not data.sibling.is_scored
    if WRITERS[role] == 403:
        assert _detail_text(response) == READ_ONLY


REVIEWERS_STATUSES = {
    "anonymous": 401,
    "operator": 200,
    "municipal": 200,
    "school": 403,
    "viewer": 403,
    "outsider": 404,
    "superuser": 200,
}


@pytest.mark.parametrize("role", ROLES)
def test_accepting_needs_the_schools_municipality_or_region(role, api, data):
    response = api(role).post(
        _submission_url(data.school, "review"), {"action": "accept"}, format="json"
    )
    assert response.status_code == REVIEWERS_STATUSES[role]
    data.school.refresh_from_db()
    if REVIEWERS_STATUSES[role] == 200:
        assert data.school.status == "accepted"
        assert data.school.reviewed_at is not None
    else:
        assert data.school.status == "submitted"
        assert data.school.reviewed_at is None
    if REVIEWERS_STATUSES[role] == 403:
        assert _detail_text(response) == REVIEWERS


STARTERS = {
    "anonymous": 401,
    "operator": 201,
    "municipal": 201,
    "school": 201,
    "viewer": 403,
    # The outsider sees neither the round nor the school: a bad reference, not a hint.
    "outsider": 400,
    "superuser": 201,
}


@pytest.mark.parametrize("role", ROLES)
def test_starting_a_questionnaire_needs_a_writer_of_the_school(role, api, data, world):
    autumn = make_round(world.region, [world.school], data.methodology, name="Осень 2025")
    response = api(role).post(
        _url("submission-list"), {"round": autumn.pk, "school": world.school.pk}, format="json"
    )
    assert response.status_code == STARTERS[role]
    created = Submission.objects.filter(round=autumn, school=world.school)
    if STARTERS[role] == 201:
        submission = created.get()
        assert submission.status == "draft"
        assert response.json()["id"] == submission.pk
        assert response.json()["can_edit"] is True
    else:
        assert not created.exists()
    if STARTERS[role] == 403:
        assert _detail_text(response) == READ_ONLY


@pytest.mark.parametrize("action", ["answers", "submit", "review"])
def test_workflow_actions_reject_get(action, api, data):
    assert api("operator").get(_submission_url(data.sibling, action)).status_code == 405


def test_the_list_is_read_only_past_starting_a_questionnaire(api, data):
    client = api("superuser")
    assert client.delete(_submission_url(data.sibling)).status_code == 405
    assert client.patch(_submission_url(data.sibling), {"status": "accepted"}).status_code == 405
    assert client.patch(_url("round-detail", data.round.pk), {"name": "Новый"}).status_code == 405
    assert client.post(_url("deficit-list"), {}).status_code == 405
    data.sibling.refresh_from_db()
    assert data.sibling.status == "draft"


# The workflow, as the pages run it


def test_school_coordinator_answers_submits_and_gets_the_result_back_after_a_return(
    api, data, world
):
    school, municipal = api("school"), api("municipal")
    returned = municipal.post(
        _submission_url(data.school, "review"),
        {"action": "return", "comment": "  Уточните ответ по воспитанию.  "},
        format="json",
    )
    assert returned.status_code == 200
    body = returned.json()
    assert (body["status"], body["review_comment"]) == ("returned", "Уточните ответ по воспитанию.")

    assert school.get(_submission_url(data.school)).json()["can_edit"] is True
    saved = school.post(
        _submission_url(data.school, "answers"), {"answers": {"V1": "full"}}, format="json"
    )
    assert saved.status_code == 200
    assert saved.json()["answers"]["V1"]["value"] == "full"

    sent = school.post(_submission_url(data.school, "submit"))
    assert sent.status_code == 200
    body = sent.json()
    assert (body["status"], body["level"], body["total_points"]) == ("submitted", "high", 9)
    assert body["deficit_count"] == 0
    assert [d["level"] for d in body["direction_results"]] == ["high", "high", "high"]
    assert not Deficit.objects.filter(submission=data.school).exists()

    accepted = municipal.post(
        _submission_url(data.school, "review"),
        {"action": "accept", "comment": "Спасибо."},
        format="json",
    )
    assert accepted.status_code == 200
    data.school.refresh_from_db()
    assert data.school.status == "accepted"
    assert data.school.review_comment == "Спасибо."
    assert data.school.reviewed_by == world.municipal
    assert data.school.submitted_by == world.school_user


def test_api_stores_the_same_result_as_the_questionnaire_page(data, world, client_for):
    """The sibling's answers go in through the page for one school and the API for its twin:
    the stored results match, and match the levels counted by hand."""
    twin = make_school(world.municipality, short_name="МБОУ «Гатчинская СОШ № 7»")
    data.round.schools.add(twin)
    answers = SPRING["sibling_school"]

    page = client_for(world.municipal)
    for code, option in answers.items():
        path = reverse("selfdiag:answer", args=[data.round.pk, world.sibling_school.pk])
        assert page.post(path, {"indicator": code, "option": option}).status_code == 302
    page.post(reverse("selfdiag:submit", args=[data.round.pk, world.sibling_school.pk]))

    client = make_api_client(world.municipal)
    started = client.post(
        _url("submission-list"), {"round": data.round.pk, "school": twin.pk}, format="json"
    )
    assert started.status_code == 201
    twin_pk = started.json()["id"]
    assert (
        client.post(
            _url("submission-answers", twin_pk), {"answers": answers}, format="json"
        ).status_code
        == 200
    )
    assert client.post(_url("submission-submit", twin_pk)).status_code == 200

    def stored(submission):
        submission.refresh_from_db()
        return (
            submission.status,
            submission.total_points,
            submission.max_points,
            submission.level,
            submission.capped_by_critical,
            submission.unanswered_count,
            list(
                DirectionResult.objects.filter(submission=submission)
                .order_by("direction__position")
                .values_list(
                    "direction_code", "points", "max_points", "level", "capped_by_critical"
                )
            ),
            list(
                Deficit.objects.filter(submission=submission)
                .order_by("position")
                .values_list("indicator_code", "points", "critical")
            ),
        )

    through_page = stored(data.sibling)
    through_api = stored(Submission.objects.get(pk=twin_pk))
    assert through_api == through_page
    # By hand: Знание 2/4 capped by the critical Z1, Воспитание 2/2, Среда 1 point.
    assert through_api[:6] == ("submitted", 5, 9, "below_base", True, 0)
    assert [row[3] for row in through_api[6]] == ["below_base", "high", "base"]
    assert [row[0] for row in through_api[7]] == ["Z1", "Z2", "S1", "S2"]


def test_starting_a_questionnaire_twice_gives_back_the_same_one(api, data, world):
    client = api("municipal")
    payload = {"round": data.round.pk, "school": world.sibling_school.pk}
    response = client.post(_url("submission-list"), payload, format="json")
    assert response.status_code == 200
    assert response.json()["id"] == data.sibling.pk
    assert Submission.objects.filter(round=data.round).count() == 3


def test_a_questionnaire_is_not_started_in_a_closed_round(api, data, world):
    closed = make_round(world.region, [world.school], data.methodology, status="closed")
    response = api("school").post(
        _url("submission-list"), {"round": closed.pk, "school": world.school.pk}, format="json"
    )
    assert response.status_code == 409
    assert "закрыт" in _detail_text(response)
    assert not Submission.objects.filter(round=closed).exists()


def test_a_school_outside_the_round_cannot_start_a_questionnaire(api, data, world):
    lonely = make_round(world.region, [world.sibling_school], data.methodology)
    response = api("operator").post(
        _url("submission-list"), {"round": lonely.pk, "school": world.school.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"school": ["Школа не участвует в этом раунде."]}
    assert not Submission.objects.filter(round=lonely).exists()


@pytest.mark.parametrize(
    ("answers", "problem"),
    [
        ({"Z2": "full", "Z9": "yes"}, {"Z9": "Такого вопроса в анкете школы нет."}),
        ({"Z2": "full", "S1": "maybe"}, {"S1": "Такого ответа в анкете нет: «maybe»."}),
        # V2 is asked of schools with pupils with ОВЗ only; this one has none.
        ({"Z2": "full", "V2": "yes"}, {"V2": "Такого вопроса в анкете школы нет."}),
    ],
)
def test_a_wrong_answer_is_a_bad_request_and_nothing_is_saved(answers, problem, api, data):
    before = list(Answer.objects.filter(submission=data.sibling).values_list("pk", "option_id"))
    response = api("municipal").post(
        _submission_url(data.sibling, "answers"), {"answers": answers}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"answers": problem}
    after = list(Answer.objects.filter(submission=data.sibling).values_list("pk", "option_id"))
    assert after == before


@pytest.mark.parametrize("payload", [{}, {"answers": {}}, {"answers": ["Z1", "yes"]}])
def test_answers_must_be_a_mapping_of_codes(payload, api, data):
    response = api("municipal").post(
        _submission_url(data.sibling, "answers"), payload, format="json"
    )
    assert response.status_code == 400
    assert CYRILLIC.search(str(response.json()["answers"]))
    assert Answer.objects.filter(submission=data.sibling).count() == 1


def test_a_sent_questionnaire_keeps_its_answers(api, data):
    client = api("operator")
    response = client.post(
        _submission_url(data.school, "answers"), {"answers": {"V1": "full"}}, format="json"
    )
    assert response.status_code == 409
    assert _detail_text(response) == "Анкета отправлена или раунд закрыт: ответ не сохранён."
    assert data.school.answers_by_code()["V1"] == "partly"
    again = client.post(_submission_url(data.school, "submit"))
    assert again.status_code == 409
    assert "уже отправлена" in _detail_text(again)


def test_a_draft_in_a_closed_round_cannot_be_changed(api, data):
    data.round.close()
    client = api("municipal")
    response = client.post(
        _submission_url(data.sibling, "answers"), {"answers": {"Z2": "full"}}, format="json"
    )
    assert response.status_code == 409
    assert client.post(_submission_url(data.sibling, "submit")).status_code == 409
    data.sibling.refresh_from_db()
    assert data.sibling.status == "draft"
    assert data.sibling.answers_by_code() == {"Z1": "yes"}


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({"action": "return"}, {"comment": ["Напишите, что нужно исправить."]}),
        ({"action": "return", "comment": "   "}, {"comment": ["Напишите, что нужно исправить."]}),
        ({"comment": "Хорошо"}, {"action": ["Обязательное поле."]}),
    ],
)
def test_a_review_without_what_it_needs_is_a_bad_request(payload, errors, api, data):
    response = api("operator").post(_submission_url(data.school, "review"), payload, format="json")
    assert response.status_code == 400
    assert response.json() == errors
    data.school.refresh_from_db()
    assert (data.school.status, data.school.review_comment) == ("submitted", "")


def test_a_review_with_an_unknown_action_is_refused_in_russian(api, data):
    response = api("operator").post(
        _submission_url(data.school, "review"), {"action": "delete"}, format="json"
    )
    assert response.status_code == 400
    assert CYRILLIC.search(response.json()["action"][0])
    data.school.refresh_from_db()
    assert data.school.status == "submitted"


def test_a_draft_cannot_be_accepted_or_returned(api, data):
    client = api("operator")
    for payload in ({"action": "accept"}, {"action": "return", "comment": "Исправьте."}):
        response = client.post(_submission_url(data.sibling, "review"), payload, format="json")
        assert response.status_code == 409
        assert CYRILLIC.search(_detail_text(response))
    data.sibling.refresh_from_db()
    assert (data.sibling.status, data.sibling.reviewed_at) == ("draft", None)


def test_an_accepted_questionnaire_can_be_returned_as_on_the_page(api, data):
    response = api("operator").post(
        _submission_url(data.other, "review"),
        {"action": "return", "comment": "Пересчитайте ответы по воспитанию."},
        format="json",
    )
    assert response.status_code == 200
    data.other.refresh_from_db()
    assert data.other.status == "returned"
    assert data.other.is_editable


# The deficit map


@pytest.fixture
def spring(world):
    """The spring round of tests/test_deficit_map.py: four sent schools and a draft."""
    schools = {
        "school": world.school,
        "sibling_school": world.sibling_school,
        "other_school": world.other_school,
        "luga_five": make_school(world.other_municipality, short_name="МОУ «Лужская СОШ № 5»"),
        "gymnasium": make_school(world.municipality, short_name="МБОУ «Гатчинская ООШ № 4»"),
    }
    round_ = make_round(world.region, schools.values(), name="Весна 2025")
    make_scored_submissions(round_, {schools[key]: SPRING[key] for key in SPRING})
    make_submission(round_, schools["gymnasium"], {"Z1": "yes"})
    return round_


def _map(client, round_, **params):
    response = client.get(_url("round-deficit-map", round_.pk), params)
    assert response.status_code == 200, response.content
    return response.json()


def test_deficit_map_holds_the_levels_counted_by_hand(api, spring):
    body = _map(api("operator"), spring)
    assert [d["code"] for d in body["directions"]] == ["znanie", "vospitanie", "sreda"]
    levels = {
        row["name"]: (row["level"], [cell and cell["level"] for cell in row["cells"].values()])
        for row in body["schools"]
    }
    assert levels == {
        "МБОУ «Гатчинская ООШ № 4»": ("", [None, None, None]),
        "МБОУ «Гатчинская СОШ № 1»": ("high", ["high", "base", "high"]),
        "МБОУ «Гатчинская СОШ № 2»": ("below_base", ["below_base", "high", "base"]),
        "МОУ «Лужская СОШ № 3»": ("below_base", ["base", "below_base", "medium"]),
        "МОУ «Лужская СОШ № 5»": ("base", ["medium", "base", "medium"]),
    }
    sibling = next(row for row in body["schools"] if row["name"].endswith("СОШ № 2»"))
    assert sibling["cells"]["znanie"] == {
        "level": "below_base",
        "points": 2,
        "max_points": 4,
        "share": 0.5,
        "capped": True,
    }
    gatchina, luga = body["areas"]
    assert (gatchina["schools"], gatchina["reported"]) == (3, 2)
    assert luga["directions"]["vospitanie"]["counts"] == {
        "below_base": 1,
        "base": 1,
        "medium": 0,
        "high": 0,
    }
    assert luga["directions"]["vospitanie"]["below_base_share"] == 0.5
    assert luga["directions"]["vospitanie"]["mean_share"] == pytest.approx(0.25)
    total = body["total"]
    assert (total["id"], total["name"], total["schools"], total["reported"]) == (
        None,
        "Итого",
        5,
        4,
    )
    assert total["overall"]["counts"] == {"below_base": 2, "base": 1, "medium": 0, "high": 1}
    assert total["overall"]["mean_share"] is None
    assert total["directions"]["znanie"]["mean_share"] == pytest.approx(0.6875)
    assert body["levels"]["below_base"] == "ниже базового"


@pytest.mark.parametrize("role", ["operator", "municipal", "school", "viewer"])
def test_deficit_map_numbers_equal_the_pages(role, api, spring, world, client_for):
    users = {
        "operator": world.operator,
        "municipal": world.municipal,
        "school": world.school_user,
        "viewer": world.viewer,
    }
    page = client_for(users[role]).get(reverse("reports:deficit-map"), {"round": spring.pk})
    dmap = page.context["dmap"]
    body = _map(api(role), spring)
    codes = [d.code for d in dmap.directions]
    assert [d["code"] for d in body["directions"]] == codes
    assert [
        (row["id"], row["level"], [tuple(c.values()) if c else None for c in row["cells"].values()])
        for row in body["schools"]
    ] == [(row.pk, row.level, [tuple(c) if c else None for c in row.cells]) for row in dmap.schools]
    for area, page_area in zip(
        [*body["areas"], body["total"]], [*dmap.areas, dmap.total], strict=True
    ):
        assert (area["id"], area["schools"], area["reported"]) == (
            page_area.pk,
            page_area.schools,
            page_area.reported,
        )
        assert area["overall"]["counts"] == page_area.overall.counts
        for code, tally in zip(codes, page_area.directions, strict=True):
            assert area["directions"][code]["counts"] == tally.counts
            assert area["directions"][code]["mean_share"] == tally.mean_share
    assert len(body["areas"]) == len(dmap.areas)


def test_deficit_map_follows_the_scope_of_the_user(api, spring, world):
    assert [row["name"] for row in _map(api("school"), spring)["schools"]] == [
        "МБОУ «Гатчинская СОШ № 1»"
    ]
    municipal = _map(api("municipal"), spring)
    assert {row["municipality"] for row in municipal["schools"]} == {world.municipality.pk}
    assert [area["id"] for area in municipal["areas"]] == [world.municipality.pk]


def test_deficit_map_of_one_municipality(api, spring, world):
    body = _map(api("operator"), spring, municipality=world.other_municipality.pk)
    assert body["municipality"] == {
        "id": world.other_municipality.pk,
        "name": "Лужский муниципальный район",
    }
    assert [row["name"] for row in body["schools"]] == [
        "МОУ «Лужская СОШ № 3»",
        "МОУ «Лужская СОШ № 5»",
    ]
    assert body["total"]["schools"] == 2


@pytest.mark.parametrize("suffix", ["", "-xlsx", "-pdf"])
def test_deficit_map_of_a_municipality_outside_the_scope_is_404(suffix, api, spring, world):
    url = _url(f"round-deficit-map{suffix}", spring.pk)
    municipal = api("municipal")
    assert municipal.get(url, {"municipality": world.other_municipality.pk}).status_code == 404
    foreign = world.foreign_school.municipality_id
    assert api("superuser").get(url, {"municipality": foreign}).status_code == 404
    response = municipal.get(url, {"municipality": "Луга"})
    assert response.status_code == 400
    assert CYRILLIC.search(response.json()["municipality"][0])


MAP_STATUSES = {
    "anonymous": 401,
    "operator": 200,
    "municipal": 200,
    "school": 200,
    "viewer": 200,
    "outsider": 404,
    "superuser": 200,
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("suffix", ["", "-xlsx", "-pdf"])
def test_deficit_map_and_its_files_open_inside_the_scope_only(suffix, role, api, spring):
    response = api(role).get(_url(f"round-deficit-map{suffix}", spring.pk))
    assert response.status_code == MAP_STATUSES[role]


def _sheets(content):
    book = load_workbook(io.BytesIO(content))
    return {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in book.worksheets
    }


def test_deficit_map_excel_is_the_pages_file(api, spring, world, client_for):
    response = api("operator").get(
        _url("round-deficit-map-xlsx", spring.pk), HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    page = client_for(world.operator).get(reverse("reports:deficit-map-xlsx"), {"round": spring.pk})
    assert response["Content-Disposition"] == page["Content-Disposition"]
    sheets = _sheets(response.content)
    assert sheets == _sheets(page.content)
    assert list(sheets) == ["Карта дефицитов", "Муниципалитеты"]
    rows = {row[1]: row[2:6] for row in sheets["Карта дефицитов"]}
    assert rows["МБОУ «Гатчинская СОШ № 2»"] == [
        "ниже базового",
        "ниже базового*",
        "высокий",
        "базовый",
    ]


def test_deficit_map_excel_of_one_municipality_is_named_after_it(api, spring, world):
    response = api("operator").get(
        _url("round-deficit-map-xlsx", spring.pk), {"municipality": world.other_municipality.pk}
    )
    names = [row[1] for row in _sheets(response.content)["Карта дефицитов"][5:]]
    assert names == ["МОУ «Лужская СОШ № 3»", "МОУ «Лужская СОШ № 5»"]
    assert "%D0%9B%D1%83%D0%B6%D1%81%D0%BA%D0%B8%D0%B9" in response["Content-Disposition"]


def test_deficit_map_pdf_is_a_pdf_with_the_schools(api, spring, world, client_for):
    response = api("viewer").get(_url("round-deficit-map-pdf", spring.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    page = client_for(world.viewer).get(reverse("reports:deficit-map-pdf"), {"round": spring.pk})
    assert response["Content-Disposition"] == page["Content-Disposition"]
    text = " ".join(
        " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(response.content)).pages
    )
    for name in ("Гатчинская СОШ № 1", "Лужская СОШ № 5", "Гатчинская ООШ № 4", "Весна 2025"):
        assert name in text


def test_an_error_of_a_download_still_comes_as_json(api, spring):
    response = api("outsider").get(
        _url("round-deficit-map-pdf", spring.pk), HTTP_ACCEPT="application/pdf"
    )
    assert response.status_code == 404
    assert CYRILLIC.search(response.json()["detail"])


# Query counts: the same bound for 3 rows and for 30

# Answers with exactly three deficits (V1, S1 and S2 below their maximum).
THREE_DEFICITS = {**EVERYTHING, "V1": "partly", "S1": "partly", "S2": "no"}


def _scored_schools(world, count, answers=EVERYTHING, methodology=None):
    schools = [make_school(world.municipality) for _ in range(count)]
    round_ = make_round(world.region, schools, methodology or make_methodology())
    make_scored_submissions(round_, dict.fromkeys(schools, answers))
    return round_


def _rows_of(name, world, rows):
    """Build `rows` rows of the list `name` for the regional operator."""
    if name == "methodology-list":
        for n in range(rows):
            make_methodology(version=f"test-{n}")
    elif name == "round-list":
        methodology = make_methodology()
        for _ in range(rows):
            make_round(world.region, [world.school, world.sibling_school], methodology)
    elif name == "submission-list":
        _scored_schools(world, rows)
    elif name == "direction-result-list":
        _scored_schools(world, rows // 3)  # three directions each
    elif name == "deficit-list":
        _scored_schools(world, rows // 3, THREE_DEFICITS)


LIST_BOUNDS = {
    "methodology-list": 5,
    "round-list": 5,
    "submission-list": 5,
    "direction-result-list": 5,
    "deficit-list": 5,
}


@pytest.mark.parametrize("rows", [3, 30])
@pytest.mark.parametrize("name", LIST_BOUNDS)
def test_list_queries_do_not_grow_with_the_page_size(
    name, rows, world, django_assert_max_num_queries
):
    _rows_of(name, world, rows)
    client = make_api_client(world.operator)
    with django_assert_max_num_queries(LIST_BOUNDS[name]):
        response = client.get(_url(name), {"page_size": 50})
    assert response.status_code == 200
    assert response.json()["count"] == rows
    assert len(response.json()["results"]) == rows


def test_methodology_detail_queries_do_not_grow_with_its_indicators(
    world, django_assert_max_num_queries
):
    small, demo = make_methodology(), make_methodology(demo=True)
    client = make_api_client(world.viewer)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(_url("methodology-detail", small.pk)).status_code == 200
    with django_assert_max_num_queries(len(captured)):
        response = client.get(_url("methodology-detail", demo.pk))
    assert response.json()["indicator_count"] > 100


def test_submission_detail_queries_do_not_grow_with_its_answers(
    api, data, django_assert_max_num_queries
):
    client = api("operator")
    with CaptureQueriesContext(connection) as captured:
        assert len(client.get(_submission_url(data.sibling)).json()["answers"]) == 1
    with django_assert_max_num_queries(len(captured)):
        response = client.get(_submission_url(data.other))
    assert len(response.json()["answers"]) == 6
    assert len(response.json()["direction_results"]) == 3


def test_deficit_map_queries_do_not_grow_with_the_number_of_schools(
    world, django_assert_max_num_queries
):
    methodology = make_methodology()
    small = _scored_schools(world, 3, methodology=methodology)
    large = _scored_schools(world, 30, methodology=methodology)
    client = make_api_client(world.operator)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(_url("round-deficit-map", small.pk)).status_code == 200
    with django_assert_max_num_queries(len(captured)):
        response = client.get(_url("round-deficit-map", large.pk))
    assert len(response.json()["schools"]) == 30


# Closing and reopening a round


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 401),
        ("operator", 200),
        ("superuser", 200),
        ("municipal", 403),
        ("school", 403),
        ("viewer", 403),
        ("outsider", 404),
    ],
)
def test_only_the_regional_operator_closes_a_round(role, status, api, data):
    response = api(role).post(_url("round-close", data.round.pk))
    assert response.status_code == status, response.content
    data.round.refresh_from_db()
    assert data.round.status == ("closed" if status == 200 else "open")
    if status == 200:
        assert response.json()["status"] == "closed"
    if status == 403:
        assert "региональный оператор" in _detail_text(response)


def test_a_closed_round_takes_no_answers_until_it_is_reopened(api, data):
    operator = api("operator")
    assert operator.post(_url("round-close", data.round.pk)).status_code == 200
    answers = {"answers": {"Z1": "no"}}
    url = _submission_url(data.sibling, "answers")
    assert api("school").post(url, answers, format="json").status_code == 404  # not its school
    assert api("operator").post(url, answers, format="json").status_code == 409
    reopened = operator.post(_url("round-reopen", data.round.pk))
    assert reopened.status_code == 200
    assert reopened.json()["status"] == "open"
    assert api("operator").post(url, answers, format="json").status_code == 200
    assert data.sibling.answers_by_code()["Z1"] == "no"
