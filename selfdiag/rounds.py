"""A round's work shared by its pages (selfdiag/views.py) and the API (selfdiag/api.py): who may
open one and opening it, its Excel template, reading a filled template, its results file."""

from typing import NamedTuple

from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse

from orgs.models import Region
from orgs.scope import get_scope
from selfdiag import excel
from selfdiag.access import reviewed_schools
from selfdiag.forms import RoundForm
from selfdiag.models import Round, Submission


def creatable_regions(user) -> list[Region]:
    """The regions in which the user may open a round (the page and the API ask here)."""
    scope = get_scope(user)
    if scope.is_superuser:
        return list(Region.objects.filter(municipalities__isnull=False).distinct())
    return list(Region.objects.filter(pk__in=scope.write_regions))


CANNOT_CREATE_MESSAGE = "Открыть раунд может региональный оператор."


@transaction.atomic
def open_round(form: RoundForm, user) -> Round:
    """Save a valid RoundForm as a new round of its schools, opened by `user`."""
    round_ = form.save(commit=False)
    round_.created_by = user
    round_.save()
    round_.schools.set(form.cleaned_data["school_list"])
    return round_


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
