"""Scoring submissions and storing their results; recomputing after a methodology changes.

Scoring itself is selfdiag.scoring (plain Python); this module feeds it the answers from the
database and writes what it returns, in bulk: a round of a thousand schools is a few queries
per batch, not a few per school.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from selfdiag.models import (
    Answer,
    Deficit,
    DirectionResult,
    Indicator,
    Methodology,
    MethodologyDirection,
    Submission,
)
from selfdiag.scoring import compile_methodology, score

BATCH = 500


def _ids(methodology: Methodology) -> tuple[dict[str, int], dict[str, int]]:
    directions = dict(
        MethodologyDirection.objects.filter(methodology=methodology).values_list("code", "pk")
    )
    indicators = dict(Indicator.objects.filter(methodology=methodology).values_list("code", "pk"))
    return directions, indicators


@transaction.atomic
def store_results(submissions: Iterable[Submission]) -> int:
    """Score the submissions from their saved answers and store the results; returns the count."""
    ids = [submission.pk for submission in submissions]
    done = 0
    for start in range(0, len(ids), BATCH):
        done += _store_batch(ids[start : start + BATCH])
    return done


def _store_batch(ids: list[int]) -> int:
    batch = list(
        Submission.objects.filter(pk__in=ids)
        .select_related("round__methodology", "school")
        .defer("round__methodology__source")
    )
    answers: dict[int, dict[str, str]] = defaultdict(dict)
    for submission_id, indicator, option in (
        Answer.objects.filter(submission_id__in=ids)
        .order_by()
        .values_list("submission_id", "indicator__code", "option__code")
    ):
        answers[submission_id][indicator] = option

    by_methodology: dict[int, list[Submission]] = defaultdict(list)
    methodologies = {}
    for submission in batch:
        by_methodology[submission.round.methodology_id].append(submission)
        methodologies[submission.round.methodology_id] = submission.round.methodology

    now = timezone.now()
    direction_rows: list[DirectionResult] = []
    deficit_rows: list[Deficit] = []
    for methodology_id, group in by_methodology.items():
        methodology = methodologies[methodology_id]
        compiled = compile_methodology(methodology.as_plain())
        direction_ids, indicator_ids = _ids(methodology)
        for submission in group:
            result = score(compiled, submission.profile(), answers.get(submission.pk, {}))
            submission.total_points = result.total_points
            submission.max_points = result.max_points
            submission.share = result.share
            submission.level = result.level
            submission.capped_by_critical = result.capped_by_critical
            submission.unanswered_count = len(result.unanswered) + len(result.invalid)
            submission.deficit_count = len(result.deficits)
            submission.scored_at = now
            for item in result.directions:
                direction_rows.append(
                    DirectionResult(
                        submission=submission,
                        round_id=submission.round_id,
                        school_id=submission.school_id,
                        direction_id=direction_ids[item.direction],
                        direction_code=item.direction,
                        points=item.points,
                        max_points=item.max_points,
                        share=item.share,
                        level=item.level,
                        capped_by_critical=item.capped_by_critical,
                    )
                )
            for position, deficit in enumerate(result.deficits):
                deficit_rows.append(
                    Deficit(
                        submission=submission,
                        round_id=submission.round_id,
                        school_id=submission.school_id,
                        indicator_id=indicator_ids[deficit.indicator],
                        indicator_code=deficit.indicator,
                        direction_code=deficit.direction,
                        points=deficit.points,
                        max_points=deficit.max_points,
                        critical=deficit.critical,
                        position=position,
                    )
                )

    DirectionResult.objects.filter(submission_id__in=ids).delete()
    Deficit.objects.filter(submission_id__in=ids).delete()
    DirectionResult.objects.bulk_create(direction_rows, batch_size=1000)
    Deficit.objects.bulk_create(deficit_rows, batch_size=1000)
    Submission.objects.bulk_update(
        batch,
        [
            "total_points",
            "max_points",
            "share",
            "level",
            "capped_by_critical",
            "unanswered_count",
            "deficit_count",
            "scored_at",
        ],
    )
    return len(batch)


@transaction.atomic
def recompute(methodology: Methodology) -> int:
    """Score again every scored submission of the rounds that use this methodology.

    Call it after the methodology's rows changed (the admin does, and so does
    `manage.py recompute_results`). Raises MethodologyError if the rows no longer form a valid
    methodology; nothing is changed then.
    """
    methodology.bump_revision()
    methodology.as_plain()
    scored = Submission.objects.filter(
        round__methodology=methodology, scored_at__isnull=False
    ).values_list("pk", flat=True)
    return store_results([Submission(pk=pk) for pk in scored])
