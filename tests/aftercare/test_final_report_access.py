"""The final report and the NIS-2 draft for every persona: the body's members, the accepting provider
and the ministry read the report; the provider and the body's callers/admins issue it and write their
lessons; readers get 403 on writes; another body and another provider get 404 everywhere. The NIS-2
draft is the body's alone. The provider API lists the report among the call-off's documents."""

import pytest
from django.urls import reverse

from aftercare import report_services, services
from aftercare.models import NIS2_DRAFT_MIN, Nis2FinalReportDraft
from calloffs.models import CallOffDocument, DocumentKind
from calloffs.services.documents import document_render
from incidents import services as incident_services
from incidents.models import ObligationKind
from tests.aftercare.conftest import FINDING

pytestmark = pytest.mark.django_db


@pytest.fixture
def personas(alice, bob, body_admin, charlie, ministry, p1, p2):
    return {
        "alice": alice,
        "bob": bob,
        "admin": body_admin,
        "charlie": charlie,
        "ministry": ministry,
        "p1": p1,
        "p2": p2,
    }


@pytest.fixture
def report(engaged, p1, alice):
    """Body A's NIS-2 incident with a root-cause finding and an issued, rendered final report."""
    incident_services.incident_update(incident=engaged.incident, actor=alice, nis2_in_scope=True)
    notification = engaged.incident.obligations.get(kind=ObligationKind.NIS2_NOTIFICATION)
    incident_services.obligation_mark_done(obligation=notification, actor=alice, reference="BSI-2026-4711")
    services.finding_create(calloff=engaged, actor=p1, **FINDING, root_cause=True)
    report_services.report_lessons_set(calloff=engaged, actor=p1, text="MFA an allen Fernzugängen erzwingen.")
    document = report_services.final_report_issue(calloff=engaged, actor=p1)
    return document_render(document_id=document.pk)


#: persona → (aftercare page, PDF download, lessons form, issue (POST), NIS-2 draft, NIS-2 .txt)
MATRIX = {
    "alice": (200, 200, 200, 302, 200, 200),
    "admin": (200, 200, 200, 302, 200, 200),
    "bob": (200, 200, 403, 403, 403, 403),
    "ministry": (200, 200, 403, 403, 404, 404),
    "p1": (200, 200, 200, 302, 404, 404),
    "p2": (404, 404, 404, 404, 404, 404),
    "charlie": (404, 404, 404, 404, 404, 404),
}


@pytest.mark.parametrize("who", list(MATRIX))
def test_access_matrix(who, personas, report, engaged, client):
    client.force_login(personas[who])
    incident_id, calloff_id = engaged.incident.public_id, engaged.public_id
    page = client.get(reverse("aftercare:incident", kwargs={"public_id": incident_id}))
    download = client.get(reverse("calloffs:document_download", args=[report.public_id]))
    lessons = client.get(reverse("aftercare:lessons_edit", kwargs={"calloff_id": calloff_id}))
    before = CallOffDocument.objects.filter(kind=DocumentKind.FINAL_REPORT).count()
    issued = client.post(reverse("aftercare:report_issue", kwargs={"calloff_id": calloff_id}))
    after = CallOffDocument.objects.filter(kind=DocumentKind.FINAL_REPORT).count()
    draft = client.get(reverse("aftercare:nis2_draft", kwargs={"public_id": incident_id}))
    text = client.get(reverse("aftercare:nis2_draft_download", kwargs={"public_id": incident_id}))
    got = tuple(r.status_code for r in (page, download, lessons, issued, draft, text))
    assert got == MATRIX[who]
    assert after == before + (1 if MATRIX[who][3] == 302 else 0)  # a refused issue writes nothing
    if page.status_code == 200:
        html = page.content.decode()
        assert reverse("calloffs:document_download", args=[report.public_id]) in html
        assert report.sha256 in html
        may_issue = MATRIX[who][3] == 302
        assert (reverse("aftercare:report_issue", kwargs={"calloff_id": calloff_id}) in html) == may_issue
        assert (reverse("aftercare:nis2_draft", kwargs={"public_id": incident_id}) in html) == (MATRIX[who][4] == 200)
    if download.status_code == 200:
        assert download["X-Document-SHA256"] == report.sha256


def test_the_calloff_page_lists_the_report_with_its_state(report, engaged, client, alice):
    client.force_login(alice)
    html = client.get(reverse("calloffs:documents", args=[engaged.public_id])).content.decode()
    assert "Abschlussbericht" in html and reverse("calloffs:document_download", args=[report.public_id]) in html
    assert reverse("verify", args=[report.verify_code]) in html


def test_the_provider_api_lists_and_serves_the_report(api, report, engaged):
    client = api(0)
    detail = client.get(f"/api/v1/calloffs/{engaged.public_id}/")
    assert detail.status_code == 200, detail.content
    (row,) = [d for d in detail.json()["documents"] if d["kind"] == "final_report"]
    assert (row["version"], row["sha256"]) == (1, report.sha256)
    pdf = client.get(row["url"])
    assert pdf.status_code == 200 and pdf["X-Content-SHA256"] == report.sha256
    other = api(1).get(row["url"])
    assert other.status_code == 404


# --- NIS-2 final report draft ------------------------------------------------------------------


def test_the_draft_is_prefilled_from_the_report(report, engaged, client, alice):
    client.force_login(alice)
    url = reverse("aftercare:nis2_draft", kwargs={"public_id": engaged.incident.public_id})
    text = client.get(url).context["form"].initial["text"]
    for expected in [
        "NIS-2-Abschlussbericht",
        engaged.incident.title,
        "NIS-2-Meldung (72 Stunden): erstattet am",
        "Referenz BSI-2026-4711",
        FINDING["title"],  # a finding with its severity, and as the root cause
        "Kritisch",
        "Fernzugang ohne Mehrfaktor-Anmeldung: " + FINDING["title"],
        FINDING["recommendation"],  # the measure recommended (no measures recorded)
        "P1 Cyberabwehr GmbH",
        "MFA an allen Fernzugängen erzwingen.",  # lessons learned
        "Grenzüberschreitende Auswirkungen (zu ergänzen)",
    ]:
        assert expected in text, expected
    assert "NIS-2-Abschlussbericht (1 Monat nach der Meldung): " not in text  # not among the earlier reports


def test_the_body_edits_and_keeps_its_draft(report, engaged, client, alice, p1):
    client.force_login(alice)
    url = reverse("aftercare:nis2_draft", kwargs={"public_id": engaged.incident.public_id})
    prefilled = client.get(url).context["form"].initial["text"]
    edited = prefilled + "\nErgänzung der Stelle: keine grenzüberschreitenden Auswirkungen.\n"
    assert client.post(url, {"text": edited}).status_code == 302
    draft = Nis2FinalReportDraft.objects.get()
    assert "keine grenzüberschreitenden Auswirkungen" in draft.text and draft.updated_by == alice
    # the saved draft is shown and downloaded, not overwritten by newer data …
    services.finding_create(calloff=engaged, actor=p1, **{**FINDING, "title": "Später erfasster Befund"})
    assert "keine grenzüberschreitenden" in client.get(url).context["form"].initial["text"]
    download = client.get(reverse("aftercare:nis2_draft_download", kwargs={"public_id": engaged.incident.public_id}))
    assert "keine grenzüberschreitenden" in download.content.decode("utf-8")
    # … until the body asks for a fresh prefill
    fresh = client.get(url + "?neu=1").context["form"].initial["text"]
    assert "keine grenzüberschreitenden" not in fresh and "Später erfasster Befund" in fresh


def test_a_too_short_draft_is_refused_in_german_and_kept(report, engaged, client, alice):
    client.force_login(alice)
    url = reverse("aftercare:nis2_draft", kwargs={"public_id": engaged.incident.public_id})
    response = client.post(url, {"text": "Kurz."})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Kurz." in html and f"mindestens {NIS2_DRAFT_MIN} Zeichen" in html
    assert not Nis2FinalReportDraft.objects.exists()


@pytest.mark.parametrize(
    ("who", "report_link", "draft_link"),
    [("alice", True, True), ("bob", True, False), ("ministry", True, False), ("p1", True, False)],
)
def test_the_incident_page_links_to_the_report_and_the_draft(who, report_link, draft_link, personas, report, client):
    client.force_login(personas[who])
    incident_id = report.calloff.incident.public_id
    html = client.get(reverse("incidents:detail", args=[incident_id])).content.decode()
    assert ("Nachbereitung: Abschlussbericht" in html) == report_link
    assert (reverse("aftercare:nis2_draft", kwargs={"public_id": incident_id}) in html) == draft_link
