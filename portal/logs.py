"""Logging filters: secrets in URLs masked, refused permissions logged on one line.

Both sit on the handlers of portal.settings.LOGGING (Django's own log lines and runserver's
access log); gunicorn's access log gets the first from gunicorn.conf.py.
"""

import logging
import re

from django.core.exceptions import PermissionDenied

# A calendar feed's address is its key (/reports/calendar/<key>.ics,
# /reports/roadmaps/<pk>/calendar/<key>.ics): whoever reads the log could follow it.
_CALENDAR_KEY = re.compile(r"(/calendar/)[A-Za-z0-9_-]+(\.ics)")
MASK = "***"


def mask_secrets(text: str) -> str:
    return _CALENDAR_KEY.sub(rf"\g<1>{MASK}\g<2>", text)


class MaskSecrets(logging.Filter):
    """Rewrite a record whose message carries a secret into the masked message."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken record is the handler's to report, not ours
            return True
        masked = mask_secrets(message)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


class OneLineForbidden(logging.Filter):
    """A refused permission is an expected answer, not a failure: one line with the reason,
    without the traceback Django attaches to «Forbidden (Permission denied)»."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], PermissionDenied):
            reason = str(record.exc_info[1])
            if reason:
                record.msg, record.args = f"{record.getMessage()} ({reason})", ()
            record.exc_info = None
            record.exc_text = None
        return True
