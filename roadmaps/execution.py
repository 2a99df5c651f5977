"""Execution of a plan: reports on its items and the evidence attached to them.

A report says what was done on an item by a date; the item's status follows its newest report
that counts (its author may correct a report or withdraw it while the plan is in force).
Evidence is a link or files. A file must be one of the documents people actually send (PDF,
Word, Excel, OpenDocument text, a photo or a scan), checked by its extension and by its first
bytes, because an extension alone is whatever the sender typed.
"""

import datetime
import zipfile
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.utils import timezone

from portal import russian
from portal.russian import FILES_GENITIVE
from roadmaps import access
from roadmaps.models import (
    EvidenceFile,
    ExecutionReport,
    Item,
    ItemOccurrence,
    Roadmap,
    bump_versions,
)
from roadmaps.occurrences import sync_occurrence_statuses

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024

# Reports are accepted while a plan is worked on or executed; an archived plan is history.
REPORTABLE_STATUSES = (
    Roadmap.Status.DRAFT,
    Roadmap.Status.REVIEW,
    Roadmap.Status.RETURNED,
    Roadmap.Status.APPROVED,
)

EVIDENCE_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}
EVIDENCE_HELP = "PDF, Word (.docx), Excel (.xlsx), OpenDocument (.odt), JPEG или PNG до 10 МБ."

# The part every Office Open XML package of that kind carries.
_OOXML_MAIN_PART = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml"}


def can_report(user, roadmap: Roadmap) -> bool:
    return roadmap.status in REPORTABLE_STATUSES and access.can_write_owner(user, roadmap)


def days_overdue(item: Item, today: datetime.date) -> int:
    """Days since the earliest due date missed (a periodic item's first open occurrence)."""
    return (today - item.overdue_since).days if item.is_overdue(today) else 0


def _zip_names(uploaded) -> set[str] | None:
    try:
        with zipfile.ZipFile(uploaded) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                # OpenDocument names its type in a small first entry; read no more than that.
                with archive.open("mimetype") as entry:
                    names.add("mimetype:" + entry.read(100).decode("ascii", "replace").strip())
            return names
    except (zipfile.BadZipFile, NotImplementedError, EOFError, OSError, ValueError):
        return None


def _content_matches(extension: str, uploaded) -> bool:
    uploaded.seek(0)
    head = uploaded.read(8)
    uploaded.seek(0)
    if extension == ".pdf":
        return head.startswith(b"%PDF-")
    if extension in (".jpg", ".jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if extension == ".png":
        return head == b"\x89PNG\r\n\x1a\n"
    if not head.startswith(b"PK\x03\x04"):
        return False
    names = _zip_names(uploaded)
    uploaded.seek(0)
    if names is None:
        return False
    if extension == ".odt":
        return f"mimetype:{EVIDENCE_TYPES['.odt']}" in names
    return _OOXML_MAIN_PART[extension] in names


def validate_evidence_file(uploaded) -> None:
    """Raise ValidationError (in Russian) unless the upload is an accepted document ≤ 10 МБ."""
    extension = PurePath(uploaded.name or "").suffix.lower()
    if extension not in EVIDENCE_TYPES:
        raise ValidationError(
            f"Файл «{uploaded.name}» не принят: допускаются {EVIDENCE_HELP}",
            code="evidence_type",
        )
    if uploaded.size > MAX_EVIDENCE_BYTES:
        megabytes = uploaded.size / (1024 * 1024)
        raise ValidationError(
            f"Файл «{uploaded.name}» весит {megabytes:.1f} МБ; допускается не больше 10 МБ.",
            code="evidence_size",
        )
    if not _content_matches(extension, uploaded):
        raise ValidationError(
            f"Содержимое файла «{uploaded.name}» не похоже на {extension[1:].upper()}: "
            "файл повреждён или у него чужое расширение.",
            code="evidence_content",
        )


def evidence_content_type(name: str) -> str:
    return EVIDENCE_TYPES.get(PurePath(name).suffix.lower(), "application/octet-stream")


def evidence_response(evidence: EvidenceFile) -> FileResponse:
    """The file as a download under the name it was sent with; the page and the API both
    check access before they call this."""
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404("Файл отчёта не найден в хранилище.") from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.name,
        content_type=evidence_content_type(evidence.name),
    )


def reports_of(item: Item):
    """The item's reports, made on whichever version of its plan: «Актуализировать» copies the
    item into a new version, and its history of execution goes along. Withdrawn ones included."""
    return ExecutionReport.objects.filter(item__in=Item.objects.versions_of(item)).order_by(
        "-date", "-created", "-pk"
    )


def counting_reports(item: Item):
    """The reports that decide the item's status: all but the withdrawn ones."""
    return reports_of(item).filter(withdrawn_at__isnull=True)


def _newest_status(item: Item, up_to_version: int, *, exclude=None) -> str:
    reports = counting_reports(item).filter(item__roadmap__version__lte=up_to_version)
    if exclude is not None:
        reports = reports.exclude(pk=exclude.pk)
    return reports.values_list("status", flat=True).first() or Item.Status.NOT_STARTED


def item_status_from_reports(item: Item, reports) -> str:
    """The status `reports` (the item's counting ones, on its version and the ones before)
    give the item.

    A periodic item: each occurrence takes the status of its newest report and the item's
    follows from them (roadmaps.occurrences.item_status_from_occurrences), so that a report
    «за I квартал» leaves a quarterly item «выполняется» with three quarters to go. Any other
    item: the status of its newest report; «не начато» when none is left.
    """
    from_occurrences = sync_occurrence_statuses(item, reports)
    if from_occurrences is not None:
        return from_occurrences
    return reports.values_list("status", flat=True).first() or Item.Status.NOT_STARTED


def sync_item_status(item: Item, *, reason: str) -> None:
    """Bring the item's status, and that of the same item in the plan's later versions, to the
    status its counting reports give it (`item_status_from_reports`), and its periods' too.

    The same item in later versions, but archived ones, follows too: a new version being
    prepared must not bring back a status that execution has moved past. Earlier versions do
    not: a report on a draft says nothing yet about the plan in force. Every item whose status
    changes gets a new lock_version, so that a form opened on it before cannot undo the report.
    """
    followers = (
        Item.objects.versions_of(item)
        .exclude(roadmap__status=Roadmap.Status.ARCHIVED)
        .filter(roadmap__version__gte=item.roadmap.version)
        .select_related("roadmap")
    )
    changed = []
    for follower in followers:
        # A version's status follows the reports made on it and on the versions before it.
        newest = item_status_from_reports(
            follower,
            counting_reports(item).filter(item__roadmap__version__lte=follower.roadmap.version),
        )
        if follower.pk == item.pk:
            item.next_due = follower.next_due
        if follower.status == newest:
            continue
        follower.status = newest
        follower._change_reason = reason
        follower.save(update_fields=["status"])
        changed.append(follower.pk)
        if follower.pk == item.pk:
            item.status = newest
    bump_versions(Item, changed)
    item.__dict__.pop("occurrence_list", None)  # the statuses read before the report
    if item.pk in changed:
        item.lock_version = Item.objects.values_list("lock_version", flat=True).get(pk=item.pk)


EMPTY_REPORT_MESSAGE = (
    "Отчёт пустой: исполнение не меняется, нет ни комментария, ни подтверждения. "
    "Измените исполнение, напишите, что сделано, или приложите подтверждение."
)
CORRECT_FORBIDDEN = "Исправить или отозвать отчёт может только его автор."
CORRECT_CLOSED = "Исправлять и отзывать отчёты можно, пока план утверждён и действует."
WITHDRAWN_MESSAGE = "Отчёт отозван: исправить его или его файлы уже нельзя."
MAX_EVIDENCE_FILES = 10


def _refuse_empty(status: str, baseline: str, comment: str, evidence_url: str, files: int):
    if status == baseline and not comment.strip() and not evidence_url and not files:
        raise ValidationError(EMPTY_REPORT_MESSAGE, code="empty_report")


def _refuse_too_many_files(count: int) -> None:
    if count > MAX_EVIDENCE_FILES:
        raise ValidationError(
            "К отчёту можно приложить не больше "
            f"{russian.count(MAX_EVIDENCE_FILES, FILES_GENITIVE)}, "
            f"а получилось бы {count}.",
            code="evidence_count",
        )


def correction_refusal(user, report: ExecutionReport) -> str:
    """Why `user` may not edit or withdraw `report` (or its files); empty when they may."""
    if report.author_id is None or report.author_id != user.pk:
        return CORRECT_FORBIDDEN
    if report.is_withdrawn:
        return WITHDRAWN_MESSAGE
    roadmap = report.item.roadmap
    if roadmap.status != Roadmap.Status.APPROVED:
        return CORRECT_CLOSED
    if not access.can_write_owner(user, roadmap):
        return CORRECT_FORBIDDEN
    return ""


def can_correct(user, report: ExecutionReport) -> bool:
    return not correction_refusal(user, report)


def _require_correctable(user, report: ExecutionReport) -> None:
    refusal = correction_refusal(user, report)
    if refusal:
        raise PermissionDenied(refusal)


def _attach(report: ExecutionReport, files, *, by) -> list[EvidenceFile]:
    attached = []
    for uploaded in files:
        validate_evidence_file(uploaded)
        name = PurePath(uploaded.name or "файл").name[:255]
        evidence = EvidenceFile(report=report, name=name, size=uploaded.size, uploaded_by=by)
        evidence.file.save(name, uploaded, save=False)
        evidence._history_user = by
        evidence.save()
        attached.append(evidence)
    return attached


@transaction.atomic
def add_report(
    item: Item,
    *,
    author,
    status: str,
    date: datetime.date,
    comment: str = "",
    evidence_url: str = "",
    files=(),
    occurrence: ItemOccurrence | None = None,
) -> ExecutionReport:
    """Save a report with its evidence files and bring the item's status to that of its newest
    report (for a periodic item, `occurrence` is the one reported on: see
    `item_status_from_reports`). A report dated earlier than one already saved fills in history
    and leaves the status alone. A report that changes nothing and says nothing is refused
    (ValidationError)."""
    if occurrence is not None and occurrence.item_id != item.pk:
        raise ValueError("The occurrence reported on belongs to another item.")
    files = list(files)
    # A period's report changes the period: «выполняется» for II квартал is news even while
    # the item as a whole is already «выполняется».
    baseline = occurrence.status if occurrence is not None else item.status
    _refuse_empty(status, baseline, comment, evidence_url, len(files))
    _refuse_too_many_files(len(files))
    report = ExecutionReport(
        item=item,
        occurrence=occurrence,
        author=author,
        status=status,
        date=date,
        comment=comment,
        evidence_url=evidence_url,
    )
    report._history_user = author
    report.save()
    _attach(report, files, by=author)
    sync_item_status(item, reason=f"Отчёт об исполнении от {date:%d.%m.%Y}")
    return report


@transaction.atomic
def edit_report(
    report: ExecutionReport,
    *,
    by,
    status: str,
    date: datetime.date,
    comment: str = "",
    evidence_url: str = "",
    files=(),
) -> ExecutionReport:
    """Correct a report (its author, while the plan is in force) and add files to it; the item
    follows. The report must still say something: compared with the status the item would have
    without it, a change, a comment or evidence."""
    _require_correctable(by, report)
    files = list(files)
    kept = report.files.count()
    baseline = _newest_status(report.item, report.item.roadmap.version, exclude=report)
    _refuse_empty(status, baseline, comment, evidence_url, kept + len(files))
    _refuse_too_many_files(kept + len(files))
    report.status, report.date = status, date
    report.comment, report.evidence_url = comment, evidence_url
    report.edited_at, report.edited_by = timezone.now(), by
    report._history_user = by
    report._change_reason = "Отчёт исправлен"
    report.save()
    _attach(report, files, by=by)
    sync_item_status(report.item, reason=f"Исправлен отчёт от {date:%d.%m.%Y}")
    return report


@transaction.atomic
def withdraw_report(report: ExecutionReport, *, by) -> ExecutionReport:
    """Withdraw a report: it stays in the item's history as «отозван», no longer counts."""
    _require_correctable(by, report)
    report.withdrawn_at, report.withdrawn_by = timezone.now(), by
    report._history_user = by
    report._change_reason = "Отчёт отозван"
    report.save(update_fields=["withdrawn_at", "withdrawn_by"])
    sync_item_status(report.item, reason=f"Отозван отчёт от {report.date:%d.%m.%Y}")
    return report


@transaction.atomic
def add_evidence_files(report: ExecutionReport, files, *, by) -> list[EvidenceFile]:
    """Attach more files to a report (its author, while the plan is in force)."""
    _require_correctable(by, report)
    files = list(files)
    if not files:
        raise ValidationError("Выберите хотя бы один файл.", code="evidence_missing")
    _refuse_too_many_files(report.files.count() + len(files))
    return _attach(report, files, by=by)


@transaction.atomic
def remove_evidence_file(evidence: EvidenceFile, *, by) -> None:
    """Remove one file of a report: the row goes (its history keeps who removed what and when)
    and so does the stored file, once the transaction is committed. The last piece of evidence
    of a report that says nothing else cannot go: the report would become empty."""
    report = evidence.report
    _require_correctable(by, report)
    others = report.files.exclude(pk=evidence.pk).count()
    baseline = _newest_status(report.item, report.item.roadmap.version, exclude=report)
    _refuse_empty(report.status, baseline, report.comment, report.evidence_url, others)
    evidence._history_user = by
    evidence._change_reason = "Файл удалён"
    stored, name = evidence.file.storage, evidence.file.name
    evidence.delete()
    transaction.on_commit(lambda: stored.delete(name))


# Completion bars: server-rendered SVG (no style attributes under the CSP), drawn on a 0..1000
# scale so that every coordinate is a whole number whatever the locale prints for decimals.
BAR_SCALE = 1000
PROGRESS_LEGEND = [
    ("done", "выполнено"),
    ("overdue", "просрочено"),
    ("cancelled", "отменено"),
    ("track", "в работе или не начато"),
]
STATUS_LEGEND = [
    ("done", "выполнено"),
    ("in_progress", "выполняется"),
    ("not_started", "не начато"),
    ("cancelled", "отменено"),
]


def _count(counts, name: str) -> int:
    value = counts.get(name) if isinstance(counts, dict) else getattr(counts, name, None)
    return value or 0


def _bar(total: int, parts: list[tuple[str, str, int]], label: str) -> dict:
    segments = []
    used = 0
    for key, title, count in parts:
        # Widths come from running totals, so rounding never leaves a gap or an overlap.
        end = round((used + count) * BAR_SCALE / total) if total else 0
        start = round(used * BAR_SCALE / total) if total else 0
        if count:
            segments.append(
                {"key": key, "title": title, "count": count, "x": start, "width": end - start}
            )
        used += count
    return {"total": total, "segments": segments, "label": label, "scale": BAR_SCALE}


def percent(part: int, total: int) -> int:
    return round(part * 100 / total) if total else 0


def progress_bar(counts) -> dict:
    """Done, overdue and cancelled items of one plan or of several, from with_progress() counts."""
    total = _count(counts, "item_count")
    done = _count(counts, "done_count")
    overdue = _count(counts, "overdue_count")
    cancelled = _count(counts, "cancelled_count")
    label = f"Выполнено {done} из {total} ({percent(done, total)} %)"
    if overdue:
        label += f", просрочено {overdue}"
    if cancelled:
        label += f", отменено {cancelled}"
    bar = _bar(
        total,
        [
            ("done", "выполнено", done),
            ("overdue", "просрочено", overdue),
            ("cancelled", "отменено", cancelled),
        ],
        label,
    )
    bar["percent"] = percent(done, total)
    return bar


def status_bar(counts) -> dict:
    """Items by status (the copies of one item in a roll-up), from status_counts()."""
    total = _count(counts, "item_count")
    parts = [
        (status, label, _count(counts, f"{status}_count"))
        for status, label in (
            ("done", "выполнено"),
            ("in_progress", "выполняется"),
            ("not_started", "не начато"),
            ("cancelled", "отменено"),
        )
    ]
    label = ", ".join(f"{title}: {count}" for _, title, count in parts) or "нет данных"
    bar = _bar(total, parts, label.capitalize())
    bar["percent"] = percent(_count(counts, "done_count"), total)
    return bar
