"""Saving a school's answers: the one place the questionnaire page and the API both call.

Each answer is checked against the questions the school is asked (the methodology's plan for
the school's profile); then all are saved under the submission's row lock, or none.
"""

from django.db import transaction
from django.utils import timezone

from selfdiag.models import Answer, Option, Submission, SubmissionError, school_profile
from selfdiag.scoring import compile_methodology

NOT_SAVED_MESSAGE = "Анкета отправлена или раунд закрыт: ответ не сохранён."


class InvalidAnswers(ValueError):
    """Answers that are not in the school's questionnaire: {indicator code: message}."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{code}: {message}" for code, message in errors.items()))
        self.errors = errors


def check_answers(round_, school, answers: dict[str, str]) -> None:
    methodology = round_.methodology.as_plain()
    profile = school_profile(school)
    applicable = {i.code for i in compile_methodology(methodology).plan(profile).indicators}
    errors = {}
    for code, option_code in answers.items():
        try:
            indicator = methodology.indicator(code)
        except KeyError:
            indicator = None
        if indicator is None or code not in applicable:
            errors[code] = "Такого вопроса в анкете школы нет."
        elif indicator.option(option_code) is None:
            errors[code] = f"Такого ответа в анкете нет: «{option_code}»."
    if errors:
        raise InvalidAnswers(errors)


def save_answers(round_, school, answers: dict[str, str], *, by) -> Submission:
    """Save `answers` ({indicator code: option code}) into the school's submission of the round,
    starting it when there is none. Raises InvalidAnswers (nothing saved) or SubmissionError
    when the submission is sent or the round closed (nothing saved, no submission started)."""
    check_answers(round_, school, answers)
    options = {
        (indicator_code, code): (pk, indicator_id)
        for indicator_code, code, pk, indicator_id in Option.objects.filter(
            indicator__methodology_id=round_.methodology_id, indicator__code__in=list(answers)
        ).values_list("indicator__code", "code", "pk", "indicator_id")
    }
    with transaction.atomic():
        submission, _ = Submission.objects.get_or_create(round=round_, school=school)
        submission = Submission.objects.select_for_update().get(pk=submission.pk)
        submission.round = round_
        if not submission.is_editable:
            # Rolls back a submission started just now, in a closed round.
            raise SubmissionError(NOT_SAVED_MESSAGE)
        for code, option_code in answers.items():
            option_id, indicator_id = options[(code, option_code)]
            Answer.objects.update_or_create(
                submission=submission,
                indicator_id=indicator_id,
                defaults={"option_id": option_id, "answered_by": by},
            )
        Submission.objects.filter(pk=submission.pk).update(updated=timezone.now())
    return submission
