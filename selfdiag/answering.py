"""Saving a school's answers: the one place the questionnaire page and the API both call.

Each answer is checked against the questions the school is asked (the methodology's plan for
the school's profile); then all are saved under the submission's row lock, or none.

Autosave calls this once per click, so the common case is kept to three statements inside the
transaction: lock the submission, UPDATE the answer row (INSERT when there is none yet), touch
the submission. Option ids come from a per-process map keyed by the methodology's revision.
"""

import threading

from django.db import IntegrityError, connections, router, transaction
from django.utils import timezone

from portal.prepared import Columns, Prepared, instances
from selfdiag.models import Answer, Option, Submission, SubmissionError, school_profile
from selfdiag.scoring import compile_methodology

NOT_SAVED_MESSAGE = "Анкета отправлена или раунд закрыт: ответ не сохранён."

# {(methodology pk, revision): {(indicator code, option code): (option pk, indicator pk)}}.
# Every change of a methodology's rows gives it a new revision (Methodology.bump_revision).
_OPTION_IDS: dict[tuple, dict[tuple[str, str], tuple[int, int]]] = {}
_OPTION_IDS_LOCK = threading.Lock()


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


def option_ids(methodology) -> dict[tuple[str, str], tuple[int, int]]:
    """{(indicator code, option code): (option pk, indicator pk)} of the methodology."""
    key = (methodology.pk, methodology.revision)
    ids = _OPTION_IDS.get(key)
    if ids is None:
        ids = {
            (indicator_code, code): (pk, indicator_id)
            for indicator_code, code, pk, indicator_id in Option.objects.filter(
                indicator__methodology_id=methodology.pk
            )
            .order_by()
            .values_list("indicator__code", "code", "pk", "indicator_id")
        }
        with _OPTION_IDS_LOCK:
            for stale in [k for k in _OPTION_IDS if k[0] == methodology.pk]:
                _OPTION_IDS.pop(stale, None)
            _OPTION_IDS[key] = ids
    return ids


def _locked_rows(round_pk, school_pk):
    return (
        Submission.objects.select_for_update(of=("self",))
        .filter(round_id=round_pk, school_id=school_pk)
        .order_by()
        .values_list(*_SUBMISSION.paths, "round__status")
    )


_SUBMISSION = Columns(Submission)
# Compiled once per process: the autosave locks the submission on every click.
_LOCKED = Prepared(_locked_rows, params=("round_pk", "school_pk"))


def _locked_submission(round_, school) -> Submission:
    """The school's submission of the round, row-locked, with the round's status read under the
    lock (as Submission._lock does); started when there is none."""
    row = _LOCKED.row(round_pk=round_.pk, school_pk=school.pk)
    if row is None:
        try:
            with transaction.atomic():
                Submission.objects.create(round=round_, school=school)
        except IntegrityError:
            pass  # started by a parallel request just now
        row = _LOCKED.row(round_pk=round_.pk, school_pk=school.pk)
    *fields, round_.status = row
    return instances(fields, [_SUBMISSION], router.db_for_write(Submission))[0]


def save_answers(round_, school, answers: dict[str, str], *, by) -> Submission:
    """Save `answers` ({indicator code: option code}) into the school's submission of the round,
    starting it when there is none. Raises InvalidAnswers (nothing saved) or SubmissionError
    when the submission is sent or the round closed (nothing saved, no submission started)."""
    check_answers(round_, school, answers)
    options = option_ids(round_.methodology)
    with transaction.atomic():
        submission = _locked_submission(round_, school)
        submission.round, submission.school = round_, school
        if not submission.is_editable:
            # Rolls back a submission started just now, in a closed round.
            raise SubmissionError(NOT_SAVED_MESSAGE)
        now = timezone.now()
        connection = connections[router.db_for_write(Answer)]
        stored_now = connection.ops.adapt_datetimefield_value(now)
        answer_sql, touch_sql = _update_sql(connection)
        by_pk = by.pk if by is not None else None
        with connection.cursor() as cursor:
            for code, option_code in answers.items():
                option_id, indicator_id = options[(code, option_code)]
                cursor.execute(
                    answer_sql, [option_id, by_pk, stored_now, submission.pk, indicator_id]
                )
                if not cursor.rowcount:
                    # The submission's row lock is held: no one else inserts it meanwhile.
                    Answer.objects.create(
                        submission=submission,
                        indicator_id=indicator_id,
                        option_id=option_id,
                        answered_by=by,
                    )
            cursor.execute(touch_sql, [stored_now, submission.pk])
        submission.updated = now
    return submission


_UPDATE_SQL: dict[str, tuple[str, str]] = {}


def _update_sql(connection) -> tuple[str, str]:
    """The autosave's two UPDATEs, written once per connection's SQL dialect: the answer's new
    option, who and when; the submission's `updated`. They are what
    `Answer.objects.filter(...).update(...)` would send (as that, no signals, no history),
    without building and compiling the query on every click (16 % of an autosave's processor
    time, py-spy under gunicorn)."""
    if connection.vendor in _UPDATE_SQL:
        return _UPDATE_SQL[connection.vendor]
    quote = connection.ops.quote_name
    answer, submission = Answer._meta, Submission._meta

    def column(meta, name):
        return quote(meta.get_field(name).column)

    answer_sql = (
        f"UPDATE {quote(answer.db_table)} SET {column(answer, 'option')} = %s, "
        f"{column(answer, 'answered_by')} = %s, {column(answer, 'answered_at')} = %s "
        f"WHERE {column(answer, 'submission')} = %s AND {column(answer, 'indicator')} = %s"
    )
    touch_sql = (
        f"UPDATE {quote(submission.db_table)} SET {column(submission, 'updated')} = %s "
        f"WHERE {column(submission, 'id')} = %s"
    )
    _UPDATE_SQL[connection.vendor] = answer_sql, touch_sql
    return answer_sql, touch_sql
