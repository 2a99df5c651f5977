"""Pages of self-diagnosis: rounds, the school's questionnaire, results, review, Excel."""

import re

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db import router
from django.db.models import F, FilteredRelation, OuterRef, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from orgs.models import Municipality, Organization
from orgs.scope import get_scope
from orgs.uploads import discard, stash_upload, stashed_path
from portal import russian, tasks
from portal.jinja2 import render_fragment
from portal.prepared import Columns, Prepared, instances
from portal.russian import quote
from portal.validators import parse_id
from roadmaps.models import WorkflowError
from selfdiag import excel
from selfdiag.access import (
    can_answer,
    can_manage_round,
    can_review,
    can_write_school,
    creatable_regions,
    get_round_and_school,
    get_round_for_user,
    require_can_answer,
    require_can_plan,
    require_can_review,
    require_reviewer,
    require_round_manager,
    require_round_opener,
    reviewed_schools,
    schools_in_scope,
)
from selfdiag.answering import InvalidAnswers, option_ids, save_answers
from selfdiag.charts import Bar, horizontal_bars, level_thresholds
from selfdiag.forms import (
    DeficitRowFormSet,
    PlanTargetForm,
    ResultsUploadForm,
    ReviewForm,
    RoundForm,
)
from selfdiag.methodology import LEVEL_RANK, LEVELS
from selfdiag.models import (
    Answer,
    Deficit,
    DirectionResult,
    Level,
    Round,
    Submission,
    SubmissionError,
    school_profile,
)
from selfdiag.plans import (
    ROLE_SUGGESTIONS,
    PlanRow,
    academic_year,
    add_deficits_to_plan,
    plan_deficits,
    plan_outcome_message,
    proposed_rows,
)
from selfdiag.querysets import Progress, count_of
from selfdiag.questions import render_questions
from selfdiag.review import reviewers_for
from selfdiag.rounds import (
    import_message,
    open_round,
    parse_upload,
    progress_by_municipality,
    results_file,
    template_file,
)
from selfdiag.scoring import compile_methodology
from selfdiag.templatetags.selfdiag_tags import level_badge, level_label, signed

ANCHOR = re.compile(r"q-\d{1,4}")
NOT_STARTED = "none"


# Rounds -----------------------------------------------------------------------------------------


@login_required
def round_list(request):
    rounds = (
        Round.objects.for_user(request.user)
        .with_methodology()
        .with_progress(Organization.objects.for_user(request.user))
    )
    return render(
        request,
        "selfdiag/round_list.html",
        {"rounds": rounds, "can_create": bool(creatable_regions(request.user))},
    )


@login_required
def round_create(request):
    regions = require_round_opener(request.user)
    form = RoundForm(request.POST or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        round_ = open_round(form, request.user)
        messages.success(
            request,
            f"Раунд {quote(round_.name)} открыт: школ — {len(form.cleaned_data['school_list'])}.",
        )
        return redirect("selfdiag:round-detail", round_.pk)
    return render(request, "selfdiag/round_form.html", {"form": form})


def _school_rows(user, round_):
    submission = FilteredRelation(
        "selfdiag_submissions", condition=Q(selfdiag_submissions__round_id=round_.pk)
    )
    # Counted by the joined submission's id (the answers' index), not by round and school: that
    # form made PostgreSQL walk every submission of the country once per row.
    answered = Answer.objects.filter(submission_id=OuterRef("submission_id"))
    return (
        schools_in_scope(user, round_)
        .annotate(sub=submission)
        .annotate(
            submission_id=F("sub__id"),
            submission_status=F("sub__status"),
            submission_level=F("sub__level"),
            submission_points=F("sub__total_points"),
            submission_max=F("sub__max_points"),
            submission_updated=F("sub__updated"),
        )
        .annotate(answered=count_of(answered, "submission_id"))
        .select_related("municipality")
    )


class _Numbers(dict):
    """Points as the templates' `floatformat:"-1"` prints them («12,5», «40»), each value
    formatted once: a round's schools share a few dozen totals."""

    def __missing__(self, value):
        text = self[value] = floatformat(value, "-1")
        return text


@login_required
def round_detail(request, pk):
    round_ = get_round_for_user(request, pk)
    user = request.user
    rows = _school_rows(user, round_)

    municipality = request.GET.get("municipality", "")
    status = request.GET.get("status", "")
    level = request.GET.get("level", "")
    query = request.GET.get("q", "").strip()
    if municipality_pk := parse_id(municipality):
        rows = rows.filter(municipality_id=municipality_pk)
    if status == NOT_STARTED:
        rows = rows.filter(submission_id__isnull=True)
    elif status in Submission.Status.values:
        rows = rows.filter(submission_status=status)
    if level in Level.values:
        rows = rows.filter(submission_level=level, submission_status__in=Submission.SCORED_STATUSES)
    if query:
        rows = rows.filter(Q(short_name__icontains=query) | Q(name__icontains=query))
    rows = list(rows.order_by("municipality__name", "short_name"))

    compiled = compile_methodology(round_.methodology.as_plain())
    points = _Numbers()
    for row in rows:
        row.question_total = len(compiled.plan(school_profile(row)).indicators)
        row.status_label = (
            Submission.Status(row.submission_status).label if row.submission_status else "не начата"
        )
        if row.submission_points is not None:
            row.points_text = f"{points[row.submission_points]} из {points[row.submission_max]}"

    by_municipality = progress_by_municipality(user, round_)
    counts = sum(by_municipality, Progress())
    municipalities = Municipality.objects.filter(
        pk__in=schools_in_scope(user, round_).values("municipality_id")
    ).order_by("name")
    is_reviewer = reviewed_schools(user, round_).exists()
    school_rows = render_fragment(
        request,
        "selfdiag/round_rows.html",
        {"round": round_, "rows": rows, "level_badge": level_badge},
    )
    return render(
        request,
        "selfdiag/round_detail.html",
        {
            "round": round_,
            "rows": rows,
            "school_rows": school_rows,
            "counts": counts,
            "export_in_background": tasks.in_background(counts.total),
            "by_municipality": by_municipality,
            "municipalities": municipalities,
            "filters": {
                "municipality": municipality,
                "status": status,
                "level": level,
                "q": query,
            },
            "status_choices": [(NOT_STARTED, "не начата"), *Submission.Status.choices],
            "level_choices": Level.choices,
            "can_manage": can_manage_round(user, round_),
            "is_reviewer": is_reviewer,
        },
    )


@login_required
@require_POST
def round_status(request, pk):
    round_ = get_round_for_user(request, pk)
    require_round_manager(request.user, round_)
    if request.POST.get("status") == Round.Status.CLOSED:
        round_.close()
        messages.success(
            request, f"Раунд {quote(round_.name)} закрыт: черновики больше не правятся."
        )
    else:
        round_.reopen()
        messages.success(request, f"Раунд {quote(round_.name)} снова открыт.")
    return redirect("selfdiag:round-detail", round_.pk)


# The questionnaire --------------------------------------------------------------------------


def _questionnaire_state(round_, school, submission, *, editable):
    """Directions with their applicable indicators and the saved answers, for the page.

    While answers can change the school's current profile decides which questions are asked;
    once sent, the profile it was sent with.
    """
    methodology = round_.methodology.as_plain()
    profile = submission.profile() if submission and not editable else school_profile(school)
    applicable = {i.code for i in compile_methodology(methodology).plan(profile).indicators}
    answers = submission.answers_by_code() if submission else {}
    sections = []
    number = 0
    for direction in methodology.directions:
        questions = []
        for indicator in methodology.indicators_of(direction.code):
            if indicator.code not in applicable:
                continue
            number += 1
            answer = answers.get(indicator.code)
            if answer is not None and indicator.option(answer) is None:
                answer = None
            questions.append({"indicator": indicator, "answer": answer, "anchor": f"q-{number}"})
        if questions:
            sections.append(
                {
                    "direction": direction,
                    "questions": questions,
                    "answered": sum(1 for q in questions if q["answer"]),
                    "total": len(questions),
                }
            )
    answered = sum(section["answered"] for section in sections)
    total = sum(section["total"] for section in sections)
    return {
        "methodology": methodology,
        "sections": sections,
        "answered": answered,
        "total": total,
        "unanswered": total - answered,
    }


def _submission_rows(round_pk, school_pk, scope):
    return (
        Submission.objects.filter(
            scope.organization_q("school__"), round_id=round_pk, school_id=school_pk
        )
        .order_by()
        .values_list(*(path for part in _SUBMISSION_JOINED for path in part.paths))
    )


# The submission with who sent it and who reviewed it (either may be missing).
_SUBMISSION_JOINED = (
    Columns(Submission),
    Columns(get_user_model(), "submitted_by__"),
    Columns(get_user_model(), "reviewed_by__"),
)
_SUBMISSION_OF = Prepared(_submission_rows, params=("round_pk", "school_pk"))


def _submission(user, round_, school):
    """The school's submission of the round (None before the first answer), as
    Submission.objects.for_user(user) finds it, in a query compiled once per scope: the
    questionnaire and the result open it on every visit."""
    scope = get_scope(user)
    row = _SUBMISSION_OF.row(
        shape=scope, extra={"scope": scope}, round_pk=round_.pk, school_pk=school.pk
    )
    if row is None:
        return None
    submission, submitted_by, reviewed_by = instances(
        row, _SUBMISSION_JOINED, router.db_for_read(Submission)
    )
    submission.submitted_by, submission.reviewed_by = submitted_by, reviewed_by
    return submission


def _reviewers(submission, school):
    """Who reviews a sent questionnaire (None while it is not waiting for review)."""
    if submission is None or submission.status != Submission.Status.SUBMITTED:
        return None
    submission.school = school
    return reviewers_for(submission)


@login_required
def questionnaire(request, pk, school_pk):
    round_, school = get_round_and_school(request, pk, school_pk)
    submission = _submission(request.user, round_, school)
    editable = can_answer(request.user, round_, school, submission)
    context = {
        "round": round_,
        "school": school,
        "submission": submission,
        "editable": editable,
        "can_review": can_review(request.user, school),
        "reviewers": _reviewers(submission, school),
        **_questionnaire_state(round_, school, submission, editable=editable),
    }
    context["questions"] = render_questions(
        request, round_, school, context["sections"], editable=editable
    )
    # Jinja2, shared with the autosave's answer (answer_saved.html).
    parts = {**context, "oob": False}
    for name in ("status_badge", "progress", "submit_block"):
        context[name] = render_fragment(request, f"selfdiag/{name}.html", parts)
    return render(request, "selfdiag/questionnaire.html", context)


@login_required
@require_POST
def answer(request, pk, school_pk):
    """Save one answer (htmx posts each change on its own, so two tabs never overwrite)."""
    round_, school = get_round_and_school(request, pk, school_pk)
    require_can_answer(request.user, school)
    code = request.POST.get("indicator", "")
    option_code = request.POST.get("option", "")
    try:
        submission = save_answers(round_, school, {code: option_code}, by=request.user)
    except InvalidAnswers:
        return HttpResponse("Такого ответа в анкете нет.", status=400, content_type="text/plain")
    except SubmissionError as error:
        return HttpResponse(str(error), status=409, content_type="text/plain")
    if not request.htmx:
        anchor = request.POST.get("anchor", "")
        fragment = f"#{anchor}" if ANCHOR.fullmatch(anchor) else ""
        return redirect(reverse("selfdiag:questionnaire", args=[round_.pk, school.pk]) + fragment)
    html = render_fragment(
        request,
        "selfdiag/answer_saved.html",
        {
            "round": round_,
            "school": school,
            "submission": submission,
            "saved_at": timezone.localtime(),
            **_saved_progress(round_, school, submission, code),
        },
    )
    return HttpResponse(html)


_ANSWERED = Prepared(
    lambda submission: (
        Answer.objects.filter(submission_id=submission).order_by().values_list("indicator_id")
    ),
    params=("submission",),
)


def _saved_progress(round_, school, submission, code):
    """The counts the autosave response updates (the progress, the answered question's
    direction, the submit block): one query for the ids of the answered indicators, instead of
    rebuilding the whole questionnaire (_questionnaire_state)."""
    methodology = round_.methodology.as_plain()
    applicable = compile_methodology(methodology).plan(school_profile(school)).indicators
    indicator_ids = {
        indicator_code: indicator_id
        for (indicator_code, _), (_, indicator_id) in option_ids(round_.methodology).items()
    }
    answered_ids = {indicator_id for (indicator_id,) in _ANSWERED.rows(submission=submission.pk)}
    direction = methodology.indicator(code).direction
    answered = total = section_answered = section_total = 0
    for indicator in applicable:
        is_answered = indicator_ids.get(indicator.code) in answered_ids
        answered += is_answered
        total += 1
        if indicator.direction == direction:
            section_answered += is_answered
            section_total += 1
    return {
        "section": {
            "direction": methodology.direction(direction),
            "answered": section_answered,
            "total": section_total,
        },
        "answered": answered,
        "total": total,
        "unanswered": total - answered,
    }


@login_required
@require_POST
def submit(request, pk, school_pk):
    round_, school = get_round_and_school(request, pk, school_pk)
    require_can_answer(request.user, school)
    try:
        submission, _ = Submission.start(round_, school)
        submission.round, submission.school = round_, school
        submission.submit(by=request.user)
    except SubmissionError as error:
        messages.error(request, str(error))
        return redirect("selfdiag:questionnaire", round_.pk, school.pk)
    unanswered = submission.unanswered_count
    note = (
        f" Без ответа {russian.plural(unanswered, 'остался', 'осталось', 'осталось')} "
        f"{russian.count(unanswered, 'вопрос,вопроса,вопросов')}: засчитано 0 баллов."
        if unanswered
        else ""
    )
    messages.success(request, f"Анкета отправлена на проверку.{note}")
    return redirect("selfdiag:result", round_.pk, school.pk)


# Results and review ---------------------------------------------------------------------------


def _arrow(before: str, after: str) -> str:
    change = LEVEL_RANK[after] - LEVEL_RANK[before]
    return "up" if change > 0 else "down" if change < 0 else "same"


@login_required
def result(request, pk, school_pk):
    round_, school = get_round_and_school(request, pk, school_pk)
    submission = _submission(request.user, round_, school)
    if submission is None or not submission.is_scored:
        return redirect("selfdiag:questionnaire", round_.pk, school.pk)
    submission.round = round_
    methodology = round_.methodology.as_plain()
    directions = list(
        DirectionResult.objects.filter(submission=submission)
        .select_related("direction")
        .order_by("direction__position")
    )
    names = {d.direction_code: d.direction.name for d in directions}
    deficits = list(
        Deficit.objects.filter(submission=submission)
        .select_related("indicator")
        .order_by("position")
    )
    for deficit in deficits:
        deficit.direction_name = names.get(deficit.direction_code, deficit.direction_code)

    previous = (
        Submission.objects.for_user(request.user)
        .scored()
        .filter(school=school, round__closes_on__lt=round_.closes_on)
        .select_related("round")
        .order_by("-round__closes_on", "-pk")
        .first()
    )
    changes = {}
    if previous is not None:
        before = {d.direction_code: d for d in DirectionResult.objects.filter(submission=previous)}
        for result_row in directions:
            old = before.get(result_row.direction_code)
            if old is not None:
                changes[result_row.direction_code] = {
                    "points": result_row.points - old.points,
                    "before": old,
                    "arrow": _arrow(old.level, result_row.level),
                }
        previous.arrow = _arrow(previous.level, submission.level) if previous.level else ""
        previous.delta = submission.total_points - previous.total_points
    for result_row in directions:
        result_row.change = changes.get(result_row.direction_code)
        result_row.level_label = LEVELS[result_row.level]

    bars = []
    for result_row in directions:
        try:
            thresholds = methodology.direction(result_row.direction_code).thresholds
            marks = level_thresholds(thresholds, result_row.max_points)
        except KeyError:
            marks = []
        bars.append(
            Bar(
                label=result_row.direction.name,
                value=result_row.points,
                maximum=result_row.max_points,
                level=result_row.level,
                thresholds=marks,
            )
        )
    chart = horizontal_bars(bars, title=f"Баллы по направлениям: {school.short_name}")
    writable = can_write_school(request.user, school)
    reviewer = can_review(request.user, school)
    tables = {
        "directions": directions,
        "deficits": deficits,
        "previous": previous,
        "points": _Numbers().__getitem__,
        "level_badge": level_badge,
        "level_label": level_label,
        "signed": signed,
    }
    return render(
        request,
        "selfdiag/result.html",
        {
            "round": round_,
            "school": school,
            "submission": submission,
            "directions": directions,
            "deficits": deficits,
            "critical_count": sum(1 for d in deficits if d.critical),
            "previous": previous,
            "chart": chart,
            "direction_rows": render_fragment(
                request, "selfdiag/result_tables.html", {**tables, "part": "directions"}
            ),
            "deficit_rows": render_fragment(
                request, "selfdiag/result_tables.html", {**tables, "part": "deficits"}
            ),
            "level_label": LEVELS.get(submission.level, ""),
            "can_plan": writable and bool(deficits),
            "can_review": reviewer,
            "review_form": ReviewForm() if reviewer else None,
            "reviewers": _reviewers(submission, school),
        },
    )


@login_required
@require_POST
def review(request, pk, school_pk):
    round_, school = get_round_and_school(request, pk, school_pk)
    require_can_review(request.user, school)
    submission = get_object_or_404(
        Submission.objects.for_user(request.user), round=round_, school=school
    )
    form = ReviewForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("selfdiag:result", round_.pk, school.pk)
    accept = form.cleaned_data["action"] == ReviewForm.ACCEPT
    try:
        submission.review(by=request.user, accept=accept, comment=form.cleaned_data["comment"])
    except SubmissionError as error:
        messages.error(request, str(error))
    else:
        outcome = "принята" if accept else "возвращена на доработку"
        messages.success(request, f"Самодиагностика {quote(school.short_name)} {outcome}.")
    return redirect("selfdiag:result", round_.pk, school.pk)


@login_required
def plan_from_deficits(request, pk, school_pk):
    """Pre-fill the school's plan with an item per chosen deficit."""
    round_, school = get_round_and_school(request, pk, school_pk)
    require_can_plan(request.user, school)
    submission = get_object_or_404(
        Submission.objects.for_user(request.user).select_related("school"),
        round=round_,
        school=school,
        scored_at__isnull=False,
    )
    submission.round = round_
    deficits, draft = plan_deficits(submission)
    period = academic_year(round_)
    period_label = f"{period.start.year}/{period.end.year}"
    by_code = {deficit.indicator_code: deficit for deficit in deficits}
    data = request.POST if request.method == "POST" else None
    target_form = PlanTargetForm(data, draft=draft, period_label=period_label)
    rows = DeficitRowFormSet(
        data,
        codes=by_code,
        prefix="rows",
        initial=[
            {
                "include": row.deficit.critical and not row.deficit.in_plan,
                "code": row.deficit.indicator_code,
                "title": row.title,
                "deadline_text": row.deadline_text,
                "responsible": ", ".join(row.responsible),
            }
            for row in proposed_rows(deficits, school)
        ],
    )
    if data is not None and target_form.is_valid() and rows.is_valid():
        chosen = [
            PlanRow(
                deficit=by_code[row["code"]],
                title=row["title"].strip(),
                deadline_text=row["deadline_text"].strip(),
                responsible=row["responsible"],
            )
            for row in rows.chosen()
        ]
        try:
            outcome = add_deficits_to_plan(
                submission, chosen, user=request.user, target=target_form.cleaned_data["target"]
            )
        except WorkflowError as error:
            target_form.add_error("target", str(error))
        else:
            messages.success(request, plan_outcome_message(outcome))
            return redirect("roadmaps:roadmap-detail", outcome.roadmap.pk)
    for form in rows:
        code = form["code"].value()
        form.deficit = by_code.get(code)
    return render(
        request,
        "selfdiag/plan_form.html",
        {
            "round": round_,
            "school": school,
            "submission": submission,
            "target_form": target_form,
            "rows": rows,
            "draft": draft,
            "period_label": period_label,
            "responsible_suggestions": [school.short_name, *ROLE_SUGGESTIONS],
        },
    )


# Excel ----------------------------------------------------------------------------------------


@login_required
def round_template(request, pk):
    round_ = get_round_for_user(request, pk)
    require_reviewer(request.user, round_)
    return template_file(request.user, round_)


@login_required
def round_import(request, pk):
    round_ = get_round_for_user(request, pk)
    require_reviewer(request.user, round_)
    form = ResultsUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            parsed = parse_upload(request.user, round_, uploaded.read(), uploaded.name)
        except excel.ResultsFileError as error:
            form.add_error("file", str(error))
        else:
            uploaded.seek(0)
            token = stash_upload(request.user, uploaded) if parsed.ok else ""
            return render(
                request,
                "selfdiag/import_preview.html",
                {
                    "round": round_,
                    "parsed": parsed,
                    "token": token,
                    "filename": uploaded.name,
                    "answer_count": sum(len(row.answers) for row in parsed.rows),
                },
            )
    return render(request, "selfdiag/import_form.html", {"round": round_, "form": form})


@login_required
@require_POST
def round_import_confirm(request, pk):
    round_ = get_round_for_user(request, pk)
    require_reviewer(request.user, round_)
    token = request.POST.get("token", "")
    path = stashed_path(request.user, token)
    if path is None:
        messages.error(request, "Файл для загрузки не найден; загрузите его ещё раз.")
        return redirect("selfdiag:round-import", round_.pk)
    try:
        parsed = parse_upload(request.user, round_, path.read_bytes(), path.name)
        created, updated = excel.save_results(parsed, round_, request.user)
    except excel.ResultsFileError as error:
        messages.error(request, str(error))
        return redirect("selfdiag:round-import", round_.pk)
    discard(request.user, token)
    messages.success(request, import_message(created, updated))
    return redirect("selfdiag:round-detail", round_.pk)


@login_required
def round_export(request, pk):
    round_ = get_round_for_user(request, pk)
    return results_file(request.user, round_)
