"""Each report's single evidence file becomes its first EvidenceFile; the stored file stays put."""

from pathlib import PurePath

from django.db import migrations


def forwards(apps, schema_editor):
    ExecutionReport = apps.get_model("roadmaps", "ExecutionReport")
    EvidenceFile = apps.get_model("roadmaps", "EvidenceFile")
    reports = ExecutionReport.objects.exclude(evidence_file="").exclude(evidence_file=None)
    for report in reports.iterator():
        stored = report.evidence_file
        try:
            size = stored.size
        except OSError:
            size = 0
        EvidenceFile.objects.create(
            report=report,
            file=stored.name,
            name=PurePath(stored.name).name[:255],
            size=size,
            uploaded_by_id=report.author_id,
            created=report.created,
        )


def backwards(apps, schema_editor):
    ExecutionReport = apps.get_model("roadmaps", "ExecutionReport")
    EvidenceFile = apps.get_model("roadmaps", "EvidenceFile")
    # The old field held one file: the first one goes back, the others stay only in storage.
    for evidence in EvidenceFile.objects.order_by("report_id", "created", "pk").iterator():
        ExecutionReport.objects.filter(pk=evidence.report_id, evidence_file="").update(
            evidence_file=evidence.file.name
        )


class Migration(migrations.Migration):
    dependencies = [("roadmaps", "0011_report_corrections_and_evidence_files")]

    operations = [migrations.RunPython(forwards, backwards)]
