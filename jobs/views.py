"""Pages of background jobs: start one (from the page of a round or a plan), watch its progress,
download its file. A job is its user's: anyone else gets a 404, as for an object out of scope."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from jobs.models import Job
from jobs.operations import (
    map_municipalities,
    start_deficit_map,
    start_plan_pdf,
    start_round_export,
)
from portal.validators import parse_id
from roadmaps.access import get_roadmap_for_user
from selfdiag.access import get_round_for_user


@login_required
@require_POST
def round_export(request, pk):
    job = start_round_export(request.user, get_round_for_user(request, pk))
    return redirect("jobs:job-detail", job.pk)


def _map_job(request, pk, kind: str):
    """A deficit map file of the round, for the municipality chosen on the map's page (POST
    `municipality`) or the whole scope; a municipality the user does not see is a 404."""
    round_ = get_round_for_user(request, pk)
    municipality = None
    value = request.POST.get("municipality", "")
    if value:
        municipality = get_object_or_404(
            map_municipalities(request.user, round_), pk=parse_id(value) or 0
        )
    job = start_deficit_map(request.user, round_, kind, municipality)
    return redirect("jobs:job-detail", job.pk)


@login_required
@require_POST
def deficit_map_xlsx(request, pk):
    return _map_job(request, pk, Job.Kind.DEFICIT_MAP_XLSX)


@login_required
@require_POST
def deficit_map_pdf(request, pk):
    return _map_job(request, pk, Job.Kind.DEFICIT_MAP_PDF)


@login_required
@require_POST
def plan_pdf(request, pk):
    roadmap, _ = get_roadmap_for_user(request, pk)
    job = start_plan_pdf(request.user, roadmap)
    return redirect("jobs:job-detail", job.pk)


def _job_for_user(request, pk) -> Job:
    return get_object_or_404(Job.objects.filter(user=request.user), pk=pk)


@login_required
@require_safe
def job_list(request):
    jobs = Job.objects.filter(user=request.user)[:50]
    return render(request, "jobs/job_list.html", {"jobs": jobs})


@login_required
@require_safe
@never_cache
def job_detail(request, pk):
    return render(request, "jobs/job_detail.html", {"job": _job_for_user(request, pk)})


@login_required
@require_safe
@never_cache
def job_progress(request, pk):
    """The progress block alone: htmx swaps it in every second until the job is finished."""
    return render(request, "jobs/_progress.html", {"job": _job_for_user(request, pk)})


@login_required
@require_safe
def job_download(request, pk):
    job = _job_for_user(request, pk)
    if not job.has_file:
        raise Http404("Файл задания ещё не готов.")
    return file_response(job)


def file_response(job: Job) -> FileResponse:
    """The job's file as a download for its user only: the page and the API send it so."""
    response = FileResponse(job.result.open("rb"), as_attachment=True, filename=job.result_name)
    response["Cache-Control"] = "private, no-store"
    return response
