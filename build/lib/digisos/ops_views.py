"""Readiness and Prometheus metrics for the operators (docs/OPERATIONS.md §5).

* ``/ready/``: can the whole system do its job right now? Database, broker and cache reachable,
  the deadline sweep ran recently (the SLA timers are alive). 200 or 503, JSON either way.
  ``/health/`` (digisos.views) stays the liveness check of one web process.
* ``/metrics``: Prometheus text format; from loopback (not through a proxy) or with
  ``Authorization: Bearer <METRICS_TOKEN>``; anyone else gets 403.
"""

from __future__ import annotations

import hmac
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from calloffs.tasks.sweep import LAST_DEADLINE_SWEEP_KEY

from .metrics import is_loopback, render_metrics
from .outage import refresh_hotlines

PROBE_TIMEOUT_SECONDS = 1.0


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _check_broker() -> str:
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return "ok (embedded)"
    import redis

    client = redis.Redis.from_url(
        url, socket_connect_timeout=PROBE_TIMEOUT_SECONDS, socket_timeout=PROBE_TIMEOUT_SECONDS
    )
    try:
        client.ping()
    finally:
        client.close()
    return "ok"


def _sweep_age() -> float | None:
    stamp = cache.get(LAST_DEADLINE_SWEEP_KEY)
    if not stamp:
        return None
    return round((timezone.now() - datetime.fromisoformat(stamp)).total_seconds(), 1)


@never_cache
@require_GET
def ready(request):
    checks: dict[str, object] = {}
    ok = True
    for name, probe in (("database", _check_database), ("broker", _check_broker)):
        try:
            checks[name] = probe()
        except Exception as exc:  # noqa: BLE001 - any failure means not ready
            checks[name] = f"error: {exc.__class__.__name__}"
            ok = False
    try:
        age = _sweep_age()
        checks["cache"] = "ok"
    except Exception as exc:  # noqa: BLE001 - the cache (Redis) is down
        checks["cache"] = f"error: {exc.__class__.__name__}"
        age, ok = None, False
    limit = settings.READY_MAX_SWEEP_AGE_SECONDS
    checks["deadline_sweep_age_seconds"] = age
    checks["deadline_sweep_max_age_seconds"] = limit
    if age is None or age > limit:
        ok = False
        checks["deadlines"] = "error: the deadline sweep has not run" + ("" if age is None else f" for {age:.0f} s")
    else:
        checks["deadlines"] = "ok"
    if checks["database"] == "ok":
        refresh_hotlines()  # for the outage page, at most every few minutes
    return JsonResponse({"status": "ok" if ok else "error", "checks": checks}, status=200 if ok else 503)


def metrics_allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].strip(), token):
        return True
    # Loopback only when the request did not come through a proxy on the same host.
    forwarded = any(h in request.headers for h in ("X-Forwarded-For", "X-Forwarded-Proto", "Forwarded", "X-Real-Ip"))
    return not forwarded and is_loopback(request.META.get("REMOTE_ADDR"))


@never_cache
@require_GET
def metrics(request):
    if not metrics_allowed(request):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain; charset=utf-8")
    body, content_type = render_metrics()
    return HttpResponse(body, content_type=content_type)
