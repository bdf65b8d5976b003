"""Reads for incidents, scoped to the requesting user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from digisos.compiled_query import CompiledQuery

from .models import ChecklistTick, FirstHourStep, Incident, IncidentAttachment, MajorIncident, TimelineEntry
from .models.reporting import DEADLINES, FINAL_REPORT_AFTER_NOTIFICATION, ObligationKind
from .visibility import OutsideView


def incident_list(*, user, status: str = ""):
    qs = Incident.objects.visible_to(user).select_related("organisation", "major_incident")
    if status == "open":
        qs = qs.open()
    elif status:
        qs = qs.filter(status=status)
    return qs.order_by("-became_aware_at")


def incident_for_user(*, user, public_id) -> Incident:
    return get_object_or_404(
        Incident.objects.visible_to(user).select_related("organisation", "major_incident"), public_id=public_id
    )


def major_incident_for_user(*, user, public_id) -> MajorIncident:
    if not user.is_ministry_staff:
        from django.http import Http404

        raise Http404
    return get_object_or_404(MajorIncident.objects.select_related("origin"), public_id=public_id)


def timeline_for(incident: Incident, outside: OutsideView | None) -> QuerySet[TimelineEntry]:
    """The whole timeline for the body and the ministry; for a party outside the body (``outside``,
    from incidents.visibility.outside_view) the general entries and those of its own engagements."""
    entries = TimelineEntry.objects.filter(incident=incident)
    if outside is None:
        return entries
    general = Q(scope="")
    if not outside.engaged:  # its engagements have ended: nothing recorded after that
        general &= Q(created_at__lte=outside.until) if outside.until else Q(pk__in=[])
    # The entry of an upload names the file: shown only with the attachment itself.
    hidden = IncidentAttachment.objects.filter(timeline_entry=OuterRef("pk")).exclude(
        pk__in=attachments_for(incident, outside).values("pk")
    )
    return entries.filter(general | Q(scope__in=outside.scopes)).exclude(Exists(hidden))


def attachments_for(incident: Incident, outside: OutsideView | None) -> QuerySet[IncidentAttachment]:
    """All attachments for the body and the ministry; for a party outside the body those the body
    shared with the engaged provider, and once its engagements have ended only those shared by then."""
    attachments = IncidentAttachment.objects.filter(incident=incident)
    if outside is None:
        return attachments
    attachments = attachments.filter(shared_with_provider=True)
    if outside.engaged:
        return attachments
    if outside.until is None:
        return attachments.none()
    return attachments.filter(shared_at__lte=outside.until)


def reporting_clocks(became_aware_at):
    """The legal clocks that a time of becoming aware starts, with when each runs out (the filing form:
    "from this moment on run …"). The final report counts from the notification, so it is shown with
    its latest possible end (notification on the last day)."""
    clocks = [
        (ObligationKind.CERT_NRW, DEADLINES[ObligationKind.CERT_NRW]),
        (ObligationKind.NIS2_EARLY_WARNING, DEADLINES[ObligationKind.NIS2_EARLY_WARNING]),
        (ObligationKind.NIS2_NOTIFICATION, DEADLINES[ObligationKind.NIS2_NOTIFICATION]),
        (
            ObligationKind.NIS2_FINAL_REPORT,
            DEADLINES[ObligationKind.NIS2_NOTIFICATION] + FINAL_REPORT_AFTER_NOTIFICATION,
        ),
        (ObligationKind.GDPR_NOTIFICATION, DEADLINES[ObligationKind.GDPR_NOTIFICATION]),
    ]
    return [
        {"kind": kind, "label": kind.label, "seconds": int(delta.total_seconds()), "due_at": became_aware_at + delta}
        for kind, delta in clocks
    ]


@dataclass(frozen=True)
class ChecklistRow:
    step: str
    label: str
    done: bool
    changed_at: datetime | None
    changed_by: str


#: first_hour_checklist's statement, compiled once per connection (the call-off page reads it on every
#: request; building and compiling the queryset cost more CPU than the rows, issue 19).
_TICKS = CompiledQuery(
    lambda incident: ChecklistTick.objects.filter(incident_id=incident).select_related("changed_by").order_by(),
    many=True,
    incident=-719_000_191,
)


def first_hour_checklist(incident: Incident) -> list[ChecklistRow]:
    """Every step of the first-hour checklist in the card's order, with where it stands (one query)."""
    if incident is None:  # no incident: the queryset as it was (incident IS NULL), not the compiled "= %s"
        found = ChecklistTick.objects.filter(incident=incident).select_related("changed_by").order_by()
    else:
        found = _TICKS.all(incident=incident.pk)
    ticks = {t.step: t for t in found}
    rows = []
    for step in FirstHourStep:
        tick = ticks.get(step.value)
        by = tick.changed_by if tick else None
        rows.append(
            ChecklistRow(
                step=step.value,
                label=step.label,
                done=bool(tick and tick.done),
                changed_at=tick.changed_at if tick else None,
                changed_by=str(by) if by else "",
            )
        )
    return rows
