"""Request bodies over their limit are refused (413) before anything reads them: no multipart
parsing, nothing written to a temporary file. /verify/<code>/ (anonymous) accepted 400 MB into /tmp
before saying "zu groß", incident attachments 120 MB."""

from __future__ import annotations

from datetime import timedelta
from wsgiref.util import is_hop_by_hop

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from calloffs.views.documents import MAX_VERIFY_UPLOAD
from incidents import services as incident_services
from incidents.models import Category
from tests.calloffs import documents_fixtures as fx

pytestmark = pytest.mark.django_db
queued, run_queued, order_calloff = fx.queued, fx.run_queued, fx.order_calloff


@pytest.fixture
def parsed(monkeypatch):
    """Records every multipart parse (the step that streams files to /tmp)."""
    from django.http.multipartparser import MultiPartParser

    calls = []
    real = MultiPartParser.parse

    def spy(self):
        calls.append(self._content_length)
        return real(self)

    monkeypatch.setattr(MultiPartParser, "parse", spy)
    return calls


@pytest.fixture
def ready_order(order_calloff, run_queued):
    (document,) = run_queued()
    return document


def test_an_anonymous_upload_over_the_limit_to_verify_is_refused_unread(client, ready_order, parsed):
    url = reverse("verify", args=[ready_order.verify_code])
    big = SimpleUploadedFile("gross.pdf", b"%PDF-1.7\n" + b"x" * (MAX_VERIFY_UPLOAD + 100 * 1024))
    response = client.post(url, {"file": big})
    assert response.status_code == 413
    assert "höchstens" in response.content.decode() and "Es wurde nichts gespeichert" in response.content.decode()
    assert parsed == []
    assert not [h for h in response.headers if is_hop_by_hop(h)]  # a WSGI server refuses those (500)


def test_a_claimed_400_mb_body_is_refused_before_reading(client, ready_order, parsed):
    """What a client announces is enough: Django would read (and spool) up to Content-Length."""
    url = reverse("verify", args=[ready_order.verify_code])
    response = client.post(url, {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.7\n")}, CONTENT_LENGTH=str(400 * 2**20))
    assert response.status_code == 413
    assert parsed == []


def test_a_file_within_the_limit_is_checked_as_before(client, ready_order, parsed):
    url = reverse("verify", args=[ready_order.verify_code])
    response = client.post(url, {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.7\nnot ours\n")})
    assert response.status_code == 200
    assert len(parsed) == 1


def test_an_incident_attachment_over_the_limit_is_refused_unread(client_for, alice, org_a, parsed):
    incident = incident_services.incident_open_or_attach(
        organisation=org_a,
        incident=None,
        title="Ransomware",
        category=Category.RANSOMWARE,
        became_aware_at=timezone.now() - timedelta(hours=1),
        operations_halted=True,
        affected_systems="Alles",
        actor=alice,
    )
    url = reverse("incidents:action", args=[incident.public_id, "attachment"])
    upload = SimpleUploadedFile("dump.zip", b"PK\x03\x04" + b"\x00" * 64)
    response = client_for(alice).post(url, {"file": upload}, CONTENT_LENGTH=str(120 * 2**20))
    assert response.status_code == 413
    assert parsed == [] and not incident.attachments.exists()


def test_other_portal_forms_take_no_large_bodies(client_for, alice, parsed, settings):
    response = client_for(alice).post(
        reverse("calloffs:create"), {"situation": "x" * (settings.REQUEST_MAX_BODY_BYTES + 1)}
    )
    assert response.status_code == 413
    assert parsed == []
