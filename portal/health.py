"""Probes for the proxy and orchestrators: /healthz says the process answers, /readyz that it can
serve (the database and the cache both reachable). Plain text, never cached, no login needed."""

import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def _text(body: str, status: int = 200) -> HttpResponse:
    return HttpResponse(body + "\n", status=status, content_type="text/plain; charset=utf-8")


@never_cache
@require_safe
def healthz(request):
    return _text("ok")


def _database_problem() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any driver error means "not ready", never a 500 page
        logger.warning("readyz: database unreachable: %s", error)
        return "database: unreachable"
    return ""


def _cache_problem() -> str:
    key = f"readyz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", timeout=5)
        value = cache.get(key)
        cache.delete(key)
    except Exception as error:
        logger.warning("readyz: cache unreachable: %s", error)
        return "cache: unreachable"
    return "" if value == "1" else "cache: value not kept"


@never_cache
@require_safe
def readyz(request):
    problems = [problem for problem in (_database_problem(), _cache_problem()) if problem]
    if problems:
        return _text("\n".join(problems), status=503)
    return _text("ready")
