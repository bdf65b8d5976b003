"""When the database is gone: a clear 503 instead of a traceback, and the hotlines without a query.

Django turns an exception that escapes a view or a middleware into a call of ``handler500``
inside the ``except`` block, so ``server_error`` sees it in ``sys.exc_info()``. A lost database
(``OperationalError``, ``InterfaceError``: connection refused, terminated, reset) is answered
with 503 and ``Retry-After``: the portal with a page that says nothing was saved and lists the
providers' 24/7 hotlines, the API with ``application/problem+json``. Every write of a call-off
runs in one durable transaction, so a failure inside it leaves nothing half-written behind.

The page uses no database: no user, no session, no context processors. The hotlines come from
the cache (``refresh_hotlines`` writes them; ``/ready/`` refreshes them every few minutes) and,
if the cache is empty or down too, from the setting ``OUTAGE_HOTLINES``. Its text is German with
an English line, not from the translation catalogue: the user's language choice lives in the
session (database) as well.
"""

from __future__ import annotations

import logging
import sys
import time

from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.defaults import server_error as django_server_error

logger = logging.getLogger("digisos.outage")

HOTLINES_KEY = "digisos:outage:hotlines"
#: How often /ready/ rewrites the cached hotlines (providers change rarely).
HOTLINES_REFRESH_SECONDS = 300
RETRY_AFTER_SECONDS = 30
DATABASE_ERRORS = (OperationalError, InterfaceError)

API_DETAIL = (
    "Der Dienst ist gerade nicht erreichbar (Datenbank). Die Anfrage wurde nicht ausgeführt; "
    "bitte in {seconds} s erneut versuchen (mit demselben Idempotency-Key)."
)


def refresh_hotlines(*, force: bool = False) -> None:
    """Copy the active providers' hotlines into the cache (needs the database; errors are ignored)."""
    try:
        cached = cache.get(HOTLINES_KEY)
        if not force and cached and time.time() - cached.get("at", 0) < HOTLINES_REFRESH_SECONDS:
            return
        from calloffs.selectors import provider_hotlines

        rows = provider_hotlines()
        cache.set(HOTLINES_KEY, {"at": time.time(), "rows": rows}, timeout=None)
    except Exception:  # noqa: BLE001 - best effort; the page falls back to OUTAGE_HOTLINES
        logger.warning("could not refresh the cached hotlines", exc_info=True)


def hotlines() -> list[dict[str, str]]:
    """The hotlines to show while the database is down: cache first, then the setting."""
    try:
        cached = cache.get(HOTLINES_KEY)
    except Exception:  # noqa: BLE001 - the cache (Redis) may be down as well
        cached = None
    if cached and cached.get("rows"):
        return cached["rows"]
    rows = []
    for item in settings.OUTAGE_HOTLINES:
        name, _sep, number = item.rpartition(":")
        rows.append({"name": name.strip() or number.strip(), "hotline": number.strip()})
    return rows


def is_api(request) -> bool:
    return request.path.startswith("/api/")


def unavailable_response(request) -> HttpResponse:
    """503: the portal's page, or a problem+json for the API."""
    session = getattr(request, "session", None)
    if session is not None:
        session.modified = False  # SessionMiddleware must not try to save into the lost database
    if is_api(request):
        response = JsonResponse(
            {
                "type": "urn:digisos:problem:service_unavailable",
                "code": "service_unavailable",
                "title": "Service Unavailable",
                "status": 503,
                "detail": API_DETAIL.format(seconds=RETRY_AFTER_SECONDS),
                "instance": request.path,
            },
            status=503,
            content_type="application/problem+json",
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        html = render_to_string("errors/503_database.html", {"hotlines": hotlines(), "LANGUAGE_CODE": "de"})
        response = HttpResponse(html, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request, *args, **kwargs):
    """``handler500``: a lost database is a 503 with a clear page; anything else Django's 500."""
    exc = sys.exc_info()[1]
    if isinstance(exc, DATABASE_ERRORS):
        logger.error("database unavailable during %s %s: %s", request.method, request.path, exc)
        return unavailable_response(request)
    return django_server_error(request, *args, **kwargs)


def bad_request(request, exception=None, *args, **kwargs):
    """``handler400`` (a forged Host header, a broken multipart body …: Django's SuspiciousOperation
    and friends, raised before any view runs): problem+json for the API, a German page otherwise."""
    if is_api(request):
        return JsonResponse(
            {
                "type": "urn:digisos:problem:bad_request",
                "code": "bad_request",
                "title": "Bad Request",
                "status": 400,
                "detail": "Die Anfrage ist ungültig und wurde nicht ausgeführt.",
                "instance": request.path,
            },
            status=400,
            content_type="application/problem+json",
            json_dumps_params={"ensure_ascii": False},
        )
    html = render_to_string("errors/400.html", {"LANGUAGE_CODE": "de"})
    return HttpResponse(html, status=400, content_type="text/html; charset=utf-8")
