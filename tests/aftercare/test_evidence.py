"""Evidence attachments on findings: the accepting provider uploads (portal and API; type from the
content, size limit, SHA-256 computed and shown), shared with the body only: the body's members (every
role) and the provider that uploaded download it; the ministry, other providers, another body and
anonymous get 404 (login redirect). Every download checks the SHA-256 again."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aftercare import services
from aftercare.errors import InvalidInput, NotEngaged
from aftercare.evidence import services as evidence_services
from aftercare.evidence.models import FindingEvidence
from calloffs.services.attachments import FileTooLarge, UnsupportedFileType
from tenants.models import AuditEntry
from tests.aftercare.conftest import FINDING

pytestmark = pytest.mark.django_db

LOG = b"2026-10-30 03:12:01 vpn-gw login ok user=svc-backup from 203.0.113.7\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def finding(engaged, p1):
    return services.finding_create(calloff=engaged, actor=p1, **FINDING)


@pytest.fixture
def evidence(finding, p1):
    return evidence_services.evidence_add(
        finding=finding,
        actor=p1,
        upload=SimpleUploadedFile("vpn.log", LOG, content_type="text/plain"),
        description="VPN-Log",
    )


def test_the_provider_uploads_and_the_hash_is_stored(evidence, finding, p1):
    assert evidence.sha256 == hashlib.sha256(LOG).hexdigest()
    assert (evidence.size, evidence.content_type, evidence.original_name) == (len(LOG), "text/plain", "vpn.log")
    assert evidence.organisation_id == finding.organisation_id and evidence.provider_id == finding.calloff.provider_id
    assert evidence.file.name == f"finding-evidence/{finding.public_id}/{evidence.public_id}"  # never the client's name
    entry = AuditEntry.objects.get(action="finding.evidence_added")
    assert entry.actor == p1 and entry.details["sha256"] == evidence.sha256


def test_only_the_engaged_provider_uploads(finding, p2, alice, ministry):
    for actor in (p2, alice, ministry):
        with pytest.raises(NotEngaged):
            evidence_services.evidence_add(finding=finding, actor=actor, upload=SimpleUploadedFile("a.txt", LOG))
    assert not FindingEvidence.objects.exists()


def test_refused_files(finding, p1, settings):
    with pytest.raises(UnsupportedFileType):
        evidence_services.evidence_add(
            finding=finding, actor=p1, upload=SimpleUploadedFile("x.html", b"<html><script>alert(1)</script>")
        )
    with pytest.raises(UnsupportedFileType):
        evidence_services.evidence_add(
            finding=finding, actor=p1, upload=SimpleUploadedFile("bild.txt", PNG, content_type="image/png")
        )
    with pytest.raises(InvalidInput):
        evidence_services.evidence_add(finding=finding, actor=p1, upload=SimpleUploadedFile("leer.txt", b""))
    settings.API_MAX_UPLOAD_BYTES = 1024
    with pytest.raises(FileTooLarge):
        evidence_services.evidence_add(finding=finding, actor=p1, upload=SimpleUploadedFile("gross.txt", b"a" * 1025))
    with pytest.raises(InvalidInput):
        evidence_services.evidence_add(
            finding=finding, actor=p1, upload=SimpleUploadedFile("a.txt", LOG), description="x" * 501
        )
    assert not FindingEvidence.objects.exists()


def test_who_downloads_it(client, client_for, evidence, alice, bob, body_admin, charlie, ministry, p1, p2):
    url = reverse("aftercare:evidence_download", args=[evidence.public_id])
    expected = {alice: 200, bob: 200, body_admin: 200, p1: 200, charlie: 404, ministry: 404, p2: 404}
    got = {user: client_for(user).get(url).status_code for user in expected}
    assert got == expected
    assert client.get(url).status_code == 302  # anonymous: to the login
    response = client_for(bob).get(url)
    assert b"".join(response.streaming_content) == LOG
    assert response["X-Content-SHA256"] == evidence.sha256
    assert "attachment" in response["Content-Disposition"] and response["Content-Type"].startswith("text/plain")


def test_an_altered_file_is_not_handed_out(client_for, evidence, alice):
    with evidence.file.open("wb") as handle:
        handle.write(LOG.replace(b"203.0.113.7", b"198.51.100.1"))
    response = client_for(alice).get(reverse("aftercare:evidence_download", args=[evidence.public_id]))
    assert response.status_code == 409
    assert "Prüfsumme" in response.content.decode() and b"198.51.100.1" not in response.content
    assert AuditEntry.objects.filter(action="finding.evidence_altered").exists()


def test_the_incident_page_shows_evidence_with_its_hash_to_the_body_not_the_ministry(
    client_for, evidence, finding, alice, bob, ministry, p1
):
    page = reverse("aftercare:incident", args=[finding.incident.public_id])
    for user in (alice, bob, p1):
        content = client_for(user).get(page).content.decode()
        assert evidence.sha256 in content and "vpn.log" in content
    content = client_for(ministry).get(page).content.decode()
    assert finding.title in content  # the ministry reads the finding …
    assert evidence.sha256 not in content and "vpn.log" not in content  # … not its evidence
    upload = reverse("aftercare:evidence_new", args=[finding.public_id])
    assert upload in client_for(p1).get(page).content.decode()
    assert upload not in client_for(alice).get(page).content.decode()


def test_the_portal_upload(client_for, finding, p1, alice, bob, ministry, charlie, p2):
    url = reverse("aftercare:evidence_new", args=[finding.public_id])
    expected = {p1: 200, alice: 403, bob: 403, ministry: 403, charlie: 404, p2: 404}
    assert {user: client_for(user).get(url).status_code for user in expected} == expected
    client = client_for(p1)
    assert 'enctype="multipart/form-data"' in client.get(url).content.decode()
    response = client.post(url, {"file": SimpleUploadedFile("x.svg", b"<svg onload=alert(1)>"), "description": ""})
    assert response.status_code == 200 and "passt nicht zum Inhalt" in response.content.decode()
    response = client.post(
        url, {"file": SimpleUploadedFile("screen.png", PNG, content_type="image/png"), "description": "Screenshot"}
    )
    assert response.status_code == 302
    [stored] = FindingEvidence.objects.all()
    assert stored.content_type == "image/png" and stored.sha256 == hashlib.sha256(PNG).hexdigest()


# --- API ------------------------------------------------------------------------------------------


def _url(calloff, finding, tail=""):
    return f"/api/v1/calloffs/{calloff.public_id}/findings/{finding.public_id}/evidence/{tail}"


def test_the_api_uploads_lists_and_downloads(api, engaged, finding):
    created = api(0).post(
        _url(engaged, finding),
        {"file": SimpleUploadedFile("vpn.log", LOG, content_type="text/plain"), "description": "VPN-Log"},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="evidence-1",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["sha256"] == hashlib.sha256(LOG).hexdigest() and body["filename"] == "vpn.log"
    assert [row["id"] for row in api(0).get(_url(engaged, finding)).json()] == [body["id"]]
    response = api(0).get(_url(engaged, finding, f"{body['id']}/file/"))
    assert response.status_code == 200 and b"".join(response.streaming_content) == LOG
    assert response["X-Content-SHA256"] == body["sha256"]


def test_the_api_refuses_in_problem_json(api, engaged, finding, settings):
    html = SimpleUploadedFile("x.html", b"<html>")
    response = api(0).post(_url(engaged, finding), {"file": html}, format="multipart")
    assert response.status_code == 415 and response["Content-Type"].startswith("application/problem+json")
    response = api(0).post(_url(engaged, finding), {"description": "ohne Datei"}, format="multipart")
    assert response.status_code == 400 and response["Content-Type"].startswith("application/problem+json")
    response = api(0).post(_url(engaged, finding), {"file": "x"}, format="json")
    assert response.status_code == 415


def test_another_provider_finds_nothing(api, engaged, finding, evidence):
    for url in (_url(engaged, finding), _url(engaged, finding, f"{evidence.public_id}/file/")):
        response = api(1).get(url)
        assert response.status_code == 404 and response["Content-Type"].startswith("application/problem+json")
    response = api(1).post(_url(engaged, finding), {"file": SimpleUploadedFile("a.txt", LOG)}, format="multipart")
    assert response.status_code == 404
    assert FindingEvidence.objects.count() == 1


def test_the_api_refuses_an_altered_file(api, engaged, finding, evidence):
    with evidence.file.open("wb") as handle:
        handle.write(b"anders\n")
    response = api(0).get(_url(engaged, finding, f"{evidence.public_id}/file/"))
    assert response.status_code == 409 and response.json()["code"] == "evidence_altered"
