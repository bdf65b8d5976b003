"""The incident's final report (every engagement of the incident): two providers on one incident (a
second call-off of the same body attaches to its open incident), each with its own findings and hours.
The body and the ministry read the incident's report, which combines both engagements, versioned and
hash-verifiable like the order, and the NIS-2 draft is prefilled from it; each provider keeps seeing
only its own engagement's report and gets 404 on the incident's (need-to-know)."""

import hashlib
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from aftercare import nis2, report_services, services
from calloffs import services as calloff_services
from calloffs.errors import NotPermitted
from calloffs.models import CallOffDocument, DocumentKind, DocumentState
from calloffs.services.documents import document_new_version
from incidents import services as incident_services
from incidents.models import ObligationKind
from notifications.models import Notification
from tests.aftercare.conftest import FINDING, LEAD
from tests.aftercare.test_drill_mark import drill  # noqa: F401  (fixture)
from tests.calloffs import documents_fixtures as fx
from tests.calloffs.documents_fixtures import document_bytes, pdf_text

queued, run_queued = fx.queued, fx.run_queued

pytestmark = pytest.mark.django_db

FINDING_P2 = {
    "title": "Domänen-Admin mit schwachem Kennwort",
    "description": "Das Kennwort des Domänen-Administrators stand in einer öffentlichen Leak-Liste.",
    "category": "weak_credentials",
    "severity": "high",
    "recommendation": "Kennwörter aller privilegierten Konten ändern, Tiering einführen.",
}
LESSONS_P1 = "P1: MFA an allen Fernzugängen erzwingen."
LESSONS_P2 = "P2: privilegierte Konten regelmäßig prüfen."


@pytest.fixture
def two_providers(engaged, file_calloff, setup, alice, p1, p2):
    """Body A's incident with two engagements: P1's call-off and a second call-off of the body (it
    attaches to the open incident) that P1 declines and P2 accepts; each with a finding, hours, lessons."""
    second = file_calloff()
    assert second.incident_id == engaged.incident_id
    calloff_services.offer_decline(
        calloff=second, provider=setup.providers[0], actor=setup.staff[0], reason="Keine Kapazität"
    )
    second.refresh_from_db()
    second = calloff_services.offer_accept(calloff=second, provider=setup.providers[1], actor=p2, **LEAD)
    incident = engaged.incident
    incident_services.incident_update(incident=incident, actor=alice, nis2_in_scope=True)
    notification = incident.obligations.get(kind=ObligationKind.NIS2_NOTIFICATION)
    incident_services.obligation_mark_done(obligation=notification, actor=alice, reference="BSI-2026-4711")
    services.finding_create(calloff=engaged, actor=p1, **FINDING, root_cause=True)
    services.finding_create(calloff=second, actor=p2, **FINDING_P2)
    for calloff, provider, actor, hours, role in (
        (engaged, setup.providers[0], p1, Decimal("6.5"), setup.roles.lead),
        (second, setup.providers[1], p2, Decimal("11.25"), setup.roles.handler),
    ):
        calloff_services.time_entry_add(
            calloff=calloff,
            provider=provider,
            actor=actor,
            date=timezone.localdate(),
            hours=hours,
            role=role,
            description="Forensik",
        )
    report_services.report_lessons_set(calloff=engaged, actor=p1, text=LESSONS_P1)
    report_services.report_lessons_set(calloff=second, actor=p2, text=LESSONS_P2)
    return engaged, second


def issue_incident_report(incident, actor, run_queued, capture):
    with capture(execute=True):
        document = report_services.incident_report_issue(incident=incident, actor=actor)
    rendered = {d.pk: d for d in run_queued()}
    return rendered.get(document.pk, CallOffDocument.objects.get(pk=document.pk))


def issue_final_report(calloff, actor, run_queued, capture):
    with capture(execute=True):
        document = report_services.final_report_issue(calloff=calloff, actor=actor)
    rendered = {d.pk: d for d in run_queued()}
    return rendered.get(document.pk, CallOffDocument.objects.get(pk=document.pk))


def test_the_incident_report_combines_every_engagement(
    two_providers, alice, run_queued, django_capture_on_commit_callbacks
):
    engaged, second = two_providers
    document = issue_incident_report(engaged.incident, alice, run_queued, django_capture_on_commit_callbacks)
    assert (document.kind, document.version, document.state) == (DocumentKind.INCIDENT_REPORT, 1, DocumentState.READY)
    assert document.calloff_id is None and document.incident_id == engaged.incident_id
    data = document_bytes(document)
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    text = pdf_text(data)
    for expected in [
        "Abschlussbericht zum Vorfall",
        engaged.incident.title,
        "1. Zusammenfassung",
        "2. Ursache",
        "3. Zeitleiste",
        "4. Meldepflichten",
        "Referenz BSI-2026-4711",
        "5. Wiederanschluss an gemeinsame Netze",
        "Keine Maßnahme ist als Voraussetzung für den Wiederanschluss markiert.",
        "Noch nie freigegeben.",
        "6. Einsatzstunden nach Rolle (alle Abrufe)",
        "17,75",  # 6.5 + 11.25 hours over both engagements
        f"7. Abruf {engaged.number}",
        f"8. Abruf {second.number}",
        "P1 Cyberabwehr GmbH",
        FINDING["title"],
        FINDING_P2["title"],
        LESSONS_P1,
        LESSONS_P2,
        "2 Befunde (1 kritisch, 1 hoch)",
        document.verify_code,
    ]:
        assert expected in text, expected
    # each engagement's section holds its own findings and hours
    first_part = text[text.index(f"7. Abruf {engaged.number}") : text.index(f"8. Abruf {second.number}")]
    assert FINDING["title"] in first_part and FINDING_P2["title"] not in first_part and "6,5" in first_part
    second_part = text[text.index(f"8. Abruf {second.number}") :]
    assert FINDING_P2["title"] in second_part and FINDING["title"] not in second_part and "11,25" in second_part


def test_a_provider_never_sees_another_providers_findings_or_hours(
    two_providers, p1, p2, run_queued, django_capture_on_commit_callbacks
):
    engaged, second = two_providers
    own = pdf_text(document_bytes(issue_final_report(engaged, p1, run_queued, django_capture_on_commit_callbacks)))
    assert FINDING["title"] in own and "6,5" in own
    assert FINDING_P2["title"] not in own and "11,25" not in own and LESSONS_P2 not in own and second.number not in own
    other = pdf_text(document_bytes(issue_final_report(second, p2, run_queued, django_capture_on_commit_callbacks)))
    assert FINDING_P2["title"] in other and "11,25" in other
    assert FINDING["title"] not in other and "6,5" not in other and LESSONS_P1 not in other


def test_versions_and_verification(two_providers, alice, client, run_queued, django_capture_on_commit_callbacks):
    incident = two_providers[0].incident
    first = issue_incident_report(incident, alice, run_queued, django_capture_on_commit_callbacks)
    second = issue_incident_report(incident, alice, run_queued, django_capture_on_commit_callbacks)
    assert (first.version, second.version) == (1, 2)
    assert "Diese Fassung ersetzt Version 1" in pdf_text(document_bytes(second))
    page = client.get(reverse("verify", args=[first.verify_code]))
    html = page.content.decode()
    assert page.status_code == 200 and "Abschlussbericht zum Vorfall" in html and first.reference in html
    assert incident.organisation.name not in html  # the public page names no body
    assert "Es gibt eine neuere Fassung" in html
    upload = SimpleUploadedFile("v1.pdf", document_bytes(first), "application/pdf")
    assert client.post(reverse("verify", args=[second.verify_code]), {"file": upload}).context["result"] == (
        "other_version"
    )


def test_no_webhook_reaches_a_provider(two_providers, alice, run_queued, django_capture_on_commit_callbacks):
    before = Notification.objects.filter(event_type="document.issued").count()
    issue_incident_report(two_providers[0].incident, alice, run_queued, django_capture_on_commit_callbacks)
    assert Notification.objects.filter(event_type="document.issued").count() == before


def test_who_issues(two_providers, alice, body_admin, ministry, bob, p1, p2, charlie):
    incident = two_providers[0].incident
    for refused in (bob, p1, p2, charlie):
        with pytest.raises(NotPermitted):
            report_services.incident_report_issue(incident=incident, actor=refused)
    for allowed in (alice, body_admin, ministry):
        report_services.incident_report_issue(incident=incident, actor=allowed)
    assert CallOffDocument.objects.filter(incident=incident, kind=DocumentKind.INCIDENT_REPORT).count() == 1  # pending


def test_a_document_belongs_to_a_calloff_or_an_incident(two_providers):
    engaged = two_providers[0]
    with transaction.atomic(), pytest.raises(ValueError):
        document_new_version(calloff=engaged, kind=DocumentKind.INCIDENT_REPORT)
    with transaction.atomic(), pytest.raises(IntegrityError):
        CallOffDocument.objects.create(
            calloff=engaged, incident=engaged.incident, kind=DocumentKind.INCIDENT_REPORT, version=1
        )


def test_the_nis2_draft_is_prefilled_from_the_incident_report(two_providers):
    engaged, second = two_providers
    text = nis2.prefilled_text(engaged.incident)
    for expected in [
        FINDING["title"],
        FINDING_P2["title"],
        f"Abruf {engaged.number}: P1 Cyberabwehr GmbH, 6,5 Einsatzstunden",
        f"Abruf {second.number}:",
        "11,25 Einsatzstunden",
        LESSONS_P1,
        LESSONS_P2,
        "Referenz BSI-2026-4711",
    ]:
        assert expected in text, expected


# --- Access: the body's members and the ministry; a provider (even an engaged one) 404 ----------

#: persona → (aftercare page shows the incident's report, PDF download, issue (POST), retry (POST))
MATRIX = {
    "alice": (True, 200, 302, 302),
    "admin": (True, 200, 302, 302),
    "bob": (True, 200, 403, 403),
    "ministry": (True, 200, 302, 302),
    "p1": (False, 404, 404, 404),
    "p2": (False, 404, 404, 404),
    "charlie": (False, 404, 404, 404),
}


@pytest.mark.parametrize("who", list(MATRIX))
def test_access_matrix(who, personas, two_providers, alice, client, run_queued, django_capture_on_commit_callbacks):
    incident = two_providers[0].incident
    report = issue_incident_report(incident, alice, run_queued, django_capture_on_commit_callbacks)
    CallOffDocument.objects.filter(pk=report.pk).update(state=DocumentState.FAILED)  # retryable
    ready = issue_incident_report(incident, alice, run_queued, django_capture_on_commit_callbacks)
    client.force_login(personas[who])
    page = client.get(reverse("aftercare:incident", kwargs={"public_id": incident.public_id}))
    download = client.get(reverse("calloffs:document_download", args=[ready.public_id]))
    before = CallOffDocument.objects.filter(incident=incident).count()
    issued = client.post(reverse("aftercare:incident_report_issue", kwargs={"public_id": incident.public_id}))
    after = CallOffDocument.objects.filter(incident=incident).count()
    retry = client.post(reverse("calloffs:document_retry", args=[report.public_id]))
    shows, *codes = MATRIX[who]
    assert [download.status_code, issued.status_code, retry.status_code] == codes
    assert after == before + (1 if codes[1] == 302 else 0)  # a refused issue writes nothing
    report.refresh_from_db()
    assert report.state == (DocumentState.PENDING if codes[2] == 302 else DocumentState.FAILED)
    if page.status_code == 200:
        html = page.content.decode()
        assert (reverse("calloffs:document_download", args=[ready.public_id]) in html) == shows
        assert ("Abschlussbericht zum Vorfall (alle Abrufe)" in html) == shows
        issue_url = reverse("aftercare:incident_report_issue", kwargs={"public_id": incident.public_id})
        assert (issue_url in html) == (codes[1] == 302)
    else:
        assert page.status_code == 404 and who == "charlie"
    if download.status_code == 200:
        assert download["X-Document-SHA256"] == ready.sha256


def test_the_retry_goes_back_to_the_aftercare_page(
    two_providers, alice, client, run_queued, django_capture_on_commit_callbacks
):
    incident = two_providers[0].incident
    report = issue_incident_report(incident, alice, run_queued, django_capture_on_commit_callbacks)
    CallOffDocument.objects.filter(pk=report.pk).update(state=DocumentState.FAILED)
    client.force_login(alice)
    back = reverse("aftercare:incident", kwargs={"public_id": incident.public_id}) + "#abschlussbericht-vorfall"
    response = client.post(reverse("calloffs:document_retry", args=[report.public_id]), {"next": back})
    assert response.status_code == 302 and response["Location"] == back
    evil = client.post(reverse("calloffs:document_retry", args=[report.public_id]), {"next": "https://evil.example/"})
    assert evil["Location"] == reverse("incidents:detail", args=[incident.public_id])


def test_the_provider_api_does_not_list_the_incident_report(
    api, two_providers, alice, run_queued, django_capture_on_commit_callbacks
):
    engaged, second = two_providers
    report = issue_incident_report(engaged.incident, alice, run_queued, django_capture_on_commit_callbacks)
    for index, calloff in ((0, engaged), (1, second)):
        detail = api(index).get(f"/api/v1/calloffs/{calloff.public_id}/")
        assert detail.status_code == 200, detail.content
        assert all(d["kind"] != "incident_report" for d in detail.json()["documents"])
        pdf = api(index).get(f"/api/v1/calloffs/{calloff.public_id}/documents/{report.public_id}.pdf")
        assert pdf.status_code == 404


def test_a_drills_incident_report_is_marked_on_every_page(
    drill,  # noqa: F811  (the fixture imported above)
    alice,
    run_queued,
    django_capture_on_commit_callbacks,
):
    calloff = drill[0]
    document = issue_incident_report(calloff.incident, alice, run_queued, django_capture_on_commit_callbacks)
    reader = fx.pdf_reader(document_bytes(document))
    assert all("ÜBUNG" in (page.extract_text() or "") for page in reader.pages)
