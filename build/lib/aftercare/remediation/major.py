"""The ministry's view of a major incident's reconnection gates: one row per affected body with the
gate's state, the measures required for reconnection still open and who opened the gate when. The
major incident page links here through incidents.extensions (incidents never imports aftercare)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from calloffs.permissions import is_ministry
from incidents.extensions import IncidentLink
from incidents.selectors import major_incident_for_user

from .models import Measure, MeasureState, ReconnectionGate
from .selectors import GatePeriod, gate_periods


@dataclass(frozen=True)
class GateRow:
    incident: object
    state: str  # "opened", "blocked", "possible"
    required: int
    open_required: int
    gate: ReconnectionGate | None
    #: Every period the gate was open, the latest first.
    history: list[ReconnectionGate]
    #: The same periods as the page shows them: who (name and role: the page is the ministry's), when, why.
    periods: list[GatePeriod]


def major_gate_rows(major) -> list[GateRow]:
    """The gates of the major incident's real incidents (a drill is never linked), by body name."""
    incidents = list(major.incidents.real().select_related("organisation").order_by("organisation__name", "id"))
    ids = [incident.pk for incident in incidents]
    counts = {
        row["incident_id"]: row
        for row in Measure.objects.filter(incident_id__in=ids, required_for_reconnection=True)
        .values("incident_id")
        .annotate(required=Count("id"), open_required=Count("id", filter=~Q(state=MeasureState.VERIFIED)))
    }
    history: dict[int, list[ReconnectionGate]] = {}
    for period in ReconnectionGate.objects.filter(incident_id__in=ids).order_by("-opened_at", "-id"):
        history.setdefault(period.incident_id, []).append(period)
    gates = {pk: next((p for p in periods if p.is_open), None) for pk, periods in history.items()}
    rows = []
    for incident in incidents:
        count = counts.get(incident.pk, {"required": 0, "open_required": 0})
        gate = gates.get(incident.pk)
        state = "opened" if gate else ("blocked" if count["open_required"] else "possible")
        periods = history.get(incident.pk, [])
        rows.append(
            GateRow(
                incident,
                state,
                count["required"],
                count["open_required"],
                gate,
                periods,
                gate_periods(periods, names=True),
            )
        )
    return rows


@login_required
def major_gates(request, public_id):
    major = major_incident_for_user(user=request.user, public_id=public_id)  # the ministry only, else 404
    rows = major_gate_rows(major)
    return render(
        request,
        "aftercare/major_gates.html",
        {
            "major": major,
            "rows": rows,
            "opened": sum(1 for row in rows if row.state == "opened"),
            "blocked": sum(1 for row in rows if row.state == "blocked"),
        },
    )


def major_link(user, major) -> list[IncidentLink]:
    """The major incident page's link to the gates (the page is the ministry's anyway)."""
    if not is_ministry(user):
        return []
    rows = major_gate_rows(major)
    opened = sum(1 for row in rows if row.state == "opened")
    return [
        IncidentLink(
            label=_("Wiederanschluss der betroffenen Stellen"),
            url=reverse("aftercare:major_gates", kwargs={"public_id": major.public_id}),
            note=ngettext(
                "{opened} von {n} Stelle freigegeben", "{opened} von {n} Stellen freigegeben", len(rows)
            ).format(opened=opened, n=len(rows)),
        )
    ]
