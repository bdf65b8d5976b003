"""The hash-chained audit log records every call-off transition (one entry per CallOffEvent,
written in the same transaction) and every download of a call-off document or attachment, in the
portal and through the API; refused downloads write nothing; the chain stays verifiable."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.urls import reverse

from calloffs import services
from calloffs.models import CallOff, CallOffEvent, DocumentKind
from calloffs.services.api_keys import provider_api_account
from calloffs.services.attachments import attachment_add
from calloffs.services.documents import document_mark_ready, document_mark_started, document_request
from tenants.audit import verify
from tenants.models import AuditEntry

pytestmark = pytest.mark.django_db

LEAD = {"lead_name": "Jana Keller", "lead_phone": "+49 211 5550110"}


def entries(prefix: str = "calloff."):
    return list(AuditEntry.objects.filter(action__startswith=prefix).order_by("sequence"))


def accepted(file_calloff, setup) -> CallOff:
    return services.offer_accept(calloff=file_calloff(), provider=setup.providers[0], actor=setup.staff[0], **LEAD)


def ready_order(calloff) -> object:
    document = document_request(calloff=calloff, kind=DocumentKind.ORDER)
    document_mark_started(document_id=document.pk)
    assert document_mark_ready(document_id=document.pk, pdf=b"%PDF-1.7\n% order\n%%EOF\n")
    document.refresh_from_db()
    return document


def test_every_transition_has_its_audit_entry(setup, file_calloff, alice):
    calloff = file_calloff()
    services.offer_decline(calloff=calloff, provider=setup.providers[0], actor=setup.staff[0], reason="Ausgelastet")
    calloff = services.offer_accept(calloff=calloff, provider=setup.providers[1], actor=setup.staff[1], **LEAD)
    services.calloff_start(calloff=calloff, provider=setup.providers[1], actor=setup.staff[1])

    events = list(CallOffEvent.objects.filter(calloff=calloff).order_by("pk"))
    logged = entries()
    assert [e.action for e in logged] == [f"calloff.{e.kind}" for e in events]
    assert [e.details["event"] for e in logged] == [e.pk for e in events]
    assert {e.target for e in logged} == {calloff.number}
    assert {e.organisation_id for e in logged} == {calloff.organisation_id}
    filed, accept = logged[0], next(e for e in logged if e.action == "calloff.accepted")
    assert filed.actor == alice and filed.details["new_state"] == "submitted"
    assert accept.actor == setup.staff[1] and accept.details["provider"] == setup.providers[1].short_name
    assert (accept.details["old_state"], accept.details["new_state"]) == ("offered", "accepted")
    declined = next(e for e in logged if e.action == "calloff.declined")
    assert declined.details["reason"] == "Ausgelastet"
    assert verify() == (True, AuditEntry.objects.count(), "ok")


def test_the_audit_entry_is_part_of_the_transition(setup, file_calloff, monkeypatch):
    """If the audit log cannot be written, the transition does not happen either."""
    calloff = file_calloff()
    before = (AuditEntry.objects.count(), CallOffEvent.objects.count())

    def broken(**kwargs):
        raise DatabaseError("audit log unavailable")

    monkeypatch.setattr("calloffs.services.common.audit", broken)
    with pytest.raises(DatabaseError):
        services.offer_accept(calloff=calloff, provider=setup.providers[0], actor=setup.staff[0], **LEAD)
    calloff.refresh_from_db()
    assert calloff.state == "offered"
    assert (AuditEntry.objects.count(), CallOffEvent.objects.count()) == before


def test_a_document_download_in_the_portal_is_logged(setup, file_calloff, client_for, alice, charlie):
    calloff = accepted(file_calloff, setup)
    document = ready_order(calloff)
    url = reverse("calloffs:document_download", args=[document.public_id])

    assert client_for(charlie).get(url).status_code == 404
    assert entries("calloff.document_downloaded") == []

    response = client_for(alice).get(url)
    assert response.status_code == 200
    (entry,) = entries("calloff.document_downloaded")
    assert entry.actor == alice
    assert entry.organisation_id == calloff.organisation_id
    assert entry.target.startswith(calloff.number)
    assert entry.details == {
        "document": str(document.public_id),
        "kind": "order",
        "version": document.version,
        "sha256": document.sha256,
        "via": "portal",
    }
    assert verify()[0]


def test_an_order_download_through_the_api_is_logged(setup, file_calloff, api):
    calloff = accepted(file_calloff, setup)
    document = ready_order(calloff)
    url = f"/api/v1/calloffs/{calloff.public_id}/order.pdf"

    assert api(1).get(url).status_code == 404  # another provider
    assert entries("calloff.document_downloaded") == []
    assert api(0).get(url, HTTP_ACCEPT="application/pdf").status_code == 200
    (entry,) = entries("calloff.document_downloaded")
    assert entry.details["via"] == "api" and entry.details["document"] == str(document.public_id)
    assert entry.actor == provider_api_account(setup.providers[0])  # the key's technical account


def test_an_attachment_download_is_logged(setup, file_calloff, client_for, alice, charlie):
    calloff = accepted(file_calloff, setup)
    attachment = attachment_add(
        calloff=calloff,
        provider=setup.providers[0],
        actor=setup.staff[0],
        kind="report",
        upload=SimpleUploadedFile("bericht.txt", b"Bericht", content_type="text/plain"),
    )
    url = reverse("calloffs:attachment_download", args=[calloff.public_id, attachment.public_id])
    assert client_for(charlie).get(url).status_code == 404
    assert entries("calloff.attachment_downloaded") == []

    response = client_for(alice).get(url)
    assert response.status_code == 200
    (entry,) = entries("calloff.attachment_downloaded")
    assert entry.actor == alice
    assert entry.target == f"{calloff.number}: bericht.txt"
    assert entry.details == {"attachment": str(attachment.public_id), "sha256": attachment.sha256}
    assert verify()[0]
