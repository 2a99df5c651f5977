import logging

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Отчёты"

    def ready(self):
        # WeasyPrint logs every layout step of every PDF at INFO, the level the portal logs at;
        # unless LOGGING says otherwise, only its warnings and errors are worth a line.
        progress = logging.getLogger("weasyprint.progress")
        if progress.level == logging.NOTSET:
            progress.setLevel(logging.WARNING)

        from django.db.models.signals import post_delete

        from reports import stored
        from reports.models import PlanFile

        post_delete.connect(stored.forget_deleted, sender=PlanFile, dispatch_uid="plan-file-gone")
