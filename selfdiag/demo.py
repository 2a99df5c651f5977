"""Demo self-diagnosis: the demonstration methodology and two rounds of Ленинградская область.

Every demo school has a latent strength per direction, so levels spread from «ниже базового» to
«высокий»; in autumn most schools do a little better and a few slip back. The spring round is
closed with every submission accepted; the autumn round is open, its submissions sent or
accepted, except the demo school coordinator's school, which has not started, so the `school`
user can fill the questionnaire. Deterministic (a fixed seed) and idempotent: a round that
exists is left as it is.
"""

import datetime
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from orgs.demo import MUNICIPALITIES
from orgs.models import Organization
from selfdiag.loading import load_demo
from selfdiag.methodology import LEVELS
from selfdiag.models import Answer, Option, Round, Submission, school_profile
from selfdiag.results import store_results
from selfdiag.scoring import compile_methodology

SPRING = ("Самодиагностика — весна 2025", datetime.date(2025, 3, 1), datetime.date(2025, 4, 30))
AUTUMN = ("Самодиагностика — осень 2025", datetime.date(2025, 10, 1), datetime.date(2025, 11, 30))


def _demo_school(directory) -> Organization | None:
    """The school of the demo school coordinator (see orgs.demo.seed_users)."""
    return (
        Organization.objects.filter(
            region=directory["region"],
            municipality__name=MUNICIPALITIES[0][0],
            kind=Organization.Kind.SCHOOL,
        )
        .order_by("short_name")
        .first()
    )


def _strengths(schools, directions, rng):
    """Per school and direction a share of the maximum it tends to reach, 0.15..1."""
    strengths = {}
    for school in schools:
        base = rng.uniform(0.4, 0.95)
        strengths[school.pk] = {
            code: min(1.0, max(0.15, base + rng.gauss(0, 0.13))) for code in directions
        }
    return strengths


def _answers(plan, strength, rng) -> dict[str, str]:
    answers = {}
    for indicator in plan.indicators:
        options = sorted(indicator.points.items(), key=lambda pair: pair[1])
        level = strength[indicator.direction]
        if indicator.critical:
            # Basic obligations are met by almost everyone; the weakest schools miss some.
            missed = rng.random() < 0.2 * (1 - level) ** 3
            answers[indicator.code] = options[0][0] if missed else options[-1][0]
            continue
        position = level * (len(options) - 1) + rng.gauss(0, 0.55)
        index = min(len(options) - 1, max(0, round(position)))
        answers[indicator.code] = options[index][0]
    return answers


def _moment(day: datetime.date, rng) -> datetime.datetime:
    start = datetime.datetime.combine(day, datetime.time(9))
    return timezone.make_aware(start + datetime.timedelta(minutes=rng.randint(0, 480)))


def _create_round(region, name, opens, closes, methodology, schools, *, status, user):
    round_ = Round.objects.create(
        region=region,
        name=name,
        opens_on=opens,
        closes_on=closes,
        methodology=methodology,
        status=status,
        created_by=user,
    )
    round_.schools.set(schools)
    return round_


def _fill(round_, schools, answers_by_school, statuses, rng, *, reviewer, submitters):
    submissions = []
    for school in schools:
        if school.pk not in answers_by_school:
            continue
        submitted = _moment(round_.opens_on + datetime.timedelta(days=rng.randint(3, 40)), rng)
        status = statuses[school.pk]
        submissions.append(
            Submission(
                round=round_,
                school=school,
                status=status,
                profile_levels=list(school.education_levels),
                profile_has_ovz=school.has_ovz_pupils,
                submitted_at=submitted,
                submitted_by=submitters.get(school.pk),
                reviewed_at=submitted + datetime.timedelta(days=rng.randint(2, 9))
                if status == Submission.Status.ACCEPTED
                else None,
                reviewed_by=reviewer if status == Submission.Status.ACCEPTED else None,
            )
        )
    Submission.objects.bulk_create(submissions)
    submissions = list(Submission.objects.filter(round=round_))
    options = {
        (indicator, code): (indicator_id, pk)
        for pk, code, indicator_id, indicator in Option.objects.filter(
            indicator__methodology_id=round_.methodology_id
        ).values_list("pk", "code", "indicator_id", "indicator__code")
    }
    Answer.objects.bulk_create(
        (
            Answer(
                submission=submission,
                indicator_id=options[(code, option)][0],
                option_id=options[(code, option)][1],
                answered_by=submitters.get(submission.school_id),
            )
            for submission in submissions
            for code, option in answers_by_school[submission.school_id].items()
        ),
        batch_size=2000,
    )
    store_results(submissions)
    return submissions


def seed_selfdiag(directory, stdout=None):
    region = directory["region"]
    schools = sorted(directory["schools"], key=lambda school: school.pk)
    methodology = load_demo()
    if Round.objects.filter(region=region, name__in=[SPRING[0], AUTUMN[0]]).exists():
        if stdout is not None:
            stdout.write("  самодиагностика: раунды уже загружены")
        return
    plain = methodology.as_plain()
    compiled = compile_methodology(plain)
    directions = [direction.code for direction in plain.directions]
    rng = random.Random(2025)
    User = get_user_model()
    reviewer = User.objects.filter(username="operator").first()
    demo_school = _demo_school(directory)
    school_user = User.objects.filter(username="school").first()
    submitters = {demo_school.pk: school_user} if demo_school and school_user else {}

    spring_strength = _strengths(schools, directions, rng)
    autumn_strength = {}
    for school in schools:
        # Most schools work on their deficits; about one in six slips back.
        change = rng.uniform(-0.14, -0.04) if rng.random() < 0.16 else rng.uniform(0.03, 0.15)
        autumn_strength[school.pk] = {
            code: min(1.0, max(0.1, value + change + rng.gauss(0, 0.04)))
            for code, value in spring_strength[school.pk].items()
        }

    def answers_for(strengths, school):
        return _answers(compiled.plan(school_profile(school)), strengths[school.pk], rng)

    spring = _create_round(
        region, *SPRING, methodology, schools, status=Round.Status.CLOSED, user=reviewer
    )
    _fill(
        spring,
        schools,
        {school.pk: answers_for(spring_strength, school) for school in schools},
        dict.fromkeys((school.pk for school in schools), Submission.Status.ACCEPTED),
        rng,
        reviewer=reviewer,
        submitters=submitters,
    )
    autumn = _create_round(
        region, *AUTUMN, methodology, schools, status=Round.Status.OPEN, user=reviewer
    )
    autumn_answers = {
        school.pk: answers_for(autumn_strength, school)
        for school in schools
        if demo_school is None or school.pk != demo_school.pk
    }
    statuses = {
        pk: Submission.Status.ACCEPTED if rng.random() < 0.6 else Submission.Status.SUBMITTED
        for pk in autumn_answers
    }
    _fill(autumn, schools, autumn_answers, statuses, rng, reviewer=reviewer, submitters=submitters)
    if stdout is not None:
        levels = {}
        for level in Submission.objects.filter(round__in=[spring, autumn]).values_list(
            "level", flat=True
        ):
            levels[level] = levels.get(level, 0) + 1
        spread = ", ".join(f"{LEVELS[code]} — {levels.get(code, 0)}" for code in LEVELS)
        stdout.write(
            f"  самодиагностика: методика {methodology.version}, раунды «{spring.name}» и "
            f"«{autumn.name}», анкет {sum(levels.values())} (уровни: {spread})"
        )
