from __future__ import annotations

from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from calloffs.home import home_sections, ministry_home, provider_home
from calloffs.permissions import can_file_any
from calloffs.tasks.sweep import LAST_DEADLINE_SWEEP_KEY
from tenants.selectors import organisation_count

from .tasks import HEARTBEAT_CACHE_KEY


@login_required
def home(request):
    user = request.user
    memberships = user.memberships.select_related("organisation").order_by("organisation__name")
    context = {
        "memberships": memberships,
        "organisation_count": organisation_count(user=user) if user.is_ministry_staff else None,
        # Callers and admins file for their bodies (and mandated members); ministry staff on behalf.
        "can_file": can_file_any(user),
        # What waits for a provider's staff (offers, running call-offs, deadlines) or the ministry.
        "provider_home": provider_home(user),
        "ministry_home": ministry_home(user),
        # What the apps above calloffs add (e.g. overdue measures of the user's bodies).
        "home_sections": home_sections(user),
        "now": timezone.now(),
    }
    return render(request, "home.html", context)


@never_cache
def health(request):
    """Liveness and readiness: database reachable, and the age of the last worker heartbeat."""
    status, checks = 200, {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - report any database failure
        checks["database"] = f"error: {exc.__class__.__name__}"
        status = 503
    beat = cache.get(HEARTBEAT_CACHE_KEY)
    checks["worker_heartbeat_age_seconds"] = (
        round((timezone.now() - datetime.fromisoformat(beat)).total_seconds(), 1) if beat else None
    )
    # The SLA timers: age of the last deadline sweep (runs every second; None = never ran).
    sweep = cache.get(LAST_DEADLINE_SWEEP_KEY)
    checks["deadline_sweep_age_seconds"] = (
        round((timezone.now() - datetime.fromisoformat(sweep)).total_seconds(), 1) if sweep else None
    )
    return JsonResponse({"status": "ok" if status == 200 else "error", "checks": checks}, status=status)
