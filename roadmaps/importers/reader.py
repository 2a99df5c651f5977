"""The one entry point: bytes in, a roadmap or one Russian sentence out.

Word, Excel, PDF with a text layer, OpenDocument text and spreadsheets, and plain text each have
a reader that only says what is on the page; ``assemble`` makes the plan out of it for all.

Everything that can be checked without a parser is checked first: size, extension, an old or
password-protected Office file, and a zip that would unpack into far more than it weighs.
"""

from __future__ import annotations

import io
import logging
import math
import os
import zipfile
from pathlib import Path
from typing import BinaryIO

from . import excel, odf, pdf, text, word
from .assemble import assemble
from .structure import DocumentError, ParsedRoadmap

logger = logging.getLogger(__name__)

MAX_BYTES = 20 * 1024 * 1024
MAX_UNPACKED = 100 * 1024 * 1024
MAX_RATIO = 100
MAX_ENTRIES = 10_000

_FORMATS = {
    ".docx": "docx",
    ".xlsx": "xlsx",
    ".pdf": "pdf",
    ".odt": "odt",
    ".ods": "ods",
    ".txt": "text",
    ".text": "text",
    ".md": "text",
    ".markdown": "text",
    ".tsv": "text",
    ".tab": "text",
}
_OLD_FORMATS = {
    ".doc": "Формат Word 97–2003 (.doc) не поддерживается: сохраните документ как .docx.",
    ".xls": "Формат Excel 97–2003 (.xls) не поддерживается: сохраните таблицу как .xlsx.",
}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")
_BROKEN = {
    "docx": word.BROKEN,
    "xlsx": excel.BROKEN,
    "pdf": pdf.BROKEN,
    "odt": odf.BROKEN_TEXT,
    "ods": odf.BROKEN_SHEET,
    "text": text.NOT_TEXT,
}
_ODF_TYPES = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
}
# What the upload page and the API take: the formats read here, under their usual names.
ACCEPTED = (".docx", ".xlsx", ".pdf", ".odt", ".ods", ".txt", ".md", ".tsv")

EMPTY = "Файл пустой."
ENCRYPTED = "Файл защищён паролем: снимите пароль и загрузите файл снова."
BOMB = (
    "Файл отклонён: в распакованном виде он занимает слишком много места "
    "или сжат подозрительно сильно."
)
UNREADABLE = "Не удалось разобрать документ: файл повреждён или устроен непривычно."


def parse_document(
    path_or_file: str | os.PathLike | BinaryIO | bytes,
    filename: str | None = None,
    *,
    max_bytes: int = MAX_BYTES,
) -> ParsedRoadmap:
    """Read a roadmap from a .docx, .xlsx, .pdf, .odt, .ods or text file (a path, an open
    binary file, an uploaded file or bytes). ``filename`` names the format when the source has
    no name."""
    data, name = _read(path_or_file, filename, max_bytes)
    extension = Path(name).suffix.lower()
    if extension in _OLD_FORMATS:
        raise DocumentError(_OLD_FORMATS[extension])
    kind = _FORMATS.get(extension)
    if kind is None:
        shown = f"«{extension}»" if extension else "без расширения"
        raise DocumentError(
            f"Формат файла {shown} не поддерживается: загрузите документ Word (.docx), "
            "таблицу Excel (.xlsx), PDF с текстом (.pdf), документ или таблицу OpenDocument "
            "(.odt, .ods) или текст (.txt, .md, .tsv)."
        )
    if not data.strip():
        raise DocumentError(EMPTY)
    kind = _sniff(data, kind)
    notes: list[str] = []
    try:
        if kind == "docx":
            blocks = word.read_docx(data)
        elif kind == "xlsx":
            blocks = excel.read_xlsx(data)
        elif kind == "pdf":
            blocks, notes = pdf.read_pdf(data)
        elif kind == "odt":
            blocks = odf.read_odt(data)
        elif kind == "ods":
            blocks = odf.read_ods(data)
        else:
            blocks = text.read_text(data)
        parsed = assemble(blocks, fallback_title=Path(name).stem)
        parsed.warnings.extend(notes)
        return parsed
    except DocumentError:
        raise
    except (MemoryError, RecursionError) as exc:
        raise DocumentError(UNREADABLE) from exc
    except Exception as exc:
        # A parser tripping over a strange file must still give the user a sentence; the
        # traceback goes to the log for us.
        logger.exception("Roadmap import failed on %s", name)
        raise DocumentError(UNREADABLE) from exc


def _read(source, filename: str | None, max_bytes: int) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        name = filename or ""
    elif isinstance(source, str | os.PathLike):
        path = Path(source)
        name = filename or path.name
        try:
            size = path.stat().st_size
            if size > max_bytes:
                raise DocumentError(_too_big(size, max_bytes))
            data = path.read_bytes()
        except FileNotFoundError as exc:
            raise DocumentError(f"Файл «{path.name}» не найден.") from exc
        except OSError as exc:
            raise DocumentError(f"Не удалось открыть файл «{path.name}».") from exc
    else:
        name = filename or os.path.basename(str(getattr(source, "name", "") or ""))
        size = getattr(source, "size", None)
        if isinstance(size, int) and size > max_bytes:
            raise DocumentError(_too_big(size, max_bytes))
        try:
            if hasattr(source, "seek"):
                source.seek(0)
            data = source.read(max_bytes + 1)
        except (OSError, ValueError) as exc:
            raise DocumentError("Не удалось прочитать файл.") from exc
        if isinstance(data, str):
            data = data.encode("utf-8")
    if len(data) > max_bytes:
        raise DocumentError(_too_big(len(data), max_bytes))
    return data, name


def _too_big(size: int, limit: int) -> str:
    return f"Файл слишком большой ({_size(size)}): можно загрузить не больше {_size(limit)}."


def _size(size: int) -> str:
    if size < 1024 * 1024:
        return f"{math.ceil(size / 1024)} КБ"
    value = size / (1024 * 1024)
    shown = f"{value:.1f}".rstrip("0").rstrip(".") if value < 10 else f"{value:.0f}"
    return f"{shown.replace('.', ',')} МБ"


def _sniff(data: bytes, kind: str) -> str:
    """The format the bytes are, which may differ from the name: a plan saved as .xlsx but
    named .docx is read as the table it is."""
    if data.startswith(b"%PDF-") or (kind == "pdf" and b"%PDF-" in data[:1024]):
        if kind in ("pdf", "text"):
            return "pdf"
        raise DocumentError(_BROKEN[kind])
    if kind == "pdf":
        raise DocumentError(pdf.BROKEN)
    if data.startswith(_OLE_MAGIC):
        if _ENCRYPTED_MARK in data:
            raise DocumentError(ENCRYPTED)
        if kind == "xlsx":
            raise DocumentError(_OLD_FORMATS[".xls"])
        if kind == "docx":
            raise DocumentError(_OLD_FORMATS[".doc"])
        raise DocumentError(_BROKEN[kind])
    if not data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        if kind == "text":
            return kind
        raise DocumentError(_BROKEN[kind])
    if kind == "text":
        raise DocumentError(text.NOT_TEXT)
    names = _check_zip(data, kind)
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "content.xml" in names and "mimetype" in names:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            mimetype = archive.read("mimetype")[:100].strip()
        if mimetype in _ODF_TYPES:
            return _ODF_TYPES[mimetype]
    raise DocumentError(_BROKEN[kind])


def _check_zip(data: bytes, kind: str) -> set[str]:
    """Refuse a zip bomb before any parser opens it: the sizes in the directory are checked,
    and zipfile stops each entry at its declared size."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,  # a damaged header can claim a zip version Python cannot read
        ValueError,
        OSError,
        EOFError,
    ) as exc:
        raise DocumentError(_BROKEN[kind]) from exc
    if len(entries) > MAX_ENTRIES:
        raise DocumentError(BOMB)
    unpacked = sum(entry.file_size for entry in entries)
    packed = sum(entry.compress_size for entry in entries)
    if unpacked > MAX_UNPACKED or unpacked > MAX_RATIO * max(packed, 1):
        raise DocumentError(BOMB)
    for entry in entries:
        if entry.file_size > 1024 * 1024 and entry.file_size > MAX_RATIO * max(
            entry.compress_size, 1
        ):
            raise DocumentError(BOMB)
    return {entry.filename for entry in entries}
