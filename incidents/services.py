"""Writes to incidents. Called inside the caller's transaction (no durable=True here)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from tenants.models import Organisation

from .models import Incident, IncidentStatus, TimelineEntry


@transaction.atomic
def incident_open_or_attach(
    *,
    organisation: Organisation,
    incident: Incident | None,
    title: str,
    category: str,
    became_aware_at,
    operations_halted: bool,
    affected_systems: str,
    actor,
) -> Incident:
    """Return the given open incident of the body, or open a new one."""
    if incident is not None:
        incident = Incident.objects.select_for_update().get(pk=incident.pk, organisation=organisation)
        if incident.status != IncidentStatus.CLOSED:
            return incident
    return Incident.objects.create(
        organisation=organisation,
        title=title[:200],
        category=category,
        first_detected_at=became_aware_at,
        became_aware_at=became_aware_at or timezone.now(),
        operations_halted=operations_halted,
        affected_systems=affected_systems,
        created_by=actor if getattr(actor, "pk", None) else None,
    )


def timeline_add(*, incident: Incident, source: str, text: str, author=None, at=None) -> TimelineEntry:
    return TimelineEntry.objects.create(
        incident=incident, source=source, text=text, author=author, at=at or timezone.now()
    )
