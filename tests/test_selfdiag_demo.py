"""The demo self-diagnosis: two rounds of varied, mostly improving results; one school to fill."""

import io

import pytest

from orgs import demo
from selfdiag.demo import AUTUMN, SPRING, seed_selfdiag
from selfdiag.models import DirectionResult, Round, Submission


@pytest.fixture
def directory(db):
    directory = demo.seed_directory()
    demo.seed_users(directory)
    return directory


@pytest.fixture
def seeded(directory):
    seed_selfdiag(directory, stdout=io.StringIO())
    return directory


def test_demo_has_a_closed_spring_round_all_accepted_and_an_open_autumn_round(seeded):
    spring = Round.objects.get(name=SPRING[0])
    autumn = Round.objects.get(name=AUTUMN[0])
    schools = len(seeded["schools"])
    assert spring.status == Round.Status.CLOSED and autumn.status == Round.Status.OPEN
    assert spring.schools.count() == autumn.schools.count() == schools
    assert set(spring.submissions.values_list("status", flat=True)) == {"accepted"}
    assert spring.submissions.count() == schools
    assert set(autumn.submissions.values_list("status", flat=True)) == {"accepted", "submitted"}
    assert autumn.submissions.count() == schools - 1
    assert not spring.submissions.filter(scored_at__isnull=True).exists()
    assert DirectionResult.objects.filter(round=autumn).count() == (schools - 1) * 8


def test_the_demo_school_coordinator_has_the_autumn_questionnaire_to_fill(seeded):
    school = (
        Submission.objects.filter(round__name=SPRING[0], submitted_by__username="school")
        .get()
        .school
    )
    assert school.memberships.get().user.username == "school"
    assert not Submission.objects.filter(round__name=AUTUMN[0], school=school).exists()


def test_demo_levels_span_all_four_and_most_schools_improve(seeded):
    levels = set(Submission.objects.values_list("level", flat=True))
    assert levels == {"below_base", "base", "medium", "high"}
    spring = dict(
        Submission.objects.filter(round__name=SPRING[0]).values_list("school_id", "total_points")
    )
    autumn = dict(
        Submission.objects.filter(round__name=AUTUMN[0]).values_list("school_id", "total_points")
    )
    changes = [autumn[school] - spring[school] for school in autumn]
    improved = sum(1 for change in changes if change > 0)
    declined = sum(1 for change in changes if change < 0)
    assert improved > len(changes) / 2
    assert declined >= 2


def test_seeding_again_changes_nothing(seeded):
    before = Submission.objects.count()
    out = io.StringIO()
    seed_selfdiag(seeded, stdout=out)
    assert Submission.objects.count() == before
    assert Round.objects.count() == 2
    assert "уже загружены" in out.getvalue()
