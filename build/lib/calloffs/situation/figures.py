"""The figures of the situation picture: a handful of aggregate queries, independent of volume."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count
from django.utils import timezone

from incidents.models import Incident, IncidentStatus, MajorIncident, MajorIncidentStatus
from tenants.models import Regierungsbezirk

from ..models import CallOff, CallOffEvent, CallOffState, EventKind, Priority, SLABreach
from ..models.calloff import OPEN_STATES
from ..selectors import provider_load
from .map import kreis_key

SLA_EVENT_KINDS = (EventKind.EXPIRED,)


@dataclass
class Situation:
    incidents_by_status: dict[str, int]
    incidents_by_rb: dict[str, int]
    bodies_by_kreis: dict[str, int]
    calloffs_by_state_priority: dict[tuple[str, str], int]
    calloffs_by_rb: dict[str, int]
    load: list
    expired_offers_24h: Counter
    breaches_24h: Counter
    majors: list = field(default_factory=list)

    @property
    def open_incidents(self) -> int:
        return sum(v for k, v in self.incidents_by_status.items() if k != IncidentStatus.CLOSED)

    @property
    def open_calloffs(self) -> int:
        return sum(v for (state, _p), v in self.calloffs_by_state_priority.items() if state in OPEN_STATES)


def situation(now=None) -> Situation:
    now = now or timezone.now()
    since = now - timedelta(hours=24)
    # Drills are not part of the situation: their records and call-offs are left out of every figure.
    incidents_by_status = dict(Incident.objects.real().values_list("status").annotate(n=Count("id")).order_by())
    open_incidents = Incident.objects.real().open()
    incidents_by_rb = dict(
        open_incidents.values_list("organisation__regierungsbezirk").annotate(n=Count("id")).order_by()
    )
    bodies_by_kreis: Counter = Counter()
    for ags in open_incidents.values_list("organisation__ags", flat=True).distinct():
        key = kreis_key(ags)
        if key:
            bodies_by_kreis[key] += 1
    by_state_priority = {
        (state, priority): n
        for state, priority, n in CallOff.objects.filter(is_drill=False)
        .values_list("state", "priority")
        .annotate(n=Count("id"))
        .order_by()
    }
    calloffs_by_rb = dict(
        CallOff.objects.filter(is_drill=False)
        .open()
        .values_list("organisation__regierungsbezirk")
        .annotate(n=Count("id"))
        .order_by()
    )
    expired = Counter(
        dict(
            CallOffEvent.objects.filter(kind=EventKind.EXPIRED, at__gte=since, calloff__is_drill=False)
            .values_list("provider__short_name")
            .annotate(n=Count("id"))
            .order_by()
        )
    )
    majors = list(
        MajorIncident.objects.filter(status=MajorIncidentStatus.ACTIVE)
        .annotate(n=Count("incidents"))
        .order_by("-declared_at")
    )
    return Situation(
        incidents_by_status=incidents_by_status,
        incidents_by_rb=incidents_by_rb,
        bodies_by_kreis=dict(bodies_by_kreis),
        calloffs_by_state_priority=by_state_priority,
        calloffs_by_rb=calloffs_by_rb,
        load=provider_load(),
        expired_offers_24h=expired,
        breaches_24h=_breaches(since),
        majors=majors,
    )


def _breaches(since) -> Counter:
    """SLA breaches of the last 24 hours per provider (milestones missed)."""
    return Counter(
        dict(
            SLABreach.objects.filter(detected_at__gte=since, calloff__is_drill=False)
            .values_list("calloff__provider__short_name")
            .annotate(n=Count("id"))
            .order_by()
        )
    )


def regions() -> list[str]:
    return list(Regierungsbezirk.values)


def priorities() -> list[tuple[str, str]]:
    return list(Priority.choices)


def states() -> list[tuple[str, str]]:
    return list(CallOffState.choices)


def hourly_counts(entries, *, hours: int = 24, now=None) -> list[tuple[str, int]]:
    """Count datetimes per hour over the last ``hours`` hours (for a major incident's timeline)."""
    now = timezone.localtime(now or timezone.now()).replace(minute=0, second=0, microsecond=0)
    buckets = {now - timedelta(hours=h): 0 for h in range(hours - 1, -1, -1)}
    for at in entries:
        slot = timezone.localtime(at).replace(minute=0, second=0, microsecond=0)
        if slot in buckets:
            buckets[slot] += 1
    return [(f"{slot:%d.%m. %H} Uhr", n) for slot, n in buckets.items()]
