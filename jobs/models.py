"""A background job of one user: an export or an import that runs in the task worker.

The page polls the job's progress; when it is done the file waits for the user who started it
(and only for them). The work itself is in jobs/operations.py, the task in portal/tasks.py.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from portal.validators import validate_single_line


def result_upload_to(instance, filename):
    return f"jobs/{instance.user_id}/{uuid.uuid4().hex}/{filename}"


class Job(models.Model):
    class Kind(models.TextChoices):
        ROUND_EXPORT = "round_export", "выгрузка результатов раунда в Excel"
        PLAN_PDF = "plan_pdf", "план в PDF"
        DEFICIT_MAP_XLSX = "deficit_map_xlsx", "карта дефицитов в Excel"
        DEFICIT_MAP_PDF = "deficit_map_pdf", "карта дефицитов в PDF"

    class Status(models.TextChoices):
        QUEUED = "queued", "в очереди"
        RUNNING = "running", "выполняется"
        DONE = "done", "готово"
        FAILED = "failed", "ошибка"

    FINISHED = (Status.DONE, Status.FAILED)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="jobs",
        verbose_name="пользователь",
    )
    kind = models.CharField("вид", max_length=32, choices=Kind.choices)
    title = models.CharField("что делается", max_length=500, validators=[validate_single_line])
    params = models.JSONField("параметры", default=dict, blank=True)
    status = models.CharField(
        "состояние", max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField("выполнено, %", default=0)
    message = models.CharField(
        "сообщение", max_length=1000, blank=True, validators=[validate_single_line]
    )
    result = models.FileField("файл", upload_to=result_upload_to, blank=True, max_length=500)
    result_name = models.CharField(
        "имя файла для скачивания", max_length=255, blank=True, validators=[validate_single_line]
    )
    task_id = models.CharField(
        "задача в очереди", max_length=64, blank=True, validators=[validate_single_line]
    )
    created = models.DateTimeField("создано", default=timezone.now)
    started = models.DateTimeField("начато", null=True, blank=True)
    finished = models.DateTimeField("завершено", null=True, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = "фоновое задание"
        verbose_name_plural = "фоновые задания"
        indexes = [models.Index(fields=["user", "-created"], name="job_user_created")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="job_progress_percent"
            )
        ]

    def __str__(self):
        return f"{self.title} — {self.get_status_display()}"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def has_file(self) -> bool:
        return self.status == self.Status.DONE and bool(self.result)
