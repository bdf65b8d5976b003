"""Writes of the final report (Abschlussbericht): the lessons learned of each side, issuing a new
version of the PDF, and the body's NIS-2 final report draft (STYLE.md §2: keyword-only, one durable
transaction, rows locked, the actor's rights checked here, an audit entry per change).

Who issues the report: **the accepting provider's staff or a caller/administrator of the body**
(the report is the provider's deliverable, and the body updates it as its measures progress; each
side may make a new version whenever its part changed). The ministry and the body's read-only
members read it; nobody else sees it (404). The PDF is a call-off document of kind
``final_report`` (calloffs' document machinery: versions, SHA-256, verification page, rendered by
the worker, ``document.issued`` to the provider's webhooks), one per engagement of the incident: a
provider's report holds its own findings, hours and timeline entries, never another provider's.

The incident's final report combines every engagement of the incident; it is a document of the
incident (kind ``incident_report``), read by the body's members and the ministry and issued by the
body's callers and administrators or the ministry; providers never see it (404).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from calloffs.errors import NotPermitted, TransitionNotAllowed
from calloffs.models import CallOff, CallOffDocument, DocumentKind
from calloffs.permissions import can_act_for_body
from calloffs.selectors_documents import can_request_incident_documents
from calloffs.services.documents import document_new_version
from calloffs.visibility import INCIDENT_VISIBLE_STATES, engaged_calloffs
from incidents.models import Incident
from incidents.services import can_edit
from tenants.selectors import roles_of
from tenants.services import audit

from .errors import InvalidInput
from .models import LESSONS_MAX, LESSONS_MIN, NIS2_DRAFT_MAX, NIS2_DRAFT_MIN, Nis2FinalReportDraft, ReportNotes

PROVIDER, BODY = "provider", "body"


def report_side(user, calloff: CallOff) -> str | None:
    """Which part of the report ``user`` writes: the accepting provider's or the body's; None: reads only."""
    if calloff.state not in INCIDENT_VISIBLE_STATES:
        return None
    if engaged_calloffs(user).filter(pk=calloff.pk).exists():
        return PROVIDER
    if calloff.organisation_id in roles_of(user) and can_act_for_body(user, calloff):
        return BODY
    return None


def _lock(calloff: CallOff) -> CallOff:
    return CallOff.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=calloff.pk)


def _check_text(text: str, *, low: int, high: int, field: str, allow_empty: bool) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if not text and allow_empty:
        return ""
    if len(text) < low:
        raise InvalidInput(_("Bitte mindestens {n} Zeichen schreiben.").format(n=low), field=field)
    if len(text) > high:
        raise InvalidInput(_("Höchstens {n} Zeichen.").format(n=high), field=field)
    return text


@transaction.atomic(durable=True)
def report_lessons_set(*, calloff: CallOff, actor, text: str) -> ReportNotes:
    """The actor's side writes (or clears, with an empty text) its lessons learned for the report."""
    calloff = _lock(calloff)
    side = report_side(actor, calloff)
    if side is None:
        raise NotPermitted(_("Nur der beauftragte Dienstleister und die Stelle schreiben den Abschlussbericht."))
    text = _check_text(text, low=LESSONS_MIN, high=LESSONS_MAX, field="text", allow_empty=True)
    notes, _created = ReportNotes.objects.select_for_update().get_or_create(
        calloff=calloff,
        defaults={"incident_id": calloff.incident_id, "organisation_id": calloff.organisation_id},
    )
    field = "lessons_provider" if side == PROVIDER else "lessons_body"
    if getattr(notes, field) == text:
        return notes
    setattr(notes, field, text)
    notes.updated_by = actor
    notes.updated_at = timezone.now()
    notes.save(update_fields=[field, "updated_by", "updated_at"])
    audit(
        actor=actor,
        action="final_report.lessons_set",
        organisation=calloff.organisation,
        target=calloff.number,
        side=side,
        length=len(text),
    )
    return notes


@transaction.atomic(durable=True)
def final_report_issue(*, calloff: CallOff, actor) -> CallOffDocument:
    """A new version of the final report of this engagement, rendered by the worker from the data
    as it is then (if a version is still waiting in the queue, that one is returned)."""
    calloff = _lock(calloff)
    side = report_side(actor, calloff)
    if side is None:
        raise NotPermitted(_("Den Abschlussbericht erstellen der beauftragte Dienstleister oder die Stelle."))
    if calloff.provider_id is None or calloff.accepted_at is None:
        raise TransitionNotAllowed(_("Der Abruf ist noch keinem Dienstleister zugewiesen."))
    reason = _("Erstellt vom Dienstleister") if side == PROVIDER else _("Erstellt von der Stelle")
    document = document_new_version(calloff=calloff, kind=DocumentKind.FINAL_REPORT, actor=actor, reason=reason)
    audit(
        actor=actor,
        action="final_report.issued",
        organisation=calloff.organisation,
        target=calloff.number,
        document=str(document.public_id),
        version=document.version,
        side=side,
    )
    return document


@transaction.atomic(durable=True)
def incident_report_issue(*, incident: Incident, actor) -> CallOffDocument:
    """A new version of the incident's final report (every engagement), rendered by the worker from the
    data as it is then (if a version is still waiting in the queue, that one is returned)."""
    incident = Incident.objects.select_for_update().select_related("organisation").get(pk=incident.pk)
    if not can_request_incident_documents(actor, incident):
        raise NotPermitted(_("Den Abschlussbericht zum Vorfall erstellen die Stelle oder das Ministerium."))
    by_body = incident.organisation_id in roles_of(actor)
    reason = _("Erstellt von der Stelle") if by_body else _("Erstellt vom Ministerium")
    document = document_new_version(incident=incident, kind=DocumentKind.INCIDENT_REPORT, actor=actor, reason=reason)
    audit(
        actor=actor,
        action="incident_report.issued",
        organisation=incident.organisation,
        target=str(incident.public_id),
        document=str(document.public_id),
        version=document.version,
    )
    return document


# --- NIS-2 final report draft (the body's) -------------------------------------------------------


def may_edit_nis2_draft(user, incident: Incident) -> bool:
    """The body's callers and administrators (not the ministry: the report is the body's to submit).
    Never for a drill: a drill produces no legal report, not even a draft."""
    if incident.is_drill:
        return False
    return incident.organisation_id in roles_of(user) and can_edit(user, incident.organisation)


@transaction.atomic(durable=True)
def nis2_draft_save(*, incident: Incident, actor, text: str) -> Nis2FinalReportDraft:
    incident = Incident.objects.select_for_update().select_related("organisation").get(pk=incident.pk)
    if not may_edit_nis2_draft(actor, incident):
        raise NotPermitted(_("Den Entwurf des NIS-2-Abschlussberichts bearbeitet die Stelle."))
    text = _check_text(text, low=NIS2_DRAFT_MIN, high=NIS2_DRAFT_MAX, field="text", allow_empty=False)
    draft = Nis2FinalReportDraft.objects.select_for_update().filter(incident=incident).first()
    if draft is not None and draft.text == text:
        return draft
    if draft is None:
        draft = Nis2FinalReportDraft(incident=incident, organisation_id=incident.organisation_id)
    draft.text = text
    draft.updated_by = actor
    draft.updated_at = timezone.now()
    draft.save()
    audit(
        actor=actor,
        action="nis2_final_report.draft_saved",
        organisation=incident.organisation,
        target=str(incident.public_id),
        length=len(text),
    )
    return draft
