"""Background jobs: started from a round's or a plan's page, run by the task worker (here the
immediate backend), watched on their page, downloaded by their user only."""

import io

import openpyxl
import pytest
from django.urls import reverse

from jobs.models import Job
from jobs.operations import with_progress
from orgs.models import Organization
from portal import tasks
from portal.tasks import Progress, run_job
from selfdiag.models import Submission
from tests.factories import make_round, make_small_plan, make_submission

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def immediate(settings):
    settings.TASKS = IMMEDIATE


@pytest.fixture
def round_(world):
    round_ = make_round(world.region, [world.school, world.sibling_school, world.other_school])
    make_submission(round_, world.school, {"Z1": "yes"}, status="submitted")
    make_submission(round_, world.other_school, {"Z1": "no"}, status="accepted")
    return round_


def _downloaded(client, job) -> bytes:
    response = client.get(reverse("jobs:job-download", args=[job.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_round_export_runs_to_100_percent_with_a_downloadable_workbook(
    immediate, world, round_, client_for
):
    client = client_for(world.operator)
    response = client.post(reverse("jobs:round-export", args=[round_.pk]))
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:job-detail", args=[job.pk])
    assert (job.user, job.kind, job.status, job.progress) == (
        world.operator,
        Job.Kind.ROUND_EXPORT,
        Job.Status.DONE,
        100,
    )
    assert job.task_id and job.finished and job.result_name.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(_downloaded(client, job))).active
    schools = {row[1] for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert schools == {world.school.short_name, world.other_school.short_name}


def test_exported_rows_follow_the_scope_of_the_user_who_started_the_job(
    immediate, world, round_, client_for
):
    client = client_for(world.municipal)  # Гатчина: world.other_school is in another district
    client.post(reverse("jobs:round-export", args=[round_.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(_downloaded(client, Job.objects.get()))).active
    schools = {row[1] for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert schools == {world.school.short_name}


def test_plan_pdf_job_gives_the_pdf(immediate, world, client_for):
    plan = make_small_plan(world.institute)
    client = client_for(world.operator)
    client.post(reverse("jobs:plan-pdf", args=[plan.pk]))
    job = Job.objects.get()
    assert (job.status, job.progress) == (Job.Status.DONE, 100)
    assert _downloaded(client, job).startswith(b"%PDF")


def test_deficit_map_job_gives_a_workbook(immediate, world, round_, client_for):
    client = client_for(world.operator)
    client.post(reverse("jobs:deficit-map-xlsx", args=[round_.pk]))
    job = Job.objects.get()
    assert job.status == Job.Status.DONE
    workbook = openpyxl.load_workbook(io.BytesIO(_downloaded(client, job)))
    assert "Карта дефицитов" in workbook.sheetnames


def test_deficit_map_pdf_job_keeps_the_municipality_chosen_on_the_map(
    immediate, world, round_, client_for
):
    from pypdf import PdfReader

    client = client_for(world.operator)
    response = client.post(
        reverse("jobs:deficit-map-pdf", args=[round_.pk]),
        {"municipality": world.other_municipality.pk},
    )
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:job-detail", args=[job.pk])
    assert (job.kind, job.status, job.params["municipality"]) == (
        Job.Kind.DEFICIT_MAP_PDF,
        Job.Status.DONE,
        world.other_municipality.pk,
    )
    assert job.result_name.endswith(".pdf")
    text = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(_downloaded(client, job))).pages
    )
    assert "Лужская СОШ" in text
    assert "Гатчинская СОШ" not in text


def test_a_map_job_for_a_municipality_out_of_sight_is_a_404(immediate, world, round_, client_for):
    response = client_for(world.municipal).post(
        reverse("jobs:deficit-map-xlsx", args=[round_.pk]),
        {"municipality": world.other_municipality.pk},
    )
    assert response.status_code == 404
    assert not Job.objects.exists()


def test_a_big_maps_page_offers_its_files_as_background_jobs(
    monkeypatch, world, round_, client_for
):
    client = client_for(world.operator)
    url = reverse("reports:deficit-map") + f"?round={round_.pk}"
    small = client.get(url).content.decode()
    assert reverse("reports:deficit-map-pdf") in small
    assert reverse("jobs:deficit-map-pdf", args=[round_.pk]) not in small
    monkeypatch.setattr(tasks, "BACKGROUND_FROM_SCHOOLS", 2)
    big = client.get(url).content.decode()
    assert reverse("jobs:deficit-map-pdf", args=[round_.pk]) in big
    assert reverse("jobs:deficit-map-xlsx", args=[round_.pk]) in big
    assert "Сформировать PDF" in big


def test_a_big_rounds_page_exports_its_results_in_the_background(
    monkeypatch, world, round_, client_for
):
    client = client_for(world.operator)
    url = reverse("selfdiag:round-detail", args=[round_.pk])
    assert reverse("jobs:round-export", args=[round_.pk]) not in client.get(url).content.decode()
    monkeypatch.setattr(tasks, "BACKGROUND_FROM_SCHOOLS", 2)
    page = client.get(url).content.decode()
    assert f'action="{reverse("jobs:round-export", args=[round_.pk])}"' in page


def test_outsider_cannot_start_a_job_on_a_round_of_another_region(
    immediate, world, round_, client_for
):
    response = client_for(world.outsider).post(reverse("jobs:round-export", args=[round_.pk]))
    assert response.status_code == 404
    assert not Job.objects.exists()


def test_starting_a_job_rejects_get(world, round_, client_for):
    response = client_for(world.operator).get(reverse("jobs:round-export", args=[round_.pk]))
    assert response.status_code == 405


def test_another_user_cannot_see_or_download_a_job(immediate, world, round_, client_for, client):
    client_for(world.operator).post(reverse("jobs:round-export", args=[round_.pk]))
    job = Job.objects.get()
    client.force_login(world.viewer)
    for name in ("job-detail", "job-progress", "job-download"):
        assert client.get(reverse(f"jobs:{name}", args=[job.pk])).status_code == 404


def test_queued_job_page_polls_every_second_and_stops_when_done(settings, world, client_for):
    settings.TASKS = DUMMY  # enqueued, never run: the job stays queued
    plan = make_small_plan(world.institute)
    client = client_for(world.operator)
    client.post(reverse("jobs:plan-pdf", args=[plan.pk]))
    job = Job.objects.get()
    page = client.get(reverse("jobs:job-detail", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert reverse("jobs:job-progress", args=[job.pk]) in page
    download = client.get(reverse("jobs:job-download", args=[job.pk]))
    assert download.status_code == 404

    settings.TASKS = IMMEDIATE
    run_job.enqueue(job.pk)
    block = client.get(reverse("jobs:job-progress", args=[job.pk])).content.decode()
    assert "every 1s" not in block
    assert reverse("jobs:job-download", args=[job.pk]) in block


def test_job_of_a_user_who_lost_access_fails_with_a_message(settings, world, round_, client_for):
    settings.TASKS = DUMMY
    client_for(world.operator).post(reverse("jobs:round-export", args=[round_.pk]))
    world.operator.memberships.all().delete()
    settings.TASKS = IMMEDIATE
    job = Job.objects.get()
    run_job.enqueue(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "не доступен" in job.message
    assert not job.result


def test_progress_is_reported_while_rows_are_read(world, round_):
    seen = []
    rows = with_progress(
        Submission.objects.filter(round=round_), 2, lambda p, m="": seen.append(p), 5, 95
    )
    assert len(list(rows.order_by("pk").values("pk").iterator(chunk_size=1))) == 2
    assert seen == []  # fewer rows than one report step
    schools = Organization.objects.filter(kind="school")
    counted = with_progress(schools, 1000, lambda p, m="": seen.append(p), 0, 100)
    assert type(counted.filter(pk__gt=0)) is type(counted)  # chaining keeps the counting


def test_progress_writes_are_throttled_and_capped(world):
    job = Job.objects.create(user=world.operator, kind=Job.Kind.PLAN_PDF, title="PDF")
    progress = Progress(job.pk, interval=3600)
    progress(40, "Вёрстка")
    progress(60)  # within the interval and without a message: not written
    job.refresh_from_db()
    assert (job.progress, job.message) == (40, "Вёрстка")
    progress(250, "почти")
    job.refresh_from_db()
    assert job.progress == 99  # 100 only when the file is saved
