"""Download names for a plan's files: readable in Russian, safe on every system."""

from __future__ import annotations

import re
from urllib.parse import quote

from django.http import HttpResponse

from reports.plan import is_approved

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Characters Windows refuses in a file name, and control characters.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
_MAX_STEM = 120


def download_name(roadmap, extension: str) -> str:
    """«Дорожная карта ГАОУ ДПО «ЛОИРО» 2024 год (проект).pdf»."""
    parts = ["Дорожная карта", roadmap.owner.short_name, roadmap.period_label]
    if roadmap.version > 1:
        parts.append(f"версия {roadmap.version}")
    stem = " ".join(part.strip() for part in parts if part.strip())
    if not is_approved(roadmap):
        stem += " (проект)"
    stem = " ".join(_UNSAFE.sub(" ", stem).split())[:_MAX_STEM].rstrip(" .")
    return f"{stem}.{extension}"


def ascii_name(roadmap, extension: str) -> str:
    """The name for clients that ignore filename*: «roadmap-42-v1.pdf»."""
    return f"roadmap-{roadmap.pk}-v{roadmap.version}.{extension}"


def attachment(content: bytes, content_type: str, *, name: str, fallback: str) -> HttpResponse:
    """A file download with both forms of the name (RFC 6266 and RFC 5987).

    Django writes only filename*= for a non-ASCII name; old clients then save «download».
    """
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=utf-8''{quote(name, safe='')}"
    )
    response["Cache-Control"] = "private, no-store"
    return response
