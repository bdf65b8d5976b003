"""Reads of measures and the reconnection gate, always scoped to the user (aftercare.selectors.scope_q:
the body's members, the ministry, the engaged provider; everyone else sees nothing)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

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
    #: The required measures that are verified (each by the other party: see Measure.checked_by_body).
    verified: tuple[Measure, ...] = ()

    @property
    def opened(self) -> bool:
        return self.gate is not None

    @property
    def may_open(self) -> bool:
        return self.gate is None and not self.blocking

    @property
    def waiting_for_provider(self) -> int:
        """Blocking measures of the body's own work: the accepting provider confirms them."""
        return sum(1 for m in self.blocking if not m.checked_by_body)

    @property
    def waiting_for_body(self) -> int:
        """Blocking measures the provider carries out (billable): a body admin confirms them."""
        return sum(1 for m in self.blocking if m.checked_by_body)

    @property
    def confirmed_by_provider(self) -> int:
        return sum(1 for m in self.verified if not m.verified_by_body)

    @property
    def confirmed_by_body(self) -> int:
        return sum(1 for m in self.verified if m.verified_by_body)


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
        verified=tuple(m for m in required if m.state == MeasureState.VERIFIED),
    )


@dataclass(frozen=True)
class GatePeriod:
    """One period the gate was open, as a reader may see it: who opened and closed it as a role (the
    provider's view) or as name and role (the body's members and the ministry)."""

    opened_at: datetime
    opened_by: str
    note: str
    closed_at: datetime | None
    closed_by: str
    reason: str
    #: Whether opened_by/closed_by name the person (else they are the role), and the roles themselves
    #: (for a sentence such as "vom Ministerium" / "von der Stelle (Verwaltung)").
    named: bool = False
    opened_as_ministry: bool = False
    closed_as_ministry: bool = False

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


def gate_party(name: str, *, as_ministry: bool, names: bool) -> str:
    """Who opened or closed the gate: the role, and with ``names`` the person's name before it."""
    if names and name:
        role = _("Ministerium") if as_ministry else _("Stelle, Verwaltung")
        return _("{name} ({role})").format(name=name, role=role)
    return _("Ministerium") if as_ministry else _("Stelle (Verwaltung)")


def gate_periods(history, *, names: bool, oldest_first: bool = False) -> list[GatePeriod]:
    """The gate's history (ReconnectionGate rows, the latest first as gate_state gives them) for a
    page or report; ``names`` only for the body's members and the ministry (never for a provider)."""
    rows = [
        GatePeriod(
            opened_at=period.opened_at,
            opened_by=gate_party(period.opened_by_name, as_ministry=period.opened_as_ministry, names=names),
            note=period.note,
            closed_at=period.closed_at,
            closed_by=gate_party(period.closed_by_name, as_ministry=period.closed_as_ministry, names=names)
            if period.closed_at
            else "",
            reason=period.close_reason,
            named=names,
            opened_as_ministry=period.opened_as_ministry,
            closed_as_ministry=period.closed_as_ministry,
        )
        for period in history
    ]
    return rows[::-1] if oldest_first else rows


def overdue_for_bodies(organisation_ids, *, limit: int = 20) -> list[Measure]:
    """Overdue measures of these bodies (the body's home page), the longest overdue first."""
    return list(
        Measure.objects.overdue(timezone.localdate())
        .filter(organisation_id__in=list(organisation_ids))
        .select_related("organisation", "incident", "owner")
        .order_by("due_date", "id")[:limit]
    )
