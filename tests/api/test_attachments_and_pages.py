"""Attachments (type by content, size limit, SHA-256, storage, download by the parties only) and
the ministry's API key page."""

import hashlib
import mimetypes
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from calloffs import services
from calloffs.models import CallOffAttachment, ProviderApiKey
from calloffs.services.api_keys import hash_key
from digisos.uploads import sniff
from tests.api.conftest import url

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
ZIP = b"PK\x03\x04" + b"\x00" * 32
TEXT = "Protokoll: Firewall geprüft, äöü.\n".encode()
EXE = b"MZ\x90\x00" + b"\x00" * 32


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (PDF, "application/pdf"),
        (PNG, "image/png"),
        (JPEG, "image/jpeg"),
        (ZIP, "application/zip"),
        (TEXT, "text/plain"),
        (EXE, None),
        (b"\x00\x01binary", None),
        ("ä".encode("latin-1") + b" text", None),
        (b"", None),
    ],
)
def test_sniff_by_content(content, expected):
    assert sniff([content]) == expected


def test_sniff_text_across_chunks():
    data = "ä".encode()
    assert sniff([b"abc" + data[:1], data[1:] + b"def"]) == "text/plain"


def accepted(file_calloff, setup):
    return services.offer_accept(
        calloff=file_calloff(),
        provider=setup.providers[0],
        actor=setup.staff[0],
        lead_name="A",
        lead_phone="+49 211 5550110",
    )


def upload(client, calloff, content, name="bericht.pdf", kind="report", **extra):
    declared = mimetypes.guess_type(name)[0] or "application/octet-stream"  # as curl -F and browsers do
    return client.post(
        url(calloff, "attachments/"),
        {"file": SimpleUploadedFile(name, content, content_type=declared), "kind": kind},
        format="multipart",
        **extra,
    )


def test_upload_stores_file_with_hash_outside_the_web_root(api, file_calloff, setup):
    calloff = accepted(file_calloff, setup)
    response = upload(api(0), calloff, PDF, name="../../etc/Abschluss.pdf")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert body["content_type"] == "application/pdf" and body["size"] == len(PDF)
    assert body["filename"] == "Abschluss.pdf" and body["kind"] == "report"
    attachment = CallOffAttachment.objects.get()
    path = attachment.file.path
    assert path.startswith(str(settings.MEDIA_ROOT)) and not path.startswith(str(settings.STATIC_ROOT))
    assert "Abschluss" not in path and ".." not in attachment.file.name
    with attachment.file.open("rb") as f:
        assert f.read() == PDF


def test_type_is_decided_by_content_and_name_and_declared_type_must_agree(api, file_calloff, setup):
    calloff = accepted(file_calloff, setup)
    response = upload(api(0), calloff, PNG, name="foto.png", kind="evidence")
    assert response.status_code == 201 and response.json()["content_type"] == "image/png"
    response = upload(api(0), calloff, PNG, name="bericht.pdf", kind="evidence")  # declared PDF, is PNG
    assert response.status_code == 415 and "passt nicht zum Inhalt" in response.json()["detail"]
    response = upload(api(0), calloff, EXE, name="bericht.pdf")
    assert response.status_code == 415 and response.json()["code"] == "unsupported_file_type"
    assert CallOffAttachment.objects.count() == 1


def test_upload_validates_kind_and_file(api, file_calloff, setup):
    calloff = accepted(file_calloff, setup)
    response = upload(api(0), calloff, PDF, kind="selfie")
    assert response.status_code == 400 and "kind" in response.json()["errors"]
    response = api(0).post(url(calloff, "attachments/"), {"kind": "report"}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()["errors"]
    response = api(0).post(url(calloff, "attachments/"), {"kind": "report"}, format="json")
    assert response.status_code == 415


@override_settings(API_MAX_UPLOAD_BYTES=1024)
def test_upload_size_limit(api, file_calloff, setup):
    calloff = accepted(file_calloff, setup)
    response = upload(api(0), calloff, PDF + b"x" * 2000)
    assert response.status_code == 413 and response.json()["code"] == "file_too_large"
    response = upload(api(0), calloff, PDF + b"x" * (100 * 1024))  # refused by Content-Length before parsing
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    assert not CallOffAttachment.objects.exists()


def test_upload_needs_an_assignment(api, file_calloff, setup):
    calloff = file_calloff()
    response = upload(api(0), calloff, PDF)
    assert response.status_code == 403


def test_upload_is_idempotent(api, file_calloff, setup):
    calloff = accepted(file_calloff, setup)
    first = upload(api(0), calloff, PDF, HTTP_IDEMPOTENCY_KEY="up-1")
    again = upload(api(0), calloff, PDF, HTTP_IDEMPOTENCY_KEY="up-1")
    assert first.status_code == again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert CallOffAttachment.objects.count() == 1
    other = upload(api(0), calloff, PNG, HTTP_IDEMPOTENCY_KEY="up-1")
    assert other.status_code == 422


def test_download_by_the_parties_only(api, file_calloff, setup, client_for, alice, bob, charlie, ministry):
    calloff = accepted(file_calloff, setup)
    attachment_id = upload(api(0), calloff, PDF).json()["id"]
    path = f"/abrufe/{calloff.public_id}/anhaenge/{attachment_id}/"
    for user in (alice, bob, ministry, setup.staff[0]):
        response = client_for(user).get(path)
        assert response.status_code == 200, user
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment")
    for user in (charlie, setup.staff[1]):
        assert client_for(user).get(path).status_code == 404
    assert client_for(alice).get(f"/abrufe/{calloff.public_id}/anhaenge/{calloff.public_id}/").status_code == 404


# --- API key page ---------------------------------------------------------------------------


def test_key_page_is_ministry_only(client_for, setup, alice, ministry):
    assert client_for(alice).get("/abrufe/api-schluessel/").status_code == 404
    assert client_for(setup.staff[0]).get("/abrufe/api-schluessel/").status_code == 404
    assert client_for(ministry).get("/abrufe/api-schluessel/").status_code == 200


def test_key_page_shows_a_new_key_once(client_for, setup, ministry, api):
    client = client_for(ministry)
    response = client.post("/abrufe/api-schluessel/", {"provider": str(setup.providers[0].public_id), "name": "Jira"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    raw = re.search(r'id="new-api-key">([^<]+)<', response.content.decode()).group(1)
    key = ProviderApiKey.objects.get(hash=hash_key(raw))
    assert key.name == "Jira" and key.created_by == ministry
    assert api(f"Bearer {raw}").get(url()).status_code == 200
    page = client.get("/abrufe/api-schluessel/").content.decode()
    assert raw not in page and key.prefix in page


def test_key_page_rotates_and_revokes(client_for, setup, ministry, api, keys):
    client = client_for(ministry)
    key = ProviderApiKey.objects.get(hash=hash_key(keys[0]))
    response = client.post("/abrufe/api-schluessel/", {"key": str(key.public_id), "action": "rotate"})
    raw = re.search(r'id="new-api-key">([^<]+)<', response.content.decode()).group(1)
    assert api(f"Bearer {raw}").get(url()).status_code == 200
    assert api(0).get(url()).status_code == 200  # the old one still works during the grace period
    response = client.post("/abrufe/api-schluessel/", {"key": str(key.public_id), "action": "revoke"})
    assert response.status_code == 302
    assert api(0).get(url()).status_code == 401


def test_a_pdf_polyglot_and_types_a_kind_does_not_take_are_refused(api, file_calloff, setup):
    calloff = accepted(file_calloff, setup)
    polyglot = b"%PDF-1.4\n<html><script>fetch('/abrufe/')</script></html>\n%%EOF\n"
    response = upload(api(0), calloff, polyglot, name="bericht.pdf")
    assert response.status_code == 415 and "HTML oder Skript" in response.json()["detail"]
    response = upload(api(0), calloff, PNG, name="foto.png", kind="report")  # a report is PDF or text
    assert response.status_code == 415 and "Erlaubt: PDF, Text" in response.json()["detail"]
    response = upload(api(0), calloff, b"<svg onload=alert(1)></svg>", name="x.svg", kind="evidence")
    assert response.status_code == 415
    assert not CallOffAttachment.objects.exists()
