"""A round's work shared by its pages (selfdiag/views.py) and the API (selfdiag/api.py):
opening one, its progress by municipality, its Excel template, reading a filled template, its
results file. Who may do each is asked of selfdiag/access.py."""

from typing import NamedTuple

from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import FileResponse

from notifications import events
from selfdiag import excel
from selfdiag.access import reviewed_schools, schools_in_scope
from selfdiag.forms import RoundForm
from selfdiag.models import Round, Submission
from selfdiag.querysets import Progress


@transaction.atomic
def open_round(form: RoundForm, user) -> Round:
    """Save a valid RoundForm as a new round of its schools, opened by `user`."""
    round_ = form.save(commit=False)
    round_.created_by = user
    round_.save()
    round_.schools.set(form.cleaned_data["school_list"])
    events.round_opened(round_)  # on commit: the schools' coordinators are told
    return round_


def progress_by_municipality(user, round_: Round) -> list[Progress]:
    """The round's progress among the schools the user sees, a line per municipality by name.
    Two queries, whatever the number of schools; their sum is the round's progress."""
    schools = schools_in_scope(user, round_)
    counts = {
        row.pop("school__municipality_id"): row
        for row in Submission.objects.filter(round=round_, school__in=schools).progress(
            "school__municipality_id"
        )
    }
    totals = (
        schools.order_by()
        .values("municipality_id", "municipality__name")
        .annotate(total=Count("pk"))
        .order_by("municipality__name")
    )
    return [
        Progress(
            name=row["municipality__name"] or "",
            total=row["total"],
            **counts.get(row["municipality_id"], {}),
        )
        for row in totals
    ]


def _xlsx_response(handle, filename):
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=excel.XLSX)


def template_file(user, round_: Round) -> FileResponse:
    """The round's Excel template for the schools the user reviews (ask require_reviewer first)."""
    schools = (
        reviewed_schools(user, round_)
        .select_related("municipality")
        .order_by("municipality__name", "short_name")
    )
    handle = excel.temporary_file()
    excel.build_template(round_, schools, round_.methodology.as_plain(), handle)
    return _xlsx_response(handle, f"samodiagnostika-shablon-{round_.pk}.xlsx")


def parse_upload(user, round_: Round, data: bytes, filename: str) -> excel.ParsedResults:
    """A filled template checked against the round and the schools the user reviews."""
    return excel.parse_results(
        data,
        filename,
        round_,
        reviewed_schools(user, round_).select_related("municipality"),
        round_.methodology.as_plain(),
    )


def import_message(created: int, updated: int) -> str:
    return f"Результаты загружены и подсчитаны: новых анкет {created}, обновлено {updated}."


class ResultsExport(NamedTuple):
    """What the round's results workbook is made of: every scored submission of the user's
    scope, the methodology's directions (code, name) in order, and the file's name."""

    submissions: QuerySet
    directions: list[tuple[str, str]]
    filename: str


def results_export(user, round_: Round) -> ResultsExport:
    """The parts of the results workbook, for the download here and the background job."""
    return ResultsExport(
        Submission.objects.for_user(user).filter(round=round_, scored_at__isnull=False),
        list(round_.methodology.directions.order_by("position").values_list("code", "name")),
        f"samodiagnostika-rezultaty-{round_.pk}.xlsx",
    )


def results_file(user, round_: Round) -> FileResponse:
    """The round's results in Excel, made in the request."""
    export = results_export(user, round_)
    handle = excel.temporary_file()
    excel.write_export(round_, export.submissions, export.directions, handle)
    return _xlsx_response(handle, export.filename)
