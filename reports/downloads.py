"""Downloads: file names readable in Russian and safe on every system, the attachment
response, and a plan's files as the page and the API give them."""

from __future__ import annotations

import io
import re
from typing import NamedTuple
from urllib.parse import quote

from django.http import FileResponse, HttpResponse

from roadmaps.grif import is_approved

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# Characters Windows refuses in a file name, and control characters.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
_MAX_STEM = 120
# Control characters other than tab and line breaks: no font draws them, XML and iCalendar
# forbid them; text stored before input refused them may still hold some.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def printable(text: str) -> str:
    """Text for a file people read (PDF, calendar), without control characters."""
    return _CONTROL.sub("", text)


def download_name(roadmap, extension: str) -> str:
    """«Дорожная карта ГАОУ ДПО «ЛОИРО» 2024 год (проект).pdf»."""
    parts = ["Дорожная карта", roadmap.owner.short_name, roadmap.period_label]
    if roadmap.version > 1:
        parts.append(f"версия {roadmap.version}")
    stem = " ".join(part.strip() for part in parts if part.strip())
    if not is_approved(roadmap):
        stem += " (проект)"
    return f"{clean_stem(stem)}.{extension}"


def clean_stem(stem: str) -> str:
    """A file name without its extension, rid of what Windows refuses, of bounded length."""
    return " ".join(_UNSAFE.sub(" ", stem).split())[:_MAX_STEM].rstrip(" .")


def ascii_name(roadmap, extension: str) -> str:
    """The name for clients that ignore filename*: «roadmap-42-v1.pdf»."""
    return f"roadmap-{roadmap.pk}-v{roadmap.version}.{extension}"


class Download(NamedTuple):
    """A file made for download: its bytes and type, its Russian name and the ASCII one."""

    content: bytes
    content_type: str
    name: str
    fallback: str

    def response(self) -> HttpResponse:
        return attachment(self.content, self.content_type, name=self.name, fallback=self.fallback)


def attachment(content: bytes, content_type: str, *, name: str, fallback: str) -> HttpResponse:
    """A file download with both forms of the name (RFC 6266 and RFC 5987).

    Django writes only filename*= for a non-ASCII name; old clients then save «download».
    """
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = _disposition(name, fallback)
    response["Cache-Control"] = "private, no-store"
    return response


def _disposition(name: str, fallback: str) -> str:
    return f"attachment; filename=\"{fallback}\"; filename*=utf-8''{quote(name, safe='')}"


def plan_file(roadmap, extension: str) -> FileResponse:
    """A plan as the official PDF («pdf»), as Excel («xlsx») or as Word («docx»), named for
    download: the page and the API both answer with this.

    An approved or archived version is served from storage, made once (reports/stored.py); a
    draft or a plan on review is drawn now and never stored.
    """
    from reports import stored

    handle = stored.open_or_store(roadmap, extension)
    if handle is None:
        handle = io.BytesIO(stored.render(roadmap, extension))
    return file_attachment(
        handle,
        stored.CONTENT_TYPES[extension],
        name=download_name(roadmap, extension),
        fallback=ascii_name(roadmap, extension),
    )


def file_attachment(handle, content_type: str, *, name: str, fallback: str) -> FileResponse:
    """`attachment` for an open file: streamed in blocks, with its length, closed when sent."""
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = _disposition(name, fallback)
    response["Cache-Control"] = "private, no-store"
    return response
