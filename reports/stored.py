"""The files of approved plans, made once and served from storage.

WeasyPrint takes 2–3 s of CPU for a 150-item plan. An approved version never changes through
the portal (every writing page and API action refuses it), so its PDF, Excel and Word files are
made in the background when it is approved (`store_after_commit`, called by `Roadmap.approve`)
and every download afterwards reads the stored file (`reports.downloads.plan_file`, used by the
page and the API alike). Drafts and plans on review are drawn on each download and never stored.

A stored file is fresh while its `source_key` matches the plan's (`source_key` below): the
plan's lock_version and time of change (every workflow step bumps both, archiving included;
the admin pages that change a plan's sections, items, parties or directions mark the plan
changed too, roadmaps/admin.py), the owner's names (printed in the footer and the file name),
and a digest of the code, template and stylesheet that draw the files, so a release that
changes the layout makes them again. A stale or missing file is made again, stored and served
on the next download. The files live in Django's default storage (MEDIA_ROOT, or S3 through
django-storages) under plans/<pk>/.

What the files do not depend on: the items' execution (no file shows it) and the day they were
made («сформировано …» in the footer says when the stored file was made).
"""

from __future__ import annotations

import functools
import hashlib
import io
import logging
import time
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from reports.downloads import DOCX_TYPE, XLSX_TYPE
from reports.models import PlanFile

logger = logging.getLogger(__name__)

FORMATS = tuple(PlanFile.Format.values)
CONTENT_TYPES = {"pdf": "application/pdf", "xlsx": XLSX_TYPE, "docx": DOCX_TYPE}
# What draws the files: a change in any of them makes every stored file stale.
RENDERER_SOURCES = (
    "reports/pdf.py",
    "reports/plan.py",
    "reports/xlsx.py",
    "reports/docx.py",
    "reports/watermark.py",
    "reports/downloads.py",
    "roadmaps/grif.py",
    "roadmaps/layout.py",
    "roadmaps/review.py",
    "templates/reports/plan_pdf.html",
    "static/css/print-plan.css",
    "static/css/print-ua.css",
)


def keeps(roadmap) -> bool:
    """Whether this plan version's files are stored: approved or archived, which never change."""
    return roadmap.status in (roadmap.Status.APPROVED, roadmap.Status.ARCHIVED)


@functools.cache
def renderer_digest() -> str:
    digest = hashlib.sha256()
    for name in RENDERER_SOURCES:
        path = Path(settings.BASE_DIR) / name
        digest.update(name.encode())
        digest.update(path.read_bytes() if path.exists() else b"-")
    return digest.hexdigest()[:16]


def source_key(roadmap) -> str:
    """What a file of the plan is made from, as a digest; the plan must have its owner loaded."""
    owner = roadmap.owner
    parts = (
        roadmap.pk,
        roadmap.version,
        roadmap.lock_version,
        roadmap.updated.isoformat(),
        owner.short_name,
        owner.name,
        renderer_digest(),
    )
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:40]


def render(roadmap, extension: str) -> bytes:
    """Draw the file now (WeasyPrint, openpyxl, python-docx)."""
    from reports.docx import plan_docx
    from reports.pdf import plan_pdf
    from reports.xlsx import plan_xlsx

    return {"pdf": plan_pdf, "xlsx": plan_xlsx, "docx": plan_docx}[extension](roadmap)


def fresh(roadmap, extension: str) -> PlanFile | None:
    """The stored file if it was made from the plan as it is now."""
    return PlanFile.objects.filter(
        roadmap_id=roadmap.pk, format=extension, source_key=source_key(roadmap)
    ).first()


def store(roadmap, extension: str) -> tuple[PlanFile, bytes]:
    """Draw the file, put it in storage in place of the old one, and return it with its bytes.

    Storage that refuses the file (full, read-only, unreachable) raises `StoreError`, which
    carries the bytes drawn, so a download can still be answered."""
    key = source_key(roadmap)
    started = time.process_time()
    content = render(roadmap, extension)
    seconds = time.process_time() - started
    try:
        return _keep(roadmap, extension, content, key, seconds), content
    except OSError as error:
        raise StoreError(content) from error


class StoreError(Exception):
    """The file was drawn but could not be stored; `content` holds its bytes."""

    def __init__(self, content: bytes):
        super().__init__("the plan's file could not be stored")
        self.content = content


def _keep(roadmap, extension: str, content: bytes, key: str, seconds: float) -> PlanFile:
    field = PlanFile._meta.get_field("file")
    stub = PlanFile(roadmap_id=roadmap.pk, format=extension)
    name = field.storage.save(
        field.generate_filename(stub, f"v{roadmap.version}-{key[:12]}.{extension}"),
        ContentFile(content),
    )
    old = (
        PlanFile.objects.filter(roadmap_id=roadmap.pk, format=extension)
        .values_list("file", flat=True)
        .first()
    )
    row, _ = PlanFile.objects.update_or_create(
        roadmap_id=roadmap.pk,
        format=extension,
        defaults={
            "file": name,
            "size": len(content),
            "source_key": key,
            "render_seconds": round(seconds, 3),
            "created": timezone.now(),
        },
    )
    if old and old != name:
        transaction.on_commit(functools.partial(_delete_file, old), robust=True)
    return row


def open_or_store(roadmap, extension: str):
    """An open file of the plan as it is now: the stored one if fresh, else made and stored now
    (approved and archived versions); `None` for a plan whose files are never stored."""
    if not keeps(roadmap):
        return None
    row = fresh(roadmap, extension)
    if row is not None:
        try:
            return row.file.open("rb")
        except FileNotFoundError:
            logger.warning("stored file %s is missing; making it again", row.file.name)
    try:
        _, content = store(roadmap, extension)
    except StoreError as error:
        logger.exception(
            "plan %s: the %s file is served without being stored", roadmap.pk, extension
        )
        content = error.content
    return io.BytesIO(content)


def content(roadmap, extension: str) -> bytes:
    """The file's bytes: stored for an approved version, drawn now for a draft (background jobs)."""
    handle = open_or_store(roadmap, extension)
    if handle is None:
        return render(roadmap, extension)
    with handle:
        return handle.read()


def store_all(roadmap) -> list[str]:
    """Make the formats whose stored file is missing or stale; returns the formats made."""
    if not keeps(roadmap):
        return []
    key = source_key(roadmap)
    current = set(
        PlanFile.objects.filter(roadmap_id=roadmap.pk, source_key=key).values_list(
            "format", flat=True
        )
    )
    made = []
    for extension in FORMATS:
        if extension not in current:
            store(roadmap, extension)
            made.append(extension)
    return made


def store_after_commit(*roadmaps) -> None:
    """Once the approval is committed, make the plans' files in the background
    (portal.tasks.store_plan_files); a queue that cannot be reached leaves them to the first
    download."""
    ids = [roadmap.pk for roadmap in roadmaps]

    def enqueue():
        from portal.tasks import store_plan_files

        for pk in ids:
            store_plan_files.enqueue(pk)

    transaction.on_commit(enqueue, robust=True)


def _delete_file(name: str) -> None:
    """Remove a replaced file from storage unless a row still names it."""
    if not PlanFile.objects.filter(file=name).exists():
        PlanFile._meta.get_field("file").storage.delete(name)


def forget_deleted(sender, instance, **kwargs) -> None:
    """post_delete of a PlanFile (its plan deleted, or the row in the admin): the file goes too."""
    transaction.on_commit(functools.partial(_delete_file, instance.file.name), robust=True)
