"""The final report part of the incident's aftercare page, for the user of the request."""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.utils import timezone

from calloffs.models import CallOff, CallOffDocument, DocumentKind, DocumentState
from calloffs.selectors_documents import can_request_documents, document_calloffs_visible_to
from calloffs.services.documents import STALE_AFTER
from calloffs.visibility import INCIDENT_VISIBLE_STATES

from .. import nis2, report_services
from ..models import ReportNotes

register = template.Library()


@dataclass
class ReportPanel:
    calloff: CallOff
    documents: list[CallOffDocument]
    notes: ReportNotes | None
    side: str | None

    @property
    def busy(self) -> bool:
        return any(d.is_unfinished for d in self.documents)


@register.simple_tag(takes_context=True)
def final_report_panels(context, incident) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None:
        return {"panels": []}
    calloffs = list(
        document_calloffs_visible_to(user)
        .filter(incident_id=incident.pk, state__in=INCIDENT_VISIBLE_STATES, provider__isnull=False)
        .select_related("provider", "organisation")
        .order_by("accepted_at", "id")
    )
    documents: dict[int, list[CallOffDocument]] = {}
    for document in CallOffDocument.objects.filter(
        calloff__in=[c.pk for c in calloffs], kind=DocumentKind.FINAL_REPORT
    ).order_by("-version"):
        documents.setdefault(document.calloff_id, []).append(document)
    notes = {n.calloff_id: n for n in ReportNotes.objects.filter(calloff__in=[c.pk for c in calloffs])}
    now = timezone.now()
    panels = []
    for calloff in calloffs:
        side = report_services.report_side(user, calloff)
        may_retry = can_request_documents(user, calloff)
        for document in documents.get(calloff.pk, []):
            since = document.started_at or document.created_at
            document.retryable = may_retry and (
                document.state == DocumentState.FAILED or (document.is_unfinished and since <= now - STALE_AFTER)
            )
        panels.append(ReportPanel(calloff, documents.get(calloff.pk, []), notes.get(calloff.pk), side))
    nis2_editable = report_services.may_edit_nis2_draft(user, incident)
    return {
        "panels": panels,
        "nis2_editable": nis2_editable,
        "nis2_obligation": nis2.final_report_obligation(incident) if nis2_editable else None,
    }
