import hashlib
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.models import Category, ObligationKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(org_a, alice):
    return services.incident_open_or_attach(
        organisation=org_a,
        incident=None,
        title="Ransomware im Rathaus",
        category=Category.RANSOMWARE,
        became_aware_at=timezone.now() - timedelta(hours=30),
        operations_halted=True,
        affected_systems="Fachverfahren",
        actor=alice,
    )


def test_it_checks_ownership(client_for, charlie, incident):
    for name in ("incidents:detail", "incidents:edit"):
        assert client_for(charlie).get(reverse(name, args=[incident.public_id])).status_code == 404
    obligation = incident.obligations.first()
    url = reverse("incidents:obligation_draft", args=[incident.public_id, obligation.pk])
    assert client_for(charlie).get(url).status_code == 404


def test_it_requires_rw_access(client_for, bob, incident):
    assert client_for(bob).get(reverse("incidents:detail", args=[incident.public_id])).status_code == 200
    assert client_for(bob).get(reverse("incidents:edit", args=[incident.public_id])).status_code == 403
    url = reverse("incidents:action", args=[incident.public_id, "note"])
    assert client_for(bob).post(url, {"text": "x"}).status_code == 403


def test_an_overdue_obligation_shows_loudly(client_for, alice, incident):
    content = client_for(alice).get(reverse("incidents:detail", args=[incident.public_id])).content.decode()
    assert "ÜBERFÄLLIG" in content  # CERT NRW after 24 h
    assert "Meldung an CERT NRW" in content


def test_mark_done_and_draft(client_for, alice, incident):
    gdpr = incident.obligations.get(kind=ObligationKind.GDPR_NOTIFICATION)
    draft = client_for(alice).get(reverse("incidents:obligation_draft", args=[incident.public_id, gdpr.pk]))
    assert draft.status_code == 200
    text = draft.content.decode()
    assert "Art. 33" in text and incident.organisation.name in text and "Ransomware im Rathaus" in text
    url = reverse("incidents:obligation_done", args=[incident.public_id, gdpr.pk])
    assert client_for(alice).post(url, {"reference": ""}).status_code == 400
    assert client_for(alice).post(url, {"reference": "LDI-2026-1"}).status_code == 302
    gdpr.refresh_from_db()
    assert gdpr.reference == "LDI-2026-1"


def test_edit_keeps_bad_input_with_a_german_error(client_for, alice, incident):
    url = reverse("incidents:edit", args=[incident.public_id])
    response = client_for(alice).post(url, {"title": "Neu", "category": "ransomware", "became_aware_at": "gestern"})
    assert response.status_code == 200
    assert 'value="Neu"' in response.content.decode()
    incident.refresh_from_db()
    assert incident.title == "Ransomware im Rathaus"


def test_attachment_is_hashed_and_only_for_parties(client_for, alice, charlie, incident):
    url = reverse("incidents:action", args=[incident.public_id, "attachment"])
    upload = SimpleUploadedFile("log.txt", b"evil.exe started", content_type="text/plain")
    assert client_for(alice).post(url, {"file": upload}).status_code == 302
    attachment = incident.attachments.get()
    assert attachment.sha256 == hashlib.sha256(b"evil.exe started").hexdigest()
    download = reverse("incidents:attachment", args=[incident.public_id, attachment.public_id])
    assert client_for(charlie).get(download).status_code == 404
    response = client_for(alice).get(download)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"evil.exe started"


def test_major_incidents_are_for_ministry_only(client_for, alice, ministry):
    assert client_for(alice).get(reverse("incidents:major_list")).status_code == 404
    response = client_for(ministry).post(reverse("incidents:major_list"), {"title": "Angriff auf IT-Dienstleister"})
    assert response.status_code == 302
    assert client_for(ministry).get(response["Location"]).status_code == 200
