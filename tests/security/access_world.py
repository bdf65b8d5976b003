"""The world of the access matrix (``test_access_matrix.py``): one of everything, owned by body A and
offered to provider 1, and the URL arguments of each kind of object in it. Also used by the du-form scan
(``test_formal_german.py``) and the fuzz tests (``test_fuzz_entries.py``)."""

from __future__ import annotations

import uuid

import pytest

from incidents import services as incident_services
from incidents.models import Category
from tenants.models import Membership


@pytest.fixture
def world(setup, file_calloff, alice, bob, body_admin, charlie, ministry, org_a, keys, api):
    """One of everything, owned by body A and offered to provider 1."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from calloffs import services as calloff_services
    from calloffs.models import MinistryAlert, ProviderContact
    from calloffs.services.api_keys import api_key_create  # noqa: F401
    from calloffs.services.attachments import attachment_add
    from calloffs.services.documents import document_render, document_request
    from notifications.models import Notification
    from readiness.services import readiness_network_overview_upload, readiness_profile_save
    from tenants import services as tenant_services

    readiness_profile_save(
        organisation=org_a, actor=alice, critical_systems=[{"name": "Meldewesen – hoch", "protection": "hoch"}]
    )
    netplan = SimpleUploadedFile("netz.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    readiness_network_overview_upload(organisation=org_a, actor=alice, upload=netplan)
    calloff = file_calloff()
    calloff = calloff_services.offer_accept(
        calloff=calloff,
        provider=setup.providers[0],
        actor=setup.staff[0],
        lead_name="Jana Keller",
        lead_phone="+49 211 5550110",
    )
    incident = calloff.incident
    # The worker would render the order after the commit; here the test does it at once.
    order = calloff.documents.filter(kind="order").first() or document_request(calloff=calloff, kind="order")
    document_render(document_id=order.pk)
    order.refresh_from_db()
    calloff_attachment = attachment_add(
        calloff=calloff,
        provider=setup.providers[0],
        actor=setup.staff[0],
        kind="report",
        upload=SimpleUploadedFile("bericht.txt", b"Bericht", content_type="text/plain"),
    )
    incident_attachment = incident_services.attachment_add(
        incident=incident, actor=alice, uploaded_file=SimpleUploadedFile("log.txt", b"log"), content_type="text/plain"
    )
    obligation = incident.obligations.first()
    major = incident_services.major_incident_declare(actor=ministry, title="Lage")
    incident_services.major_incident_link(major=major, actor=ministry, organisations=[org_a], category=Category.OTHER)
    _invitation, token = tenant_services.invitation_create(
        actor=body_admin, email="neu@example.org", organisation=org_a, role="member"
    )
    from statuspages import services as statuspage_services

    statuspage = statuspage_services.status_page_save(
        organisation=org_a,
        actor=alice,
        headline="Eingeschränkt erreichbar",
        summary="Viele Dienste ruhen.",
        phone="0211 1234",
    )
    statuspage_services.status_page_publish(page=statuspage, actor=alice)
    from django.core.files.uploadedfile import SimpleUploadedFile as Upload

    from onboarding.services import access_request_submit

    access_request = access_request_submit(
        data={
            "name": "Stadtwerke A GmbH",
            "legal_form": "kommunales_unternehmen",
            "parent": org_a,
            "street": "Werkstraße 5",
            "postcode": "50667",
            "city": "Stadt A",
            "contact_name": "Petra Netz",
            "contact_email": "p.netz@stadtwerke-a.example",
            "contact_phone": "+49 221 5550100",
        },
        proof=Upload("nachweis.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf"),
    )
    contact = ProviderContact.objects.create(provider=setup.providers[0], name="Kontakt", phone="+49 211 555")
    alert = MinistryAlert.objects.create(kind="unassigned", message="Test", calloff=calloff)
    from aftercare import services as aftercare_services

    finding = aftercare_services.finding_create(
        calloff=calloff, actor=setup.staff[0], title="Befund", description="D", category="phishing", severity="high"
    )
    indicator = aftercare_services.indicator_create(
        calloff=calloff, actor=setup.staff[0], kind="domain", value="evil.example", tlp="green"
    )
    from aftercare.evidence.services import evidence_add

    evidence = evidence_add(finding=finding, actor=setup.staff[0], upload=SimpleUploadedFile("vpn.log", b"login ok\n"))
    from django.utils import timezone

    from settlement.services import statement_submit

    calloff_services.time_entry_add(
        calloff=calloff,
        provider=setup.providers[0],
        actor=setup.staff[0],
        date=timezone.localdate(),
        hours="2",
        role=setup.roles.lead,
        description="Analyse",
    )
    statement = statement_submit(
        calloff=calloff,
        provider=setup.providers[0],
        actor=setup.staff[0],
        period_start=timezone.localdate(),
        period_end=timezone.localdate(),
    )
    drill = file_calloff(drill=True, client_token=uuid.uuid4())
    return {
        "drill": drill,
        "statement": statement,
        "calloff": calloff,
        "incident": incident,
        "obligation": obligation,
        "major": major,
        "token": token,
        "membership": Membership.objects.get(user=alice),
        "contact": contact,
        "alert": alert,
        "statuspage": statuspage,
        "access_request": access_request,
        "finding": finding,
        "indicator": indicator,
        "measure": finding.measures.get(),
        "evidence": evidence,
        "order": order,
        "calloff_attachment": calloff_attachment,
        "incident_attachment": incident_attachment,
        "notification": Notification.objects.filter(calloff=calloff, audience="body").first(),
        "users": {
            "caller": alice,
            "member": bob,
            "admin": body_admin,
            "outsider": charlie,
            "provider1": setup.staff[0],
            "provider2": setup.staff[1],
            "ministry": ministry,
        },
        "keys": {"provider1": keys[0], "provider2": keys[1]},
        "setup": setup,
        "org": org_a,
    }


def _kwargs(kind, w):
    c, s = w["calloff"], w["setup"]
    missing = uuid.uuid4()
    return {
        None: {},
        "org": {"public_id": w["org"].public_id},
        "org_card": {"organisation_id": w["org"].public_id},
        "membership": {"public_id": w["org"].public_id, "membership_id": w["membership"].pk},
        "invitation_token": {"token": w["token"]},
        "incident": {"public_id": w["incident"].public_id},
        "incident_action": {"public_id": w["incident"].public_id, "action": "note"},
        "obligation": {"public_id": w["incident"].public_id, "obligation_id": w["obligation"].pk},
        "incident_attachment": {
            "public_id": w["incident"].public_id,
            "attachment_id": w["incident_attachment"].public_id,
        },
        "major": {"public_id": w["major"].public_id},
        "calloff": {"public_id": c.public_id},
        "calloff_cancel": {"public_id": c.public_id, "action": "cancel"},
        "calloff_attachment": {"public_id": c.public_id, "attachment_id": w["calloff_attachment"].public_id},
        "document": {"document_id": w["order"].public_id},
        "notification": {"public_id": w["notification"].public_id},
        "alert": {"public_id": w["alert"].public_id},
        "provider": {"public_id": s.providers[0].public_id},
        "provider_contact": {"public_id": s.providers[0].public_id, "contact_id": w["contact"].public_id},
        "contract": {"public_id": s.contract.public_id},
        "module": {"public_id": s.contract.public_id, "module_id": s.modules.remote.public_id},
        "role": {"public_id": s.contract.public_id, "role_id": s.roles.lead.public_id},
        "sla": {"public_id": s.contract.public_id, "priority": "P1"},
        "ranking_version": {"public_id": s.contract.public_id, "number": 1},
        "verify": {"code": w["order"].verify_code},
        "api_calloff": {"id": c.public_id},
        "api_document": {"id": c.public_id, "document_id": w["order"].public_id},
        "aftercare_calloff": {"calloff_id": c.public_id},
        "aftercare_export": {"public_id": w["incident"].public_id, "fmt": "stix"},
        "aftercare_major_export": {"public_id": w["major"].public_id, "fmt": "misp"},
        "aftercare_format": {"fmt": "stix"},
        "finding": {"public_id": w["finding"].public_id},
        "indicator": {"public_id": w["indicator"].public_id},
        "api_finding": {"id": c.public_id, "item_id": w["finding"].public_id},
        "api_indicator": {"id": c.public_id, "item_id": w["indicator"].public_id},
        "measure": {"public_id": w["measure"].public_id},
        "api_measure": {"id": c.public_id, "item_id": w["measure"].public_id},
        "evidence": {"public_id": w["evidence"].public_id},
        "api_evidence": {"id": c.public_id, "item_id": w["finding"].public_id, "evidence_id": w["evidence"].public_id},
        "webhook": {"id": missing},
        "statuspage": {"slug": w["statuspage"].slug},
        "access_request": {"public_id": w["access_request"].public_id},
        "statement": {"public_id": w["statement"].public_id},
        "statement_submit": {"calloff_id": c.public_id},
        "api_statement": {"id": w["statement"].public_id},
        "drill": {"public_id": w["drill"].public_id},
    }[kind]
