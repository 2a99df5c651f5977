"""What each kind of job does, as the user who started it: every object is looked up again
through the user's scope when the job runs, so a job enqueued before a membership ended cannot
read what the user no longer sees.

An operation takes the job and a `progress(percent, message="")` callback and returns the file
(a django File) and its download name. `JobError` carries a message for the user.

A job is started by `start_job` and the starters of each kind below: the pages (jobs/views.py)
and the API (jobs/api.py) call them once they have found the round or the plan in the user's
scope.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.files import File
from django.core.files.base import ContentFile
from django.utils import timezone

from jobs.models import Job
from orgs.models import Municipality
from portal.russian import quote
from portal.tasks import run_job
from roadmaps.models import Roadmap
from selfdiag.models import Round

Progress = Callable[..., None]


class JobError(Exception):
    """The job cannot be done; the message is shown on the job's page."""


def _round(job) -> Round:
    round_ = (
        Round.objects.for_user(job.user)
        .with_methodology()
        .filter(pk=job.params.get("round"))
        .first()
    )
    if round_ is None:
        raise JobError("Раунд самодиагностики не найден или больше вам не доступен.")
    return round_


def with_progress(queryset, total: int, progress: Progress, start: int, end: int):
    """The queryset, reporting progress as its .iterator() yields rows.

    selfdiag.excel.write_export reads its rows through .iterator(); a queryset class that counts
    what it yields shows real progress without a hook in the exporter. Chained calls keep the
    class (QuerySet._clone uses self.__class__).
    """

    class Counting(type(queryset)):
        def iterator(self, chunk_size=None):
            for done, row in enumerate(super().iterator(chunk_size=chunk_size), start=1):
                if done % 500 == 0:
                    progress(start + (end - start) * done / max(total, 1))
                yield row

    counting = queryset.all()
    counting.__class__ = Counting
    return counting


def round_export(job, progress: Progress):
    from selfdiag import excel
    from selfdiag.rounds import results_export

    round_ = _round(job)
    export = results_export(job.user, round_)
    total = export.submissions.count()
    progress(5, f"Анкет с результатами: {total}. Заполняется таблица…")
    handle = excel.temporary_file()
    rows = excel.write_export(
        round_, with_progress(export.submissions, total, progress, 5, 95), export.directions, handle
    )
    progress(96, f"Записано строк: {rows}. Сохраняется файл…")
    handle.seek(0)
    return File(handle), export.filename


def plan_pdf(job, progress: Progress):
    from reports import stored
    from reports.downloads import download_name

    roadmap = (
        Roadmap.objects.for_user(job.user)
        .select_related("owner__region", "owner__municipality")
        .filter(pk=job.params.get("roadmap"))
        .first()
    )
    if roadmap is None:
        raise JobError("План не найден или больше вам не доступен.")
    progress(10, f"Вёрстка PDF: мероприятий {roadmap.items.count()}…")
    content = stored.content(roadmap, "pdf")  # an approved version's stored file, if fresh
    progress(95, "Сохраняется файл…")
    return ContentFile(content), download_name(roadmap, "pdf")


def map_municipalities(user, round_):
    """What a deficit map of the round may be narrowed to: the user's municipalities of the
    round's region."""
    return Municipality.objects.for_user(user).filter(region_id=round_.region_id)


def _deficit_map(job, progress: Progress):
    from selfdiag.deficit_map import deficit_map_for

    round_ = _round(job)
    municipality = None
    if job.params.get("municipality"):
        municipality = (
            map_municipalities(job.user, round_).filter(pk=job.params["municipality"]).first()
        )
        if municipality is None:
            raise JobError("Муниципальное образование не найдено или больше вам не доступно.")
    progress(10, "Собираются результаты школ…")
    dmap = deficit_map_for(job.user, round_, municipality)
    return dmap


def deficit_map_xlsx(job, progress: Progress):
    from reports.deficits import deficit_map_xlsx as render
    from reports.deficits import download_names

    dmap = _deficit_map(job, progress)
    progress(50, f"Школ: {len(dmap.schools)}. Заполняется таблица…")
    content = render(dmap, generated=timezone.localdate())
    progress(95, "Сохраняется файл…")
    return ContentFile(content), download_names(dmap, "xlsx")[0]


def deficit_map_pdf(job, progress: Progress):
    from reports.deficits import deficit_map_pdf as render
    from reports.deficits import download_names

    dmap = _deficit_map(job, progress)
    progress(30, f"Школ: {len(dmap.schools)}. Вёрстка PDF — самая долгая часть…")
    content = render(dmap, generated=timezone.localdate())
    progress(95, "Сохраняется файл…")
    return ContentFile(content), download_names(dmap, "pdf")[0]


OPERATIONS = {
    "round_export": round_export,
    "plan_pdf": plan_pdf,
    "deficit_map_xlsx": deficit_map_xlsx,
    "deficit_map_pdf": deficit_map_pdf,
}


# Starting a job


def start_job(user, kind: str, title: str, **params) -> Job:
    """The job, created and enqueued for the task worker (with the immediate backend of the
    tests it has already run when this returns; the object is then stale)."""
    job = Job.objects.create(user=user, kind=kind, title=title[:500], params=params)
    result = run_job.enqueue(job.pk)
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    return job


def start_round_export(user, round_: Round) -> Job:
    return start_job(
        user,
        Job.Kind.ROUND_EXPORT,
        f"Результаты раунда {quote(round_.name)} в Excel",
        round=round_.pk,
    )


MAP_FORMATS = {Job.Kind.DEFICIT_MAP_XLSX: "Excel", Job.Kind.DEFICIT_MAP_PDF: "PDF"}


def start_deficit_map(user, round_: Round, kind: str, municipality=None) -> Job:
    """A deficit map file of the round, for one municipality (of `map_municipalities`) or the
    whole scope of the user."""
    params = {"round": round_.pk}
    title = f"Карта дефицитов {quote(round_.name)}"
    if municipality is not None:
        params["municipality"] = municipality.pk
        title += f", {municipality.name}"
    return start_job(user, kind, f"{title} в {MAP_FORMATS[kind]}", **params)


def start_plan_pdf(user, roadmap: Roadmap) -> Job:
    return start_job(
        user, Job.Kind.PLAN_PDF, f"PDF плана {quote(roadmap.title[:300])}", roadmap=roadmap.pk
    )
