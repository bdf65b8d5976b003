"""Documents in the portal: who may download (body, assigned provider, ministry; everyone else
404), the documents part of the call-off page with its states and retry, the proof of work, and
the public verification page."""

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from calloffs import services
from calloffs.models import CallOff, CallOffDocument, CallOffState, DocumentKind, DocumentState
from calloffs.selectors_documents import document_for_user
from calloffs.services.documents import document_render
from tests.calloffs import documents_fixtures as fx
from tests.calloffs.documents_fixtures import document_bytes, pdf_text

pytestmark = pytest.mark.django_db
queued, run_queued, order_calloff = fx.queued, fx.run_queued, fx.order_calloff


@pytest.fixture
def ready_order(order_calloff, run_queued):
    (document,) = run_queued()
    assert document.state == DocumentState.READY
    return document


def download_url(document):
    return reverse("calloffs:document_download", args=[document.public_id])


# --- Download ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["alice", "bob", "ministry", "assigned_provider"])
def test_the_parties_can_download_the_order(ready_order, persona, client_for, alice, bob, ministry, setup):
    user = {"alice": alice, "bob": bob, "ministry": ministry, "assigned_provider": setup.staff[0]}[persona]
    response = client_for(user).get(download_url(ready_order))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Document-SHA256"] == ready_order.sha256
    assert b"".join(response.streaming_content) == document_bytes(ready_order)
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("persona", ["charlie", "other_provider"])
def test_it_checks_ownership(ready_order, persona, client_for, charlie, setup):
    user = {"charlie": charlie, "other_provider": setup.staff[1]}[persona]
    assert client_for(user).get(download_url(ready_order)).status_code == 404
    retry = reverse("calloffs:document_retry", args=[ready_order.public_id])
    assert client_for(user).post(retry).status_code == 404


def test_anonymous_users_are_sent_to_the_login(ready_order, client):
    response = client.get(download_url(ready_order))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_provider_holding_only_an_offer_sees_the_calloff_but_not_its_documents(file_calloff, setup, client_for):
    calloff = file_calloff()  # offered to P1, not assigned
    document = CallOffDocument.objects.create(calloff=calloff, kind=DocumentKind.ORDER, version=1)
    staff = setup.staff[0]
    assert CallOff.objects.visible_to(staff).filter(pk=calloff.pk).exists()
    with pytest.raises(Exception) as excinfo:
        document_for_user(user=staff, public_id=document.public_id)
    assert excinfo.typename == "Http404"
    page = client_for(staff).get(reverse("calloffs:detail", args=[calloff.public_id]))
    assert page.status_code == 200 and 'id="dokumente"' not in page.content.decode()


def test_a_document_not_yet_ready_is_not_downloadable(order_calloff, client_for, alice):
    document = CallOffDocument.objects.get()
    assert client_for(alice).get(download_url(document)).status_code == 404


# --- The call-off page ------------------------------------------------------------------------


def test_the_call_off_page_shows_the_document_states(order_calloff, queued, client_for, alice, monkeypatch):
    url = reverse("calloffs:detail", args=[order_calloff.public_id])
    client = client_for(alice)
    content = client.get(url).content.decode()
    assert 'id="dokumente"' in content and 'data-busy="1"' in content and "Wird erstellt" in content

    monkeypatch.setattr("calloffs.documents.render_document_pdf", lambda document: 1 / 0)
    document = document_render(document_id=queued.pop())
    content = client.get(url).content.decode()
    assert "Fehlgeschlagen" in content and "Erneut versuchen" in content
    assert reverse("calloffs:document_retry", args=[document.public_id]) in content
    assert "ZeroDivisionError" not in content  # technical detail stays with the ministry's alert

    monkeypatch.undo()
    monkeypatch.setattr("calloffs.services.documents.enqueue_render", lambda *, document_id: None)
    response = client.post(reverse("calloffs:document_retry", args=[document.public_id]))
    assert response.status_code == 302 and response["Location"].endswith("#dokumente")
    document = document_render(document_id=document.pk)
    assert document.state == DocumentState.READY
    content = client.get(url).content.decode()
    assert download_url(document) in content and reverse("verify", args=[document.verify_code]) in content
    assert 'data-busy="0"' in content


def test_the_documents_part_can_be_polled(order_calloff, client_for, alice, charlie):
    url = reverse("calloffs:documents", args=[order_calloff.public_id])
    response = client_for(alice).get(url)
    assert response.status_code == 200 and 'data-busy="1"' in response.content.decode()
    assert client_for(charlie).get(url).status_code == 404


# --- Proof of work ----------------------------------------------------------------------------


@pytest.fixture
def worked_calloff(setup, file_calloff, alice):
    """Filed and accepted two days ago; hours on three days by two roles; one entry confirmed."""
    p1, s1 = setup.providers[0], setup.staff[0]
    start = timezone.now() - timedelta(days=2)
    with time_machine.travel(start, tick=False):
        calloff = file_calloff()
        services.offer_accept(calloff=calloff, provider=p1, actor=s1, lead_name="Jana Keller", lead_phone="+49 211 1")
    day = timezone.localdate(start)
    entries = [
        (day, "8", setup.roles.lead, "Erstanalyse vor Ort"),
        (day, "6.5", setup.roles.handler, "Logs gesichert"),
        (day + timedelta(days=1), "4", setup.roles.lead, "Bereinigung der Server"),
    ]
    created = [
        services.time_entry_add(calloff=calloff, provider=p1, actor=s1, date=d, hours=h, role=role, description=text)
        for d, h, role, text in entries
    ]
    services.time_entry_confirm(entry=created[0], actor=alice)
    return calloff


def test_the_proof_of_work_pdf_lists_hours_by_day_and_role_with_prices(
    worked_calloff, client_for, alice, queued, run_queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(alice).post(reverse("calloffs:proof_of_work", args=[worked_calloff.public_id]))
    assert response.status_code == 302
    (document,) = run_queued()
    assert (document.kind, document.version, document.state) == (DocumentKind.PROOF_OF_WORK, 1, DocumentState.READY)
    text = pdf_text(document_bytes(document))
    day = timezone.localdate(worked_calloff.submitted_at)
    d1, d2 = day.strftime("%d.%m.%Y"), (day + timedelta(days=1)).strftime("%d.%m.%Y")
    expected = [
        f"Leistungsnachweis {worked_calloff.number}",
        "P1 Cyberabwehr GmbH",
        f"{d1} Incident Handler Logs gesichert 6,5 195,00 € 1.267,50 € offen",
        f"{d1} Lead Incident Handler Erstanalyse vor Ort 8 250,00 € 2.000,00 € {timezone.localdate():%d.%m.%Y}",
        f"Summe {d1} 14,5 3.267,50 €",
        f"{d2} Lead Incident Handler Bereinigung der Server 4 250,00 € 1.000,00 € offen",
        f"Summe {d2} 4 1.000,00 €",
        "Gesamt 18,5 4.267,50 €",
        "Incident Handler 195,00 € 6,5 1.267,50 €",
        "Lead Incident Handler 250,00 € 12 3.000,00 €",
        "1 von 3 Einträgen (2.000,00 € von 4.267,50 €)",
        f"/verify/{document.verify_code}/",
    ]
    missing = [item for item in expected if item not in text]
    assert not missing, f"missing: {missing}\n---\n{text}"


def test_a_second_proof_of_work_is_a_new_version(
    worked_calloff, client_for, setup, queued, run_queued, django_capture_on_commit_callbacks
):
    client = client_for(setup.staff[0])  # the assigned provider may ask for it too
    url = reverse("calloffs:proof_of_work", args=[worked_calloff.public_id])
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url)
        run_queued()
    versions = worked_calloff.documents.filter(kind=DocumentKind.PROOF_OF_WORK, state=DocumentState.READY)
    assert sorted(versions.values_list("version", flat=True)) == [1, 2]


def test_the_proof_of_work_checks_ownership(worked_calloff, client_for, charlie, setup):
    url = reverse("calloffs:proof_of_work", args=[worked_calloff.public_id])
    assert client_for(charlie).post(url).status_code == 404
    assert client_for(setup.staff[1]).post(url).status_code == 404
    assert not worked_calloff.documents.filter(kind=DocumentKind.PROOF_OF_WORK).exists()


def test_no_proof_of_work_without_hours(drive, client_for, alice, queued):
    calloff = drive(CallOffState.ACCEPTED)
    response = client_for(alice).post(reverse("calloffs:proof_of_work", args=[calloff.public_id]), follow=True)
    assert "noch kein Leistungsnachweis erfasst" in response.content.decode()
    assert not calloff.documents.filter(kind=DocumentKind.PROOF_OF_WORK).exists()


# --- Verification (public) ----------------------------------------------------------------------


def verify_url(document):
    return reverse("verify", args=[document.verify_code])


def test_the_verification_page_shows_the_document_without_personal_data(ready_order, client, order_calloff, org_a):
    response = client.get(verify_url(ready_order))
    content = response.content.decode()
    assert response.status_code == 200
    sha = ready_order.sha256
    assert order_calloff.number in content and f"{sha[:32]}<wbr>{sha[32:]}" in content and "Abrufauftrag" in content
    for personal in (org_a.name, "Jana Keller", "Erika Mustermann", "P1 Cyberabwehr", order_calloff.callback_phone):
        assert personal not in content


def test_a_genuine_file_is_confirmed(ready_order, client):
    upload = SimpleUploadedFile("order.pdf", document_bytes(ready_order), content_type="application/pdf")
    content = client.post(verify_url(ready_order), {"file": upload}).content.decode()
    assert "Echt:" in content and "Nicht bestätigt" not in content


def test_a_tampered_file_is_not_confirmed(ready_order, client):
    data = bytearray(document_bytes(ready_order))
    data[len(data) // 2] ^= 0x01
    upload = SimpleUploadedFile("order.pdf", bytes(data), content_type="application/pdf")
    content = client.post(verify_url(ready_order), {"file": upload}).content.decode()
    assert "Nicht bestätigt" in content and "Echt:" not in content


def test_an_older_version_is_recognised_and_the_newer_one_named(
    ready_order, order_calloff, setup, client, queued, run_queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.calloff_report_lead(
            calloff=order_calloff,
            provider=setup.providers[0],
            actor=setup.staff[0],
            lead_name="Tom",
            lead_phone="+49 211 9",
        )
    (second,) = run_queued()
    old_page = client.get(verify_url(ready_order)).content.decode()
    assert "neuere Fassung" in old_page and "Version 2" in old_page
    upload = SimpleUploadedFile("order.pdf", document_bytes(ready_order), content_type="application/pdf")
    content = client.post(verify_url(second), {"file": upload}).content.decode()
    assert "andere Fassung" in content and "Version 1 desselben Dokuments" in content


def test_an_unknown_code_is_404_and_an_empty_upload_400(ready_order, client):
    assert client.get(reverse("verify", args=["x" * 20])).status_code == 404
    assert client.post(verify_url(ready_order), {}).status_code == 400
