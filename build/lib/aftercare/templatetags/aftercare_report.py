"""The final report part of the incident's aftercare page, for the user of the request: the incident's
own report (every engagement; the body's members and the ministry) and each engagement's report."""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.utils import timezone

from calloffs.models import CallOff, CallOffDocument, DocumentKind, DocumentState
from calloffs.selectors_documents import (
    can_access_incident_documents,
    can_request_documents,
    can_request_incident_documents,
    document_calloffs_visible_to,
)
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


@dataclass
class IncidentReportPanel:
    """The incident's own final report (every engagement), for the body's members and the ministry."""

    documents: list[CallOffDocument]
    may_issue: bool
    engagements: int

    @property
    def busy(self) -> bool:
        return any(d.is_unfinished for d in self.documents)


def _mark_retryable(documents: list[CallOffDocument], *, may_retry: bool, now) -> None:
    for document in documents:
        since = document.started_at or document.created_at
        document.retryable = may_retry and (
            document.state == DocumentState.FAILED or (document.is_unfinished and since <= now - STALE_AFTER)
        )


def incident_report_panel(user, incident, *, engagements: int, now) -> IncidentReportPanel | None:
    if not can_access_incident_documents(user, incident):
        return None  # a provider (even an engaged one) and everyone else: not its business
    documents = list(
        CallOffDocument.objects.filter(incident_id=incident.pk, kind=DocumentKind.INCIDENT_REPORT).order_by("-version")
    )
    may_issue = can_request_incident_documents(user, incident)
    _mark_retryable(documents, may_retry=may_issue, now=now)
    return IncidentReportPanel(documents, may_issue, engagements)


@register.simple_tag(takes_context=True)
def final_report_panels(context, incident) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None:
        return {"panels": [], "incident_panel": None}
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
        _mark_retryable(documents.get(calloff.pk, []), may_retry=can_request_documents(user, calloff), now=now)
        panels.append(ReportPanel(calloff, documents.get(calloff.pk, []), notes.get(calloff.pk), side))
    nis2_editable = report_services.may_edit_nis2_draft(user, incident)
    return {
        "panels": panels,
        "incident_panel": incident_report_panel(user, incident, engagements=len(calloffs), now=now),
        "nis2_editable": nis2_editable,
        "nis2_obligation": nis2.final_report_obligation(incident) if nis2_editable else None,
    }
