"""Call-off states × provider personas (issue 14: need to know).

One incident of body A, one call-off through it. Provider P1 always declines first (the competitor
that declined); P2 is the provider whose offer goes through the state under test; P3 is next in the
order of precedence and holds the offer after P2 declines or lets it expire; P4 has nothing to do
with it (the unrelated provider). Every provider endpoint: the incident page, its attachments (one
shared with the provider, one internal, one shared after the call-off reached the state under
test), the call-off page and its parts, its documents, the provider's report, and the API.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from incidents import services as incident_services

pytestmark = pytest.mark.django_db

STATES = ["offered", "accepted", "declined", "expired", "withdrawn", "completed", "closed"]
PROVIDER_PERSONAS = {"p1_declined": 0, "p2_subject": 1, "p3_next": 2, "p4_unrelated": 3}
#: What a provider sees: nothing (404), the decision data (the call-off and its API detail), or the
#: incident as well (after acceptance).
NOTHING = "nothing"
DECIDE = "decide"
ENGAGED = "engaged"
ENDED = "ended"  # its call-off is completed or closed: it keeps what it had, nothing new reaches it
WHO_SEES_WHAT = {
    "offered": {"p2_subject": DECIDE},
    "accepted": {"p2_subject": ENGAGED},
    "completed": {"p2_subject": ENDED},
    "closed": {"p2_subject": ENDED},
    "declined": {"p3_next": DECIDE},
    "expired": {"p3_next": DECIDE},
    "withdrawn": {},
}
#: endpoint → expected status for NOTHING / DECIDE / ENGAGED / ENDED
ENDPOINTS = {
    "incident": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "incident_attachment_shared": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "incident_attachment_internal": {NOTHING: 404, DECIDE: 404, ENGAGED: 404, ENDED: 404},
    "incident_attachment_shared_later": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 404},
    "calloff": {NOTHING: 404, DECIDE: 200, ENGAGED: 200, ENDED: 200},
    "calloff_live": {NOTHING: 404, DECIDE: 200, ENGAGED: 200, ENDED: 200},
    "calloff_documents": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "order_document": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "provider_report": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "aftercare_lessons": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "aftercare_nis2_draft": {NOTHING: 404, DECIDE: 404, ENGAGED: 404, ENDED: 404},
    "api_detail": {NOTHING: 404, DECIDE: 200, ENGAGED: 200, ENDED: 200},
    # Only its own entries are listed: none before acceptance (a call-off is never offered again once accepted).
    "api_time_entries": {NOTHING: 404, DECIDE: 200, ENGAGED: 200, ENDED: 200},
    "api_order_pdf": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "api_document_pdf": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    # Issue 18: the body's readiness profile from the acceptance (closed: for 14 days, just closed here).
    "api_readiness_profile": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "api_readiness_network_overview": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "calloff_network_overview": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    # Aftercare (issue 16): the findings and indicators of the incident, read and written by the
    # engaged provider only; a provider that was merely offered the call-off learns nothing of them.
    "aftercare_incident": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "aftercare_finding_new": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "aftercare_indicator_new": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "aftercare_finding_edit": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "aftercare_indicator_edit": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "aftercare_indicator_tlp": {NOTHING: 404, DECIDE: 404, ENGAGED: 403, ENDED: 403},
    "aftercare_export": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "api_findings": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "api_indicators": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "api_finding": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "api_indicator": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    # Measures and the reconnection gate: the engaged provider (also after the end of its call-off: it
    # verifies the body's measures afterwards); nobody else.
    "aftercare_measures": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "aftercare_measure_new": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "aftercare_measure": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "api_measures": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "api_measure": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    # Evidence on a finding: the provider that uploaded it (the engaged one) and the body, nobody else.
    "aftercare_evidence": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "aftercare_evidence_new": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "api_evidence_list": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
    "api_evidence": {NOTHING: 404, DECIDE: 404, ENGAGED: 200, ENDED: 200},
}


def _hand_on(calloff, setup, index, how):
    """The provider holding the offer (it must be provider ``index``) declines or lets it expire."""
    from datetime import timedelta

    from calloffs import services as calloff_services
    from calloffs.models import OfferState

    offer = calloff.offers.get(state=OfferState.OPEN)
    assert offer.provider_id == setup.providers[index].pk
    if how == "declined":
        calloff_services.offer_decline(
            calloff=calloff, provider=setup.providers[index], actor=setup.staff[index], reason="Keine Kapazität"
        )
    else:
        calloff_services.offer_expire(offer=offer, now=offer.respond_by + timedelta(seconds=1))
    calloff.refresh_from_db()
    return calloff


@pytest.fixture
def state_world(setup, file_calloff, alice, ministry, org_a):
    """state_world(state) → (call-off, objects by endpoint, a shared and an internal attachment)."""
    from datetime import timedelta

    import time_machine
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from aftercare import services as aftercare_services
    from calloffs import services as calloff_services
    from calloffs.services.api_keys import api_key_create
    from calloffs.services.attachments import attachment_add
    from calloffs.services.documents import document_render, document_request

    keys = [api_key_create(provider=p, actor=ministry, name="Ticketsystem").raw for p in setup.providers]

    from readiness.services import readiness_network_overview_upload, readiness_profile_save

    def build(state):
        readiness_profile_save(
            organisation=org_a, actor=alice, critical_systems=[{"name": "Meldewesen – hoch", "protection": "hoch"}]
        )
        netplan = SimpleUploadedFile("netz.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
        readiness_network_overview_upload(organisation=org_a, actor=alice, upload=netplan)
        calloff = _hand_on(file_calloff(), setup, 0, "declined")  # P1, the competitor, declines
        incident = calloff.incident
        shared, internal = (
            incident_services.attachment_add(
                incident=incident,
                actor=alice,
                uploaded_file=SimpleUploadedFile(name, b"Inhalt", content_type="text/plain"),
                shared_with_provider=flag,
            )
            for name, flag in (("fuer-dienstleister.txt", True), ("intern.txt", False))
        )
        order = report = finding = indicator = evidence = None
        if state in ("declined", "expired"):
            calloff = _hand_on(calloff, setup, 1, state)
        elif state == "withdrawn":
            calloff = calloff_services.calloff_cancel(calloff=calloff, actor=alice, reason="Fehlalarm")
        elif state in ("accepted", "completed", "closed"):
            p2, s2 = setup.providers[1], setup.staff[1]
            calloff = calloff_services.offer_accept(
                calloff=calloff, provider=p2, actor=s2, lead_name="Uwe Brandt", lead_phone="+49 221 7770220"
            )
            order = calloff.documents.filter(kind="order").first() or document_request(calloff=calloff, kind="order")
            document_render(document_id=order.pk)
            report = attachment_add(
                calloff=calloff,
                provider=p2,
                actor=s2,
                kind="report",
                upload=SimpleUploadedFile("bericht.txt", b"Bericht", content_type="text/plain"),
            )
            finding = aftercare_services.finding_create(
                calloff=calloff, actor=s2, title="Befund", description="D", category="phishing", severity="high"
            )
            indicator = aftercare_services.indicator_create(
                calloff=calloff, actor=s2, kind="domain", value="evil.example", tlp="green"
            )
            from aftercare.evidence.services import evidence_add

            evidence = evidence_add(finding=finding, actor=s2, upload=SimpleUploadedFile("log.txt", b"Inhalt"))
            if state in ("completed", "closed"):
                calloff = calloff_services.calloff_complete(calloff=calloff, provider=p2, actor=s2, summary="Fertig")
            if state == "closed":
                calloff = calloff_services.calloff_close(calloff=calloff, actor=alice)
        with time_machine.travel(timezone.now() + timedelta(minutes=5), tick=True):  # after the state was reached
            later = incident_services.attachment_add(
                incident=incident,
                actor=alice,
                uploaded_file=SimpleUploadedFile("spaeter.txt", b"Inhalt", content_type="text/plain"),
                shared_with_provider=True,
            )
        urls = {
            "incident": reverse("incidents:detail", args=[incident.public_id]),
            "incident_attachment_shared": reverse("incidents:attachment", args=[incident.public_id, shared.public_id]),
            "incident_attachment_internal": reverse(
                "incidents:attachment", args=[incident.public_id, internal.public_id]
            ),
            "incident_attachment_shared_later": reverse(
                "incidents:attachment", args=[incident.public_id, later.public_id]
            ),
            "calloff": reverse("calloffs:detail", args=[calloff.public_id]),
            "calloff_live": reverse("calloffs:live", args=[calloff.public_id]),
            "calloff_documents": reverse("calloffs:documents", args=[calloff.public_id]),
            "api_detail": reverse("api_v1:calloff-detail", kwargs={"id": calloff.public_id}),
            "api_time_entries": reverse("api_v1:calloff-time-entries", kwargs={"id": calloff.public_id}),
            "api_order_pdf": reverse("api_v1:calloff-order-pdf", kwargs={"id": calloff.public_id}),
            "api_readiness_profile": reverse("api_v1:calloff-readiness-profile", kwargs={"id": calloff.public_id}),
            "api_readiness_network_overview": reverse(
                "api_v1:calloff-readiness-network-overview", kwargs={"id": calloff.public_id}
            ),
            "calloff_network_overview": reverse("calloffs:readiness_network_overview", args=[calloff.public_id]),
            "aftercare_incident": reverse("aftercare:incident", args=[incident.public_id]),
            "aftercare_finding_new": reverse("aftercare:finding_new", args=[calloff.public_id]),
            "aftercare_indicator_new": reverse("aftercare:indicator_new", args=[calloff.public_id]),
            "aftercare_export": reverse("aftercare:incident_export", args=[incident.public_id, "stix"]),
            "aftercare_lessons": reverse("aftercare:lessons_edit", args=[calloff.public_id]),
            "aftercare_nis2_draft": reverse("aftercare:nis2_draft", args=[incident.public_id]),
            "api_findings": reverse("aftercare_api:finding-list", kwargs={"id": calloff.public_id}),
            "api_indicators": reverse("aftercare_api:indicator-list", kwargs={"id": calloff.public_id}),
            "aftercare_measures": reverse("aftercare:measures", args=[incident.public_id]),
            "aftercare_measure_new": reverse("aftercare:measure_new", args=[calloff.public_id]),
            "api_measures": reverse("aftercare_api:measure-list", kwargs={"id": calloff.public_id}),
        }
        if finding is not None:
            urls["aftercare_finding_edit"] = reverse("aftercare:finding_edit", args=[finding.public_id])
            urls["aftercare_indicator_edit"] = reverse("aftercare:indicator_edit", args=[indicator.public_id])
            urls["aftercare_indicator_tlp"] = reverse("aftercare:indicator_tlp", args=[indicator.public_id])
            urls["aftercare_evidence"] = reverse("aftercare:evidence_download", args=[evidence.public_id])
            urls["aftercare_evidence_new"] = reverse("aftercare:evidence_new", args=[finding.public_id])
            urls["api_evidence_list"] = reverse(
                "aftercare_api:evidence-list", kwargs={"id": calloff.public_id, "item_id": finding.public_id}
            )
            urls["api_evidence"] = reverse(
                "aftercare_api:evidence-file",
                kwargs={"id": calloff.public_id, "item_id": finding.public_id, "evidence_id": evidence.public_id},
            )
            urls["api_finding"] = reverse(
                "aftercare_api:finding-detail", kwargs={"id": calloff.public_id, "item_id": finding.public_id}
            )
            urls["api_indicator"] = reverse(
                "aftercare_api:indicator-detail", kwargs={"id": calloff.public_id, "item_id": indicator.public_id}
            )
            measure = finding.measures.get()
            urls["aftercare_measure"] = reverse("aftercare:measure", args=[measure.public_id])
            urls["api_measure"] = reverse(
                "aftercare_api:measure-detail", kwargs={"id": calloff.public_id, "item_id": measure.public_id}
            )
        if order is not None:  # documents and reports exist only once a provider has accepted
            urls["order_document"] = reverse("calloffs:document_download", kwargs={"document_id": order.public_id})
            urls["api_document_pdf"] = reverse(
                "api_v1:calloff-document-pdf", kwargs={"id": calloff.public_id, "document_id": order.public_id}
            )
            urls["provider_report"] = reverse(
                "calloffs:attachment_download", args=[calloff.public_id, report.public_id]
            )
        return calloff, urls, keys

    return build


@pytest.mark.parametrize("state", STATES)
def test_call_off_states_by_provider_persona(state, state_world, setup):
    """Each state of the call-off × the competitor that declined, the provider it is about, the next
    provider and an unrelated one, over every page and API endpoint a provider can reach. Before the
    fix the offered provider (and, after a cancellation, the provider that had accepted) read the
    incident page and every attachment of the incident."""
    from rest_framework.test import APIClient

    calloff, urls, keys = state_world(state)
    problems = []
    for persona, index in PROVIDER_PERSONAS.items():
        sees = WHO_SEES_WHAT[state].get(persona, NOTHING)
        web = Client()
        web.force_login(setup.staff[index])
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {keys[index]}")
        for endpoint, url in urls.items():
            client = api if endpoint.startswith("api_") else web
            got = client.get(url).status_code
            if got != ENDPOINTS[endpoint][sees]:
                problems.append(
                    f"{state}: {persona} ({sees}) GET {endpoint}: expected {ENDPOINTS[endpoint][sees]}, got {got}"
                )
    assert not problems, "\n".join(problems)


#: Aftercare writes (POST a new indicator through the portal and the API) → expected status.
AFTERCARE_WRITES = {
    "portal": {NOTHING: 404, DECIDE: 404, ENGAGED: 302, ENDED: 302},
    "api": {NOTHING: 404, DECIDE: 404, ENGAGED: 201, ENDED: 201},
}


@pytest.mark.parametrize("state", STATES)
def test_aftercare_writes_by_provider_persona(state, state_world, setup):
    """Only the engaged provider records indicators on the call-off; the competitor that declined, a
    provider that was offered it (or let the offer expire) and an unrelated one get 404 (no leak)."""
    from rest_framework.test import APIClient

    from aftercare.models import Indicator

    calloff, _urls, keys = state_world(state)
    portal_url = reverse("aftercare:indicator_new", args=[calloff.public_id])
    api_url = reverse("aftercare_api:indicator-list", kwargs={"id": calloff.public_id})
    problems = []
    for persona, index in PROVIDER_PERSONAS.items():
        sees = WHO_SEES_WHAT[state].get(persona, NOTHING)
        web = Client()
        web.force_login(setup.staff[index])
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {keys[index]}")
        value = f"{persona.replace('_', '-')}.{state}.example"
        got = {
            "portal": web.post(portal_url, {"kind": "domain", "value": "web-" + value, "tlp": "green"}).status_code,
            "api": api.post(api_url, {"kind": "domain", "value": "api-" + value}, format="json").status_code,
        }
        for channel, status in got.items():
            expected = AFTERCARE_WRITES[channel][sees]
            if status != expected:
                problems.append(f"{state}: {persona} ({sees}) POST {channel}: expected {expected}, got {status}")
            written = Indicator.objects.filter(calloff=calloff, value=f"{channel.replace('portal', 'web')}-{value}")
            if written.exists() != (expected in (201, 302)):
                problems.append(f"{state}: {persona} ({sees}) POST {channel}: row written = {written.exists()}")
    assert not problems, "\n".join(problems)
