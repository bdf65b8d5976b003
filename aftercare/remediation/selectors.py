"""Reads of measures and the reconnection gate, always scoped to the user (aftercare.selectors.scope_q:
the body's members, the ministry, the engaged provider; everyone else sees nothing)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from .models import Measure, MeasureState, ReconnectionGate


def measures_visible_to(user) -> QuerySet[Measure]:
    return Measure.objects.visible_to(user)


def incident_measures(user, incident) -> QuerySet[Measure]:
    """The incident's measures ``user`` may see, due date first (with their finding and owner)."""
    return (
        measures_visible_to(user)
        .filter(incident_id=incident.pk)
        .select_related("finding", "owner", "calloff", "verified_by", "risk_accepted_by")
        .order_by("due_date", "created_at", "id")
    )


@dataclass(frozen=True)
class GateState:
    """The reconnection gate of an incident: opened (with its record) or closed, and why."""

    gate: ReconnectionGate | None
    required: int
    blocking: list[Measure]
    #: Every period the gate was open, the latest first (who opened and closed it, when, why).
    history: tuple[ReconnectionGate, ...] = ()

    @property
    def opened(self) -> bool:
        return self.gate is not None

    @property
    def may_open(self) -> bool:
        return self.gate is None and not self.blocking


def gate_state(incident) -> GateState:
    """For a page that already showed ``incident`` to the user (all its parties see the gate)."""
    required = list(
        Measure.objects.filter(incident_id=incident.pk, required_for_reconnection=True).order_by("due_date", "id")
    )
    history = tuple(ReconnectionGate.objects.filter(incident_id=incident.pk).order_by("-opened_at", "-id"))
    return GateState(
        gate=next((period for period in history if period.is_open), None),
        required=len(required),
        blocking=[m for m in required if m.state != MeasureState.VERIFIED],
        history=history,
    )


def overdue_for_bodies(organisation_ids, *, limit: int = 20) -> list[Measure]:
    """Overdue measures of these bodies (the body's home page), the longest overdue first."""
    return list(
        Measure.objects.overdue(timezone.localdate())
        .filter(organisation_id__in=list(organisation_ids))
        .select_related("organisation", "incident", "owner")
        .order_by("due_date", "id")[:limit]
    )
