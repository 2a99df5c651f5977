"""Background tasks (django-tasks; the database backend and `manage.py db_worker` in
development, see TASKS in settings). A task takes ids, never objects: it runs in another process,
maybe later, and reads the rows again there.
"""

import logging
import time

from django.db.models import F
from django.utils import timezone
from django_tasks import task

from notifications import events

logger = logging.getLogger(__name__)

# Files about more schools than this are made by a background job, not in the request: the
# pages of a round and of the deficit map then offer «сформировать» instead of «скачать».
BACKGROUND_FROM_SCHOOLS = 300


def in_background(schools: int) -> bool:
    """Whether a file about this many schools is made by a background job (the round page, the
    deficit map page and the API ask here)."""
    return schools > BACKGROUND_FROM_SCHOOLS


FAILED_MESSAGE = (
    "Не удалось выполнить задание из-за внутренней ошибки. Попробуйте ещё раз; если ошибка "
    "повторится, сообщите администратору портала."
)


class Progress:
    """Writes a job's progress, at most about once a second: the page polls every second."""

    def __init__(self, job_id: int, interval: float = 1.0):
        self.job_id = job_id
        self.interval = interval
        self.percent = 0
        self.written_at = 0.0

    def __call__(self, percent: float, message: str = "") -> None:
        from jobs.models import Job

        percent = max(1, min(99, int(percent)))
        now = time.monotonic()
        if not message and (percent <= self.percent or now - self.written_at < self.interval):
            return
        self.percent, self.written_at = max(percent, self.percent), now
        Job.objects.filter(pk=self.job_id).update(
            progress=self.percent, message=message[:1000] if message else F("message")
        )


@task()
def run_job(job_id: int) -> str:
    """Run a jobs.Job: its operation, its progress, its file. Returns the job's final status."""
    from jobs.models import Job
    from jobs.operations import OPERATIONS, JobError

    job = Job.objects.select_related("user").get(pk=job_id)
    if job.is_finished:
        return job.status
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.RUNNING, started=timezone.now(), progress=1
    )
    try:
        content, name = OPERATIONS[job.kind](job, Progress(job_id))
    except JobError as error:
        _finish(job, Job.Status.FAILED, str(error))
        return job.status
    except Exception:
        logger.exception("job %s (%s) failed", job_id, job.kind)
        _finish(job, Job.Status.FAILED, FAILED_MESSAGE)
        raise
    try:
        job.result.save(name, content, save=False)
    finally:
        content.close()
    job.result_name = name
    _finish(job, Job.Status.DONE, "Готово.", fields=["result", "result_name"])
    return job.status


def _finish(job, status: str, message: str, fields=()) -> None:
    job.status = status
    job.message = message
    job.finished = timezone.now()
    if status == job.Status.DONE:
        job.progress = 100
        fields = [*fields, "progress"]
    job.save(update_fields=["status", "message", "finished", *fields])
    events.job_finished(job)  # its author is told


@task()
def store_plan_files(roadmap_id: int) -> list[str]:
    """Make and store the PDF, Excel and Word files of an approved (or archived) plan version
    (reports/stored.py); returns the formats made. A plan gone or no longer stored is skipped."""
    from reports import stored
    from roadmaps.models import Roadmap

    roadmap = Roadmap.objects.select_related("owner").filter(pk=roadmap_id).first()
    if roadmap is None:
        return []
    return stored.store_all(roadmap)
