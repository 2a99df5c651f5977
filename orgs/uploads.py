"""Uploaded files kept between a preview and its confirmation.

A preview parses the file and shows what would be saved; the confirmation parses the same
bytes again and saves them. The bytes wait under MEDIA_ROOT/uploads/<user id>/ under a random
token, so a user can only confirm their own upload.
"""

import re
import uuid
from pathlib import Path

from django.conf import settings

_TOKEN = re.compile(r"^[0-9a-f]{32}$")
_SAFE_SUFFIX = re.compile(r"^\.[a-z0-9]{1,5}$")


def _folder(user) -> Path:
    return Path(settings.MEDIA_ROOT) / "uploads" / str(user.pk)


def stash_upload(user, uploaded_file) -> str:
    suffix = Path(uploaded_file.name or "").suffix.lower()
    if not _SAFE_SUFFIX.match(suffix):
        suffix = ".bin"
    token = uuid.uuid4().hex
    folder = _folder(user)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{token}{suffix}", "wb") as out:
        for chunk in uploaded_file.chunks():
            out.write(chunk)
    return token


def stashed_path(user, token: str) -> Path | None:
    if not token or not _TOKEN.match(token):
        return None
    matches = list(_folder(user).glob(f"{token}.*"))
    return matches[0] if matches else None


def discard(user, token: str) -> None:
    path = stashed_path(user, token)
    if path is not None:
        path.unlink(missing_ok=True)
