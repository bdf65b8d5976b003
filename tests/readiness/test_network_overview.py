"""Issue 18, readiness profile: the network overview (upload). The body's callers and administrators
upload a network plan (PDF, PNG or JPEG, decided by the content; at most READINESS_NETWORK_OVERVIEW_MAX_BYTES);
it is stored outside any public URL with its SHA-256, replacing it makes a new profile version, and it
counts for completeness (13 entries). Every member downloads it; the ministry never (numbers only);
the accepting provider from the acceptance on (portal and API), nobody before, nobody else: 404."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.urls import reverse

from calloffs.models import CallOffState
from readiness import services
from readiness.models import NetworkOverview, ReadinessProfile, ReadinessProfileVersion
from tenants.models import AuditEntry
from tests.api.conftest import api, keys  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def upload(name="netzplan.pdf", content=PDF, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def upload_url(org):
    return reverse("readiness:network_overview_upload", args=[org.public_id])


def download_url(org):
    return reverse("readiness:network_overview", args=[org.public_id])


def calloff_url(calloff):
    return reverse("calloffs:readiness_network_overview", args=[calloff.public_id])


def api_url(calloff):
    return f"/api/v1/calloffs/{calloff.public_id}/readiness-profile/network-overview/"


def test_a_caller_uploads_it_and_sees_its_sha256(client_for, alice, org_a):
    response = client_for(alice).post(upload_url(org_a), {"file": upload()})
    assert response.status_code == 302 and response["Location"] == reverse("readiness:profile", args=[org_a.public_id])
    profile = ReadinessProfile.objects.select_related("network_overview").get(organisation=org_a)
    overview = profile.network_overview
    import hashlib

    assert overview.sha256 == hashlib.sha256(PDF).hexdigest() and overview.content_type == "application/pdf"
    assert (overview.original_name, overview.size, overview.uploaded_by) == ("netzplan.pdf", len(PDF), alice)
    assert profile.version == 1 and profile.missing_fields()[-1] != "network_overview"
    version = ReadinessProfileVersion.objects.get(organisation=org_a, number=1)
    assert version.changed == ["network_overview"] and version.contents["network_overview"]["sha256"] == overview.sha256
    page = client_for(alice).get(reverse("readiness:profile", args=[org_a.public_id])).content.decode()
    assert overview.sha256 in page and download_url(org_a) in page and "Netzübersicht ersetzen" in page
    entry = AuditEntry.objects.get(action="readiness.network_overview_uploaded")
    assert entry.details["sha256"] == overview.sha256 and entry.details["version"] == 1


def test_it_is_stored_privately(alice, org_a, client):
    profile = services.readiness_network_overview_upload(organisation=org_a, actor=alice, upload=upload())
    name = profile.network_overview.file.name
    # Under MEDIA_ROOT, named by ids (not the client's name), and no public URL serves MEDIA_ROOT.
    assert name.startswith(f"readiness/{org_a.public_id}/network-overview/") and "netzplan" not in name
    assert (settings.MEDIA_ROOT / name).read_bytes() == PDF
    assert client.get(f"/media/{name}").status_code == 404
    assert client.get(f"/{name}").status_code == 404


def test_replacing_it_makes_a_new_version_and_keeps_the_old_file(client_for, alice, org_a):
    services.readiness_profile_save(
        organisation=org_a, actor=alice, critical_systems=[{"name": "Meldewesen – hoch", "protection": "hoch"}]
    )
    first = services.readiness_network_overview_upload(
        organisation=org_a, actor=alice, upload=upload()
    ).network_overview
    response = client_for(alice).post(upload_url(org_a), {"file": upload("plan.png", PNG, "image/png")})
    assert response.status_code == 302
    profile = ReadinessProfile.objects.get(organisation=org_a)
    assert profile.version == 3 and profile.network_overview.content_type == "image/png"
    assert [system.name for system in profile.critical_systems] == ["Meldewesen – hoch"]  # the other entries stay
    versions = {v.number: v for v in ReadinessProfileVersion.objects.filter(organisation=org_a)}
    assert versions[2].contents["network_overview"]["id"] == str(first.public_id)
    assert versions[3].contents["network_overview"]["filename"] == "plan.png"
    assert versions[3].contents["critical_systems"] == [
        {"name": "Meldewesen – hoch", "description": "", "protection": "hoch"}
    ]
    first.refresh_from_db()
    assert first.file.open("rb").read() == PDF  # the version that named it can be read back
    entry = AuditEntry.objects.filter(action="readiness.network_overview_uploaded").latest("id")
    assert entry.details["replaced"] == str(first.public_id)
    # A later save of the form keeps the overview.
    services.readiness_profile_save(
        organisation=org_a, actor=alice, critical_systems=[{"name": "Meldewesen – sehr hoch", "protection": "hoch"}]
    )
    assert ReadinessProfile.objects.get(organisation=org_a).network_overview.content_type == "image/png"


@pytest.mark.parametrize(
    ("name", "content", "content_type", "message"),
    [
        ("netzplan.txt", b"Router 1 -> Firewall\n", "text/plain", "Dieser Dateityp ist hier nicht erlaubt"),
        ("netzplan.zip", b"PK\x03\x04" + b"\0" * 40, "application/zip", "Dieser Dateityp ist hier nicht erlaubt"),
        ("netzplan.gif", b"GIF89a" + b"\0" * 40, "image/gif", "Dieser Dateityp ist hier nicht erlaubt"),
        # The extension and the declared type say PDF; the content does not (fake magic bytes).
        ("netzplan.pdf", b"<html><script>alert(1)</script></html>", "application/pdf", "nicht erlaubt"),
        ("netzplan.pdf", b"PDF-1.7 without its percent sign", "application/pdf", "nicht erlaubt"),
        # A PNG named .pdf, and a PDF that carries a script (a polyglot).
        ("netzplan.pdf", PNG, "application/pdf", "passt nicht zum Inhalt"),
        ("netzplan.pdf", PDF + b"<script>alert(1)</script>", "application/pdf", "HTML oder Skript"),
        ("netzplan.pdf", b"", "application/pdf", "leer"),
    ],
)
def test_a_refused_file_says_why_in_german_and_loses_nothing(
    client_for, alice, org_a, name, content, content_type, message
):
    before = services.readiness_network_overview_upload(
        organisation=org_a, actor=alice, upload=upload("alt.jpg", JPEG, "image/jpeg")
    ).network_overview
    response = client_for(alice).post(upload_url(org_a), {"file": upload(name, content, content_type)})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html and "Bitte prüfen Sie Ihre Angaben" in html
    profile = ReadinessProfile.objects.get(organisation=org_a)
    assert profile.network_overview_id == before.pk and profile.version == 1
    assert NetworkOverview.objects.count() == ReadinessProfileVersion.objects.count() == 1


@override_settings(READINESS_NETWORK_OVERVIEW_MAX_BYTES=2048)
def test_a_file_over_the_limit_is_refused(client_for, alice, org_a):
    response = client_for(alice).post(upload_url(org_a), {"file": upload(content=PDF + b"\0" * 4096)})
    assert response.status_code == 200 and "Die Datei ist zu groß (höchstens" in response.content.decode()
    assert not ReadinessProfile.objects.exists() and not NetworkOverview.objects.exists()


def test_the_limit_is_a_setting():
    assert settings.READINESS_NETWORK_OVERVIEW_MAX_BYTES == 20 * 1024 * 1024


def test_it_counts_for_completeness(alice, org_a):
    from tests.readiness.test_profile import full_values

    values = full_values()
    profile = services.readiness_profile_save(organisation=org_a, actor=alice, **values)
    assert profile.missing_fields() == ["network_overview"] and profile.score() == 92  # 12 of 13
    assert len(ReadinessProfile.ENTRIES) == 13
    from readiness import selectors

    assert selectors.overview().complete == 0
    profile = services.readiness_network_overview_upload(organisation=org_a, actor=alice, upload=upload())
    assert profile.missing() == [] and profile.score() == 100 and selectors.overview().complete == 1


def test_who_downloads_it_in_the_portal(client_for, alice, bob, body_admin, charlie, ministry, org_a):
    services.readiness_network_overview_upload(
        organisation=org_a, actor=alice, upload=upload("plan.jpg", JPEG, "image/jpeg")
    )
    for user in (alice, bob, body_admin):
        response = client_for(user).get(download_url(org_a))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg" and response["X-Content-Type-Options"] == "nosniff"
        assert (
            response["Content-Disposition"].startswith("attachment") and "plan.jpg" in response["Content-Disposition"]
        )
        assert b"".join(response.streaming_content) == JPEG
    # The ministry sees numbers only; an outsider nothing.
    for user in (ministry, charlie):
        assert client_for(user).get(download_url(org_a)).status_code == 404
        assert client_for(user).post(upload_url(org_a), {"file": upload()}).status_code == 404
        assert user.email not in str(AuditEntry.objects.filter(action="readiness.network_overview_downloaded").values())
    assert AuditEntry.objects.filter(action="readiness.network_overview_downloaded").count() == 3


def test_it_requires_rw_access(client_for, bob, alice, org_a):
    assert client_for(bob).get(upload_url(org_a)).status_code == 403
    assert client_for(bob).post(upload_url(org_a), {"file": upload()}).status_code == 403
    assert not NetworkOverview.objects.exists()
    html = client_for(bob).get(reverse("readiness:profile", args=[org_a.public_id])).content.decode()
    assert upload_url(org_a) not in html  # no upload form for a read-only member


def test_it_checks_ownership(client_for, charlie, alice, org_a):
    assert client_for(charlie).get(upload_url(org_a)).status_code == 404
    assert client_for(charlie).get(download_url(org_a)).status_code == 404  # no file either way: 404


def test_without_a_file_the_download_is_404(client_for, alice, org_a):
    assert client_for(alice).get(download_url(org_a)).status_code == 404


def test_a_file_changed_on_disk_is_not_handed_out(client_for, alice, org_a):
    overview = services.readiness_network_overview_upload(
        organisation=org_a, actor=alice, upload=upload()
    ).network_overview
    (settings.MEDIA_ROOT / overview.file.name).write_bytes(PDF + b"% altered\n")
    response = client_for(alice).get(download_url(org_a))
    assert response.status_code == 409 and "Prüfsumme" in response.content.decode()
    assert AuditEntry.objects.filter(action="readiness.network_overview_altered").exists()


def test_the_database_refuses_implausible_values(alice, org_a):
    overview = services.readiness_network_overview_upload(
        organisation=org_a, actor=alice, upload=upload()
    ).network_overview
    for changes in ({"content_type": "text/html"}, {"size": 0}, {"sha256": "abc"}, {"original_name": ""}):
        with pytest.raises(IntegrityError), transaction.atomic():
            NetworkOverview.objects.filter(pk=overview.pk).update(**changes)


# --- The accepting provider (need to know) -------------------------------------------------------


def test_the_provider_gets_it_only_once_it_has_accepted(setup, file_calloff, alice, org_a, client_for, api):  # noqa: F811
    from calloffs import services as calloff_services

    services.readiness_network_overview_upload(
        organisation=org_a, actor=alice, upload=upload("plan.png", PNG, "image/png")
    )
    calloff = file_calloff()  # offered to P1
    assert client_for(setup.staff[0]).get(calloff_url(calloff)).status_code == 404
    response = api(0).get(api_url(calloff))
    assert response.status_code == 404 and response["Content-Type"].startswith("application/problem+json")
    assert response.json()["code"] == "not_found"

    calloff = calloff_services.offer_accept(
        calloff=calloff,
        provider=setup.providers[0],
        actor=setup.staff[0],
        lead_name="Jana Keller",
        lead_phone="+49 211 5550110",
    )
    response = client_for(setup.staff[0]).get(calloff_url(calloff))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment") and response["X-Content-Type-Options"] == "nosniff"
    html = client_for(setup.staff[0]).get(reverse("calloffs:detail", args=[calloff.public_id])).content.decode()
    assert calloff_url(calloff) in html and "plan.png" in html

    response = api(0).get(api_url(calloff))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="plan.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG
    profile = api(0).get(f"/api/v1/calloffs/{calloff.public_id}/readiness-profile/").json()
    assert profile["network_overview"]["filename"] == "plan.png"
    assert profile["network_overview"]["url"].endswith(api_url(calloff))
    assert profile["network_overview"]["sha256"] == response["X-Content-SHA256"]
    # Another provider, never offered it: 404 on both.
    assert client_for(setup.staff[1]).get(calloff_url(calloff)).status_code == 404
    assert api(1).get(api_url(calloff)).status_code == 404


def test_the_call_off_address_is_the_providers_only(drive, setup, alice, bob, charlie, ministry, org_a, client_for):
    services.readiness_network_overview_upload(organisation=org_a, actor=alice, upload=upload())
    calloff = drive(CallOffState.ACCEPTED)
    for user in (alice, bob, ministry, charlie):  # the body has its own address; the ministry none
        assert client_for(user).get(calloff_url(calloff)).status_code == 404
    html = client_for(ministry).get(reverse("calloffs:detail", args=[calloff.public_id])).content.decode()
    assert "netzplan.pdf" not in html


def test_without_a_file_the_api_says_not_available(drive, setup, alice, org_a, client_for, api):  # noqa: F811
    services.readiness_profile_save(
        organisation=org_a, actor=alice, critical_systems=[{"name": "x", "protection": "hoch"}]
    )
    calloff = drive(CallOffState.ACCEPTED)
    response = api(0).get(api_url(calloff))
    assert response.status_code == 404 and response.json()["code"] == "not_available"
    assert response["Content-Type"].startswith("application/problem+json")
    assert api(0).get(f"/api/v1/calloffs/{calloff.public_id}/readiness-profile/").json()["network_overview"] is None
    assert client_for(setup.staff[0]).get(calloff_url(calloff)).status_code == 404


def test_a_provider_accepting_a_drill_gets_the_real_profile(setup, file_calloff, alice, org_a, client_for, api):  # noqa: F811
    """Intended: a drill (Übung) rehearses the real hand-over, so the accepting provider sees the body's
    real readiness profile and network overview, marked as a drill in the API (docs/DRILLS.md)."""
    from calloffs import services as calloff_services

    services.readiness_profile_save(
        organisation=org_a,
        actor=alice,
        critical_systems=[{"name": "Fachverfahren OK.FIS – hoch", "protection": "hoch"}],
    )
    services.readiness_network_overview_upload(organisation=org_a, actor=alice, upload=upload())
    drill = file_calloff(drill=True)
    assert api(0).get(f"/api/v1/calloffs/{drill.public_id}/readiness-profile/").status_code == 404  # not before
    drill = calloff_services.offer_accept(
        calloff=drill,
        provider=setup.providers[0],
        actor=setup.staff[0],
        lead_name="Jana Keller",
        lead_phone="+49 211 5550110",
    )
    assert drill.is_drill
    data = api(0).get(f"/api/v1/calloffs/{drill.public_id}/readiness-profile/").json()
    assert data["drill"] is True and data["critical_systems"][0]["name"] == "Fachverfahren OK.FIS – hoch"
    assert api(0).get(api_url(drill)).status_code == 200
    html = client_for(setup.staff[0]).get(reverse("calloffs:detail", args=[drill.public_id])).content.decode()
    assert "Fachverfahren OK.FIS – hoch" in html and "netzplan.pdf" in html
    assert "Übung mit dem echten Vorbereitungsprofil" in html
