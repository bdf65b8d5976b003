"""Reads of the call-off documents (order, proof of work), scoped to the requesting user.

Who may see a call-off's documents: ministry staff, the members of the body that called off
(any role) and the staff of the *assigned* provider. A provider that only holds an open offer
sees the call-off but not its documents; everyone else gets a 404 (STYLE.md §3).

A document of a whole incident (``CallOffDocument.incident``: the incident's final report, combining
every engagement) is read by ministry staff and the members of the incident's body only; no provider
sees it, not even one engaged in the incident (it holds the other providers' findings and hours).
"""

from __future__ import annotations

import uuid

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from incidents.models import Incident
from tenants.selectors import roles_of

from .models import CallOff, CallOffDocument, DocumentKind, DocumentState
from .permissions import can_act_for_body, can_file_for, is_active_user, is_ministry, provider_ids_of


def document_calloffs_visible_to(user) -> QuerySet[CallOff]:
    """The call-offs whose documents this user may read."""
    calloffs = CallOff.objects.visible_to(user)
    if is_ministry(user):
        return calloffs
    own_bodies = list(roles_of(user))
    my_provider = provider_ids_of(user)
    return calloffs.filter(Q(organisation_id__in=own_bodies) | Q(provider_id__in=my_provider))


def can_access_documents(user, calloff: CallOff) -> bool:
    """Ministry staff, a member of the call-off's body, or staff of its assigned provider (the
    same rule as document_calloffs_visible_to, decided on the call-off at hand without a query)."""
    if not is_active_user(user):
        return False
    return (
        is_ministry(user)
        or calloff.organisation_id in roles_of(user)
        or (calloff.provider_id is not None and calloff.provider_id in provider_ids_of(user))
    )


def can_request_documents(user, calloff: CallOff) -> bool:
    """Make a new version of a document (proof of work) or render one again: ministry staff, a caller
    or administrator of the body (or under its mandate), staff of the assigned provider. A read-only
    member reads the documents but makes none."""
    if not can_access_documents(user, calloff):
        return False
    return (
        is_ministry(user)
        or can_act_for_body(user, calloff)
        or (calloff.provider_id is not None and calloff.provider_id in provider_ids_of(user))
    )


def document_incidents_visible_to(user) -> QuerySet[Incident]:
    """The incidents whose own documents (the incident's final report) this user may read."""
    if not is_active_user(user):
        return Incident.objects.none()
    if is_ministry(user):
        return Incident.objects.all()
    return Incident.objects.filter(organisation_id__in=list(roles_of(user)))


def can_access_incident_documents(user, incident: Incident) -> bool:
    """Ministry staff or a member of the incident's body (any role)."""
    return is_active_user(user) and (is_ministry(user) or incident.organisation_id in roles_of(user))


def can_request_incident_documents(user, incident: Incident) -> bool:
    """Make (a new version of) an incident's document or render one again: ministry staff, a caller or
    administrator of the body (or under its mandate). A read-only member reads but makes none."""
    return can_access_incident_documents(user, incident) and (
        is_ministry(user) or can_file_for(user, incident.organisation)
    )


def can_access_document(user, document: CallOffDocument) -> bool:
    if document.calloff_id is None:
        return can_access_incident_documents(user, document.incident)
    return can_access_documents(user, document.calloff)


def can_request_document(user, document: CallOffDocument) -> bool:
    if document.calloff_id is None:
        return can_request_incident_documents(user, document.incident)
    return can_request_documents(user, document.calloff)


def documents_visible_to(user) -> QuerySet[CallOffDocument]:
    return CallOffDocument.objects.filter(
        Q(calloff__in=document_calloffs_visible_to(user)) | Q(incident__in=document_incidents_visible_to(user))
    )


def document_for_user(*, user, public_id) -> CallOffDocument:
    """The document if this user may read it; Http404 otherwise (no existence leak)."""
    try:
        value = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except (TypeError, ValueError, AttributeError) as exc:
        raise Http404 from exc
    return get_object_or_404(
        documents_visible_to(user).select_related(
            "calloff", "calloff__organisation", "calloff__provider", "incident", "incident__organisation"
        ),
        public_id=value,
    )


def calloff_documents(calloff: CallOff) -> QuerySet[CallOffDocument]:
    """All versions of all documents of a call-off, newest version first per kind."""
    return CallOffDocument.objects.filter(calloff=calloff).order_by("kind", "-version")


def latest_order(calloff: CallOff) -> CallOffDocument | None:
    """The newest *ready* call-off order (Abrufauftrag) of a call-off, or None.

    For the provider API (``GET /api/v1/calloffs/{id}/order.pdf``): the caller must already have
    scoped ``calloff`` to the requesting provider (assigned provider only). Open the file with
    ``document.file.open("rb")``; ``document.sha256`` and ``document.version`` describe it.
    """
    return (
        CallOffDocument.objects.filter(calloff=calloff, kind=DocumentKind.ORDER, state=DocumentState.READY)
        .order_by("-version")
        .first()
    )


def issued_document(calloff: CallOff, *, public_id) -> CallOffDocument | None:
    """A ready document of this call-off by its public id, or None (an unparseable id too). Like
    ``latest_order``: the caller has scoped ``calloff`` to the assigned provider."""
    try:
        value = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except (TypeError, ValueError, AttributeError):
        return None
    return CallOffDocument.objects.filter(calloff=calloff, public_id=value, state=DocumentState.READY).first()


def document_by_verify_code(code: str) -> CallOffDocument:
    """Public lookup for the verification page: the code is the secret; Http404 if unknown."""
    code = (code or "").strip()
    if not code or len(code) > 32:
        raise Http404
    return get_object_or_404(CallOffDocument.objects.select_related("calloff", "incident"), verify_code=code)


def document_versions(document: CallOffDocument) -> QuerySet[CallOffDocument]:
    """Every version of the same document (of the same call-off, or of the same incident)."""
    return CallOffDocument.objects.filter(
        calloff_id=document.calloff_id, incident_id=document.incident_id, kind=document.kind
    ).order_by("-version")
