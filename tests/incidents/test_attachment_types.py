"""Incident attachments: the content decides the type, it must be on the allow-list (PDF, PNG,
JPEG, ZIP, UTF-8 text), the declared type and the file name must agree with it, and a PDF or
image carrying HTML (a polyglot) is refused. SVG and HTML were stored and served before."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.models import Category

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
POLYGLOT = b"%PDF-1.4\n<html><body><script>fetch('/abrufe/')</script></body></html>\n%%EOF\n"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>'
HTML = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def incident(org_a, alice):
    return services.incident_open_or_attach(
        organisation=org_a,
        incident=None,
        title="Ransomware im Rathaus",
        category=Category.RANSOMWARE,
        became_aware_at=timezone.now() - timedelta(hours=3),
        operations_halted=True,
        affected_systems="Fachverfahren",
        actor=alice,
    )


def post(client, incident, name, content, content_type):
    url = reverse("incidents:action", args=[incident.public_id, "attachment"])
    return client.post(url, {"file": SimpleUploadedFile(name, content, content_type=content_type)})


@pytest.mark.parametrize(
    "name, content, declared, message",
    [
        ("bild.svg", SVG, "image/svg+xml", "passt nicht zum Inhalt"),
        ("seite.html", HTML, "text/html", "passt nicht zum Inhalt"),  # text, but declared HTML
        ("seite.html", HTML, "application/octet-stream", "Dateiendung „.html“"),
        ("bild.svg", SVG, "text/plain", "Dateiendung „.svg“"),
        ("bericht.pdf", POLYGLOT, "application/pdf", "HTML oder Skript"),
        ("foto.png", PNG + b"<script>alert(1)</script>", "image/png", "HTML oder Skript"),
        ("bericht.pdf", PNG, "application/pdf", "passt nicht zum Inhalt"),
        ("bericht.pdf", b"MZ\x90\x00" + b"\x00" * 32, "application/pdf", "nicht erlaubt"),
    ],
)
def test_refused_uploads_keep_nothing_and_say_why(client_for, alice, incident, name, content, declared, message):
    response = post(client_for(alice), incident, name, content, declared)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not incident.attachments.exists()
    assert not incident.timeline.filter(text__contains=name).exists()


@pytest.mark.parametrize(
    "name, content, declared, stored",
    [
        ("bericht.pdf", PDF, "application/pdf", "application/pdf"),
        ("bericht.pdf", PDF, "application/octet-stream", "application/pdf"),
        ("foto.png", PNG, "image/png", "image/png"),
        ("firewall.log", b"Jan 1 DROP 10.0.0.7 -> 203.0.113.9\n", "text/plain", "text/plain"),
        # A forensic note may quote a payload: as text/plain with nosniff and as an attachment it is inert.
        ("notiz.txt", b"Gefunden: <script>alert(1)</script>", "text/plain", "text/plain"),
    ],
)
def test_allowed_uploads_are_stored_under_their_real_type(client_for, alice, incident, name, content, declared, stored):
    assert post(client_for(alice), incident, name, content, declared).status_code == 302
    attachment = incident.attachments.get()
    assert attachment.content_type == stored
    response = client_for(alice).get(reverse("incidents:attachment", args=[incident.public_id, attachment.public_id]))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
